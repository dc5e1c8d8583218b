"""The notifications nameko service: thin entrypoints over composing, recording, delivering."""

from nameko.dependency_providers import Config
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue
from nameko.timer import timer

from services.contracts.errors import InvalidInput, NotFound
from services.contracts.money import us_datetime
from services.notifications import centre, notices, outgoing, preferences, rendering
from services.notifications.service_account_notices import AccountNotices
from services.notifications.service_autopay_notices import AutopayNotices
from services.notifications.service_collection_notices import CollectionNotices
from services.notifications.service_dispute_notices import DisputeNotices
from services.notifications.service_fraud_notices import FraudNotices
from services.notifications.models import metadata
from services.notifications.service_payment_notices import PaymentNotices
from services.notifications.service_usage_alert_notices import UsageAlertNotices
from services.runtime.rpc import TimedRpcProxy
from services.runtime.context import LogContext
from services.runtime.database import Database
from services.runtime.handlers import reliable_handler
from services.runtime.service_dead_letters import DeadLettersMixin
from services.runtime.service_health import HealthMixin


class NotificationsService(HealthMixin, DeadLettersMixin, PaymentNotices, AccountNotices,
                           CollectionNotices, DisputeNotices, UsageAlertNotices,
                           AutopayNotices, FraudNotices):
    name = "notifications"

    db = Database(metadata)
    log_context = LogContext()
    config = Config()
    identity_rpc = TimedRpcProxy("identity")
    billing_rpc = TimedRpcProxy("billing")
    payments_rpc = TimedRpcProxy("payments")

    def _send_once(self, event, consumer, **message):
        """Records ``message`` once per event id, then delivers it after the commit."""
        with self.db.apply_once(event, consumer) as tx:
            if tx is None:
                return
            sending = outgoing.record(tx, self.config, **message)
        outgoing.deliver(self.db, self.config, [sending])

    def _notify_once(self, event, consumer, *, user, preference, template, context,
                     account_number):
        """Tells ``user`` once per event id by the channels their ``preference`` asks."""
        phone = self._phone_if_wanted([user], preference, account_number)
        out = notices.Outgoing()
        with self.db.apply_once(event, consumer) as tx:
            if tx is None:
                return
            notices.compose(tx, self.config, out, user=user, preference=preference,
                            template=template, context=context,
                            account_number=account_number, phone=phone)
        notices.send(self.db, self.config, out)

    @reliable_handler("billing", "account_opened")
    def on_account_opened(self, event):
        """Welcomes a new account's contact by email, once per event.

        Emits ``notifications.notification_sent``.
        """
        data = event["data"]
        self._send_once(event, "on_account_opened", to=data["email"], category="welcome",
                        template="account_opened", context=data,
                        account_number=data["account_number"])

    @reliable_handler("identity", "user_registered")
    def on_user_registered(self, event):
        """Welcomes a new online ID by email, once per event. Emits notification_sent."""
        data = event["data"]
        user = self.identity_rpc.get_user(data["user_id"])
        self._send_once(event, "on_user_registered", to=data["email"], category="welcome",
                        template="user_registered", context=dict(data, **user),
                        user_id=data["user_id"], account_number=data["account_number"])

    @reliable_handler("identity", "password_changed")
    def on_password_changed(self, event):
        """Alerts the user by email that their password changed (security alerts cannot be
        turned off), once per event. Emits notification_sent."""
        data = event["data"]
        user = self.identity_rpc.get_user(data["user_id"])
        self._send_once(event, "on_password_changed", to=user["email"], category="security",
                        template="password_changed",
                        context=dict(user, via=data["via"],
                                     when=us_datetime(event["occurred_at"])),
                        user_id=data["user_id"])

    @reliable_handler("identity", "security_alert_raised")
    def on_security_alert_raised(self, event):
        """Mails a security alert (always) or a sign-in alert (the user asked for them) that
        identity raised with the change itself, once per event. Emits notification_sent."""
        data = event["data"]
        context = dict(data, when=us_datetime(data["at"]))
        self._send_once(event, "on_security_alert_raised", to=data["email"], category="security",
                        template="sign_in_alert" if data["kind"] == "sign_in" else "security_alert",
                        context=context, user_id=data["user_id"])

    @rpc(expected_exceptions=InvalidInput)
    def send_email(self, to, category, template, context, user_id=None, account_number=None,
                   secret_keys=()):
        """Sends one templated email now (for messages carrying secrets: never by event).

        Takes the recipient, a category (security, welcome, billing...), a template name
        (templates/), its context, and ``secret_keys``: context values left out of the stored
        copy. Returns the message id. Raises InvalidInput for an unknown template.
        Emits ``notifications.notification_sent`` once delivered.
        """
        if template not in rendering.names():
            raise InvalidInput({"template": [f"Unknown template {template!r}."]})
        with self.db.transaction() as tx:
            sending = outgoing.record(tx, self.config, to=to, category=category,
                                      template=template, context=context, user_id=user_id,
                                      account_number=account_number,
                                      secret_keys=tuple(secret_keys or ()))
        outgoing.deliver(self.db, self.config, [sending])
        return sending.message_id

    @timer(interval=30)
    def deliver_pending(self):
        """Delivers messages left pending by a crash or an unreachable mail server."""
        outgoing.deliver_due(self.db, self.config)

    # --- the message centre and preferences ---

    @rpc(expected_exceptions=InvalidInput)
    def list_notifications(self, user_id, limit=20, cursor=None):
        """Returns ``{items: [{id, category, subject, body, created_at, read}], next_cursor,
        unread}``: the user's notices, newest first. Raises InvalidInput (limit, cursor)."""
        with self.db.transaction() as tx:
            page = centre.listing(tx.session, user_id, limit, cursor)
            page["unread"] = centre.unread_count(tx.session, user_id)
            return page

    @rpc(expected_exceptions=NotFound)
    def mark_notification_read(self, user_id, notification_id):
        """Marks one of the user's notices read. Raises NotFound (not theirs, or none)."""
        with self.db.transaction() as tx:
            centre.mark_read(tx.session, user_id, notification_id)

    @rpc
    def get_notification_preferences(self, user_id):
        """Returns ``{bill_ready: {email, sms}, payment: {...}, reminders: {...},
        usage_alerts: {...}}``."""
        with self.db.transaction() as tx:
            return preferences.get(tx.session, user_id)

    @rpc(expected_exceptions=InvalidInput)
    def set_notification_preferences(self, user_id, request):
        """Replaces the user's preferences (every category, both channels; ``usage_alerts``
        stays as it was when left out); returns them. Raises InvalidInput (nothing changed).
        Security alerts are not among them."""
        with self.db.transaction() as tx:
            return preferences.put(tx.session, user_id, request)
