"""A recorded message delivered twice (the notifications process died after delivering and
before marking it sent, so the pending-mail sweep delivers it again) is one mail in the
Maildir: its Message-ID is the record's id and names the file (found by the chaos run)."""
import mailbox

from services.notifications import mailer


def test_the_same_record_delivered_twice_is_one_mail(tmp_path):
    for _ in range(2):  # the sweep rebuilds the mail from the stored copy
        mail = mailer.build("ap@harbor.example", "Payment receipt", "Thank you.",
                            message_id="6f1c-record-id")
        mailer.deliver(mail, mail_dir=tmp_path)
    [delivered] = list(mailbox.Maildir(str(tmp_path)))
    assert delivered["Message-ID"] == "<6f1c-record-id@bizportal.example>"
    assert delivered["Subject"] == "Payment receipt"


def test_two_records_are_two_mails_even_with_the_same_text(tmp_path):
    for record_id in ("first", "second"):
        mailer.deliver(mailer.build("ap@harbor.example", "Payment receipt", "Thank you.",
                                    message_id=record_id), mail_dir=tmp_path)
    assert len(list(mailbox.Maildir(str(tmp_path)))) == 2
