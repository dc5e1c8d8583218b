"""Forgot-password and forgot-username requests outlive the process that answered them
(services/identity/recovery_requests.py): identity in a nameko container on a real broker
and database (SQLite and PostgreSQL); billing and notifications are fakes
(tests/support/identity_service.py), and the background runner is replaced by one that never
runs its work (the process died right after answering) or swallows its errors as the real
one does. Time moves on by replacing the services' clock (clock_ahead)."""
import pytest

from services.contracts.errors import Refused, Unavailable
from tests.support import identity_service
from tests.support.containers import execute
from tests.support.containers import hook as rpc
from tests.support.identity_service import IdentityUnderTest, _Fixed, from_ip

OFFICE = "203.0.113.50"
AT_OFFICE = from_ip(OFFICE)  # services.contracts.actor's shape


def sweep(container):
    rpc(container, "sweep_recovery_requests")


def mails(template):
    return [k for _, k in identity_service.SENT if k.get("template") == template]


def token_of(mail):
    return mail["context"]["link"].split("token=")[1]


class _Died:
    """The process died once it had answered: the work handed to the background never ran
    (kept here, to run late)."""
    def __init__(self):
        self.jobs = []

    def spawn(self, fn, *args, **kwargs):
        self.jobs.append((fn, args))


class _Logged:
    """Background work done at once; an error is swallowed, as the real runner logs it."""
    def spawn(self, fn, *args, **kwargs):
        try:
            fn(*args, **kwargs)
        except Exception:  # noqa: BLE001
            pass


class _FlakyNotifications:
    """notifications' send_email: each of ``failures`` in turn first ("before": it never got
    the mail; "after": it recorded the mail, the answer was lost), then it works."""
    def __init__(self, failures=()):
        self.failures = list(failures)

    def send_email(self, **kwargs):
        failure = self.failures.pop(0) if self.failures else None
        if failure != "before":
            identity_service.SENT.append(("send_email", kwargs))
        if failure:
            raise Unavailable("The notifications service did not answer in time.")


@pytest.fixture
def start_identity(start_service):
    def start(background, notifications=None):
        class Identity(IdentityUnderTest):
            pass
        Identity.background = _Fixed(background)
        if notifications is not None:
            Identity.notifications_rpc = _Fixed(notifications)
        return identity_service.start_identity(start_service, Identity)
    identity_service.SENT.clear()
    return start


def test_a_reset_asked_just_before_the_process_died_is_mailed_once_by_the_sweep(
        start_identity, clock_ahead):
    died = _Died()
    identity = start_identity(died)
    rpc(identity, "request_password_reset", "sam.lee", actor=AT_OFFICE)
    assert identity_service.SENT == [] and len(died.jobs) == 1
    (request,) = execute(identity, "SELECT kind, identifier, ip, done_at FROM "
                                   "recovery_requests")
    assert request == ("password_reset", "sam.lee", OFFICE, None)

    sweep(identity)  # a young request is left to its own worker
    assert identity_service.SENT == []
    clock_ahead(31)
    sweep(identity)
    (mail,) = mails("password_reset")
    assert mail["to"] == "Sam@bluebird.example" and mail["secret_keys"] == ["link"]
    assert execute(identity, "SELECT identifier, ip FROM recovery_requests "
                             "WHERE done_at IS NOT NULL") == [(None, None)]

    # done is not done again: by a later sweep, nor by the dead process's work run late
    clock_ahead(120)
    sweep(identity)
    fn, args = died.jobs[0]
    fn(*args)
    assert len(mails("password_reset")) == 1
    rpc(identity, "reset_password", token_of(mail), "harbor lantern quiet 77")

    clock_ahead(2 * 24 * 3600)  # done rows are kept a day
    sweep(identity)
    assert execute(identity, "SELECT count(*) FROM recovery_requests") == [(0,)]


def test_a_username_reminder_and_an_unknown_username_left_undone_are_done_by_the_sweep(
        start_identity, clock_ahead):
    identity = start_identity(_Died())
    rpc(identity, "request_username_reminder", "sam@bluebird.example", actor=AT_OFFICE)
    rpc(identity, "request_password_reset", "nobody.at.all", actor=AT_OFFICE)
    clock_ahead(31)
    sweep(identity)
    sweep(identity)
    assert [(m["template"], m["to"], m["context"]["usernames"])
            for m in mails("username_reminder")] == [
        ("username_reminder", "Sam@bluebird.example", ["sam.lee"])]
    assert mails("password_reset") == []
    assert execute(identity, "SELECT count(*) FROM recovery_requests WHERE done_at IS NOT NULL "
                             "AND identifier IS NULL") == [(2,)]


def test_a_mail_notifications_never_got_is_sent_once_the_claim_runs_out(
        start_identity, clock_ahead):
    identity = start_identity(_Logged(), _FlakyNotifications(["before"]))
    rpc(identity, "request_password_reset", "sam.lee", actor=AT_OFFICE)
    assert identity_service.SENT == []
    clock_ahead(20)
    sweep(identity)  # the worker that failed still holds it
    assert identity_service.SENT == []
    clock_ahead(31)
    sweep(identity)
    (mail,) = mails("password_reset")
    rpc(identity, "reset_password", token_of(mail), "harbor lantern quiet 77")


def test_a_mail_sent_but_not_marked_done_is_sent_again_and_only_the_newer_link_works(
        start_identity, clock_ahead):
    """At least once: a duplicate mail rather than a lost one. The second link ends the
    first (reset tokens die together), so the duplicate opens no second door."""
    identity = start_identity(_Logged(), _FlakyNotifications(["after"]))
    rpc(identity, "request_password_reset", "sam.lee", actor=AT_OFFICE)
    clock_ahead(31)
    sweep(identity)
    sweep(identity)
    first, second = mails("password_reset")
    with pytest.raises(Refused):
        rpc(identity, "reset_password", token_of(first), "harbor lantern quiet 77")
    rpc(identity, "reset_password", token_of(second), "harbor lantern quiet 77")
    assert execute(identity, "SELECT count(*) FROM recovery_requests WHERE done_at IS NULL") \
        == [(0,)]
