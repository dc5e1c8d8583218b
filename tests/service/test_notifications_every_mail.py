"""Every template makes a correct mail (issue 12, point 3): sent through notifications'
send_email RPC into the Maildir and read back with the stdlib email package
(``email.policy.default``): a Date (RFC 5322, when the record was made, UTC), the Message-ID
made from the record's id, a text and an HTML part (multipart/alternative), every value
escaped in the HTML, and the same links in both parts. Real templates, a real broker and
database; the mail is only delivered to the Maildir. Each template's context is every name it
uses (jinja2.meta), each a value holding markup."""
import mailbox
import re
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import meta
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text

from services.notifications import mailer, rendering
from services.notifications.service import NotificationsService
from services.runtime.database import engine_url

HOSTILE = "<b>Tom&Jerry</b>"  # no space: a value in a link stays one word
LINK = "http://portal.test/reset-password?token=Tok3n_value-xyz&step=2"


def names_used(name):
    """Every free name of ``name``'s text and HTML templates (and what they extend)."""
    env = rendering.environment()
    used = set()
    for source_name in (f"{name}.txt", f"{name}.html", "_layout.html"):
        source = env.loader.get_source(env, source_name)[0]
        used |= meta.find_undeclared_variables(env.parse(source))
    return used - {"public_url", "subject"}


def context_for(name):
    return {key: (LINK if key == "link" else HOSTILE) for key in names_used(name)}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value for key, value in attrs if key == "href"]


def links_in_html(html):
    parser = _Links()
    parser.feed(html)
    return sorted(h for h in parser.hrefs if h.startswith("http"))


def links_in_text(text_part):
    return sorted(link.rstrip(".,;:!?)") for link in re.findall(r"https?://\S+", text_part))


def read_mail(path):
    (key,) = mailbox.Maildir(str(Path(path) / "mail"), create=True).keys()
    return key, message_from_bytes((Path(path) / "mail" / "new" / key).read_bytes(),
                                   policy=policy.default)


def test_every_template_has_a_text_and_an_html_part():
    missing = [n for n in rendering.names() if rendering.render(n, dict(
        context_for(n), public_url="http://portal.test"))[2] is None]
    assert missing == [], f"no HTML part: {missing}"


@pytest.mark.parametrize("template", rendering.names())
def test_every_template_makes_a_dated_two_part_mail_with_the_same_links_in_both(
        start_service, tmp_path, template):
    container = start_service(NotificationsService)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    with entrypoint_hook(container, "send_email") as send_email:
        message_id = send_email(to="rosa@harbor.example", category="security",
                                template=template, context=context_for(template))
    key, mail = read_mail(tmp_path)
    assert key == f"{message_id}_{mailer.DOMAIN}"  # the Maildir name: delivered once
    assert mail["Message-ID"] == f"<{message_id}@{mailer.DOMAIN}>"
    assert mail["From"] == mailer.SENDER and mail["To"] == "rosa@harbor.example"
    assert mail["Subject"]
    date = parsedate_to_datetime(mail["Date"])
    assert date.utcoffset() == timedelta(0) and mail["Date"].endswith("+0000")
    assert before <= date <= datetime.now(timezone.utc)
    engine = create_engine(engine_url(container.config["DATABASE_URL"]))
    with engine.connect() as conn:
        created = conn.execute(text("SELECT created_at FROM messages")).scalar_one()
    engine.dispose()
    created = created if isinstance(created, datetime) else datetime.fromisoformat(created)
    assert date == created.replace(tzinfo=timezone.utc, microsecond=0) or \
        date == created.astimezone(timezone.utc).replace(microsecond=0)
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert plain.strip() and html.strip()
    if names_used(template) - {"link"}:
        assert "&lt;b&gt;Tom&amp;Jerry&lt;/b&gt;" in html
    assert HOSTILE not in html
    assert links_in_html(html) == links_in_text(plain)
    assert all(link.startswith("http://portal.test/") for link in links_in_text(plain))


def test_a_mail_dated_from_a_stored_time_without_its_zone_is_dated_utc():
    """SQLite hands created_at back without a zone; a pending mail sent later keeps its Date."""
    mail = mailer.build("a@harbor.example", "s", "t", "<p>t</p>", message_id="m-1",
                        date=datetime(2026, 12, 2, 1, 30, 5))
    assert mail["Date"] == "Wed, 02 Dec 2026 01:30:05 +0000"
