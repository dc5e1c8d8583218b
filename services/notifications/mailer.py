"""Email delivery: SMTP when SMTP_URL is set, else a Maildir under DATA_DIR/mail.

SMTP_URL looks like ``smtp://user:pass@host:port`` (``smtps://`` for implicit TLS, add
``?starttls=1`` to upgrade a plain connection).
"""
import mailbox
import os
import re
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from services.runtime import clock



SENDER = "BizPortal <no-reply@bizportal.example>"
DOMAIN = "bizportal.example"


def build(to, subject, text, html=None, message_id=None, date=None):
    """The mail; ``message_id`` (our record's id) makes its Message-ID, so that the same
    record delivered twice (a crash between delivering and marking it sent) is the same mail:
    the Maildir keeps it once, and a mail client or MTA can drop the SMTP duplicate. ``date``
    (when the record was made) is its Date, so a redelivery carries the same one (RFC 5322
    requires it; a mail without one is dated by whoever receives it, or refused)."""
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.as_utc(date or clock.now()))
    message["Message-ID"] = (f"<{message_id}@{DOMAIN}>" if message_id
                             else make_msgid(domain=DOMAIN))
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def deliver(message, smtp_url=None, mail_dir=None):
    """Send ``message`` through SMTP, or drop it into the Maildir when no SMTP_URL is set."""
    if smtp_url:
        _send_smtp(message, smtp_url)
    else:
        _to_maildir(message, Path(mail_dir))


def _to_maildir(message, path):
    """Delivered once per Message-ID: the file is named after it (tmp/ then an atomic rename
    into new/, as Maildir does), and a name already in new/ or cur/ is not written again."""
    for sub in ("tmp", "new", "cur"):  # Maildir(create=True) skips an existing folder
        (path / sub).mkdir(parents=True, exist_ok=True)
    key = re.sub(r"[^A-Za-z0-9._-]", "_", (message["Message-ID"] or "").strip("<>"))
    if not key:
        mailbox.Maildir(str(path), create=False).add(mailbox.MaildirMessage(message))
        return
    if (path / "new" / key).exists() or any((path / "cur").glob(f"{key}:*")):
        return
    tmp = path / "tmp" / key
    tmp.write_bytes(message.as_bytes())
    os.rename(tmp, path / "new" / key)


def _send_smtp(message, smtp_url):
    url = urlparse(smtp_url)
    options = parse_qs(url.query)
    client_cls = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with client_cls(url.hostname, url.port or (465 if url.scheme == "smtps" else 25), timeout=10) as client:
        if options.get("starttls", ["0"])[0] == "1":
            client.starttls()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)
