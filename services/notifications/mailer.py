"""Email delivery: SMTP when SMTP_URL is set, else a Maildir under DATA_DIR/mail.

SMTP_URL looks like ``smtp://user:pass@host:port`` (``smtps://`` for implicit TLS, add
``?starttls=1`` to upgrade a plain connection).
"""
import mailbox
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

SENDER = "BizPortal <no-reply@bizportal.example>"


def build(to, subject, text, html=None):
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="bizportal.example")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def deliver(message, smtp_url=None, mail_dir=None):
    """Send ``message`` through SMTP, or drop it into the Maildir when no SMTP_URL is set."""
    if smtp_url:
        _send_smtp(message, smtp_url)
    else:
        path = Path(mail_dir)
        for sub in ("tmp", "new", "cur"):  # Maildir(create=True) skips an existing folder
            (path / sub).mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(str(path), create=False)
        box.add(mailbox.MaildirMessage(message))


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
