"""Pure rules of issue 6's billing/notifications half: reminder dates, card expiry, the SMS
file adapter, the print batch's path and idempotence, the profile change schema."""
import json
from datetime import date

import pytest
from marshmallow import ValidationError

from services.billing import print_batch
from services.contracts.billing import CompanyProfileChange, DeliveryChange
from services.notifications import reminders, sms


def test_autopay_next_pays_the_latest_due_date_while_ahead_else_a_month_on():
    assert reminders.next_autopay_date(date(2026, 12, 6), date(2026, 12, 1)) == date(2026, 12, 6)
    assert reminders.next_autopay_date(date(2026, 12, 6), date(2026, 12, 7)) == date(2027, 1, 6)
    assert reminders.add_months(date(2026, 1, 31)) == date(2026, 2, 28)


def test_a_card_works_through_the_last_day_of_its_expiry_month():
    assert not reminders.card_lapses_before(11, 2026, date(2026, 11, 30))
    assert reminders.card_lapses_before(11, 2026, date(2026, 12, 1))
    assert not reminders.card_lapses_before(None, None, date(2026, 12, 1))


def test_the_sms_adapter_writes_one_line_per_message(tmp_path):
    sender = sms.FileSms(tmp_path)
    sender.send("+13125550100", "Your bill\nis ready")
    sender.send("+13125550100", "Reminder")
    lines = (tmp_path / "sms" / "outbox.log").read_text().splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["Your bill is ready", "Reminder"]


def test_the_print_batch_keeps_the_first_pdf_of_an_invoice(tmp_path, monkeypatch):
    rendered = []
    monkeypatch.setattr(print_batch.pdf_sandbox, "render",
                        lambda detail: rendered.append(1) or b"%PDF-1.4 test")
    detail = {"statement_date": "2026-11-15", "invoice_number": "26111510000001"}
    first = print_batch.add(tmp_path, detail)
    again = print_batch.add(tmp_path, detail)
    assert first == again == tmp_path / "print-batch" / "2026-11-15" / "26111510000001.pdf"
    assert first.read_bytes() == b"%PDF-1.4 test" and len(rendered) == 1
    assert [p.name for p in first.parent.iterdir()] == ["26111510000001.pdf"]


def test_profile_changes_are_validated_field_by_field():
    with pytest.raises(ValidationError) as refused:
        CompanyProfileChange().load({"email": "x", "phone": "1", "company_name": ""})
    assert set(refused.value.messages) == {"email", "phone", "company_name"}
    assert CompanyProfileChange().load({"contact_name": "Ana"}) == {"contact_name": "Ana"}
    with pytest.raises(ValidationError):
        DeliveryChange().load({"method": "fax"})
    assert DeliveryChange().load({"method": "paper"}) == {"method": "paper", "email": None}


def test_autopay_covers_a_bill_only_when_on_and_the_bill_within_its_limit():
    on = {"enabled": True, "payment_method_id": "m", "max_amount_cents": None}
    assert reminders.autopay_covers(on, 10_000_000)
    assert reminders.autopay_covers(dict(on, max_amount_cents=5000), 5000)
    assert not reminders.autopay_covers(dict(on, max_amount_cents=5000), 5001)
    assert not reminders.autopay_covers(dict(on, enabled=False), 100)
    assert not reminders.autopay_covers(None, 100)
    assert reminders.autopay_covers({"enabled": True, "payment_method_id": "m"}, 100)
