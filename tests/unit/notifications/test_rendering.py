"""What a customer typed is text in every mail (issue 11, point 1): the HTML part is
autoescaped, and a Subject built from a company name is one header line whatever the name
holds (a CR/LF would otherwise make the mail unsendable, or inject headers). Real templates
and the stdlib email package; nothing is faked."""
from email import message_from_bytes, policy

from services.notifications import mailer, rendering

HOSTILE = 'Acme\r\nBcc: victim@evil.example\r\n\r\n<script>alert(1)</script> <img src=x>'
INVITATION = {"company_name": HOSTILE, "inviter": "<b>Mallory</b>", "role": "admin",
              "days": 7, "link": "https://portal.example/invitations/accept?token=t",
              "public_url": "https://portal.example"}


def test_a_subject_from_a_hostile_company_name_is_one_line_and_the_mail_sends():
    subject, text, html = rendering.render("invitation", INVITATION)
    assert "\r" not in subject and "\n" not in subject
    assert subject.startswith("You are invited to Acme Bcc: victim@evil.example")
    mail = message_from_bytes(mailer.build("guest@harbor.example", subject, text, html)
                              .as_bytes(), policy=policy.default)
    assert mail["Bcc"] is None and mail["To"] == "guest@harbor.example"
    assert mail["Subject"] == subject


def test_the_html_part_shows_markup_as_text():
    _, _, html = rendering.render("invitation", INVITATION)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Mallory</b>" not in html and "&lt;b&gt;Mallory&lt;/b&gt;" in html
    assert "<img src=x>" not in html


def test_every_template_autoescapes_its_html_part():
    env = rendering.environment()
    for name in env.list_templates(extensions=["html"]):
        assert env.autoescape(name) is True, name
        source = env.loader.get_source(env, name)[0]
        assert "|safe" not in source.replace(" ", "") and "autoescape false" not in source


def test_no_portal_template_marks_data_safe():
    from pathlib import Path

    import gateway
    for template in (Path(gateway.__file__).parent / "web" / "templates").glob("*.html"):
        source = template.read_text().replace(" ", "")
        assert "|safe" not in source and "autoescapefalse" not in source, template.name


def test_the_dashboard_shows_a_hostile_company_name_as_text(tmp_path):
    import time

    from gateway.app import create_app
    from services.runtime import config
    from tests.support.portal_client import ACCOUNT, SUMMARY, fake_rpc
    rpc = fake_rpc({("billing", "get_account_summary"):
                    dict(SUMMARY, company_name='<script>alert(1)</script><img src=x>')})
    settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
    client = create_app(settings, rpc_client=rpc).test_client()
    with client.session_transaction() as session:
        session["auth"] = {"u": "u1", "s": "s1", "n": "sam", "checked": time.time()}
        session["account"] = ACCOUNT
    page = client.get("/dashboard").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<img src=x>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
