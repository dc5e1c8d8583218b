"""The sandbox processor's charge journal: a key already seen returns the first charge and
moves no money, across processor instances (restarts, replicas) sharing one file."""
from services.payments.processor import SandboxProcessor, make_processor
from services.payments.sandbox_journal import ChargeJournal, journal_path


def card(processor, number="4242424242424242"):
    return processor.tokenize_card(number=number, exp_month=1, exp_year=2030, cvc="123",
                                   name="x", postal_code="10004", brand="visa").token


def test_a_charge_asked_again_with_its_key_returns_the_first_and_charges_once(tmp_path):
    first_replica = make_processor("sandbox", tmp_path)
    token = card(first_replica)
    charge = first_replica.charge(token=token, amount_cents=500, currency="USD",
                                  idempotency_key="pay-1:0")
    restarted = make_processor("sandbox", tmp_path)
    again = restarted.charge(token=token, amount_cents=500, currency="USD",
                             idempotency_key="pay-1:0")
    assert again == charge and charge.status == "succeeded"
    [row] = ChargeJournal(journal_path(tmp_path)).charges()
    assert (row["idempotency_key"], row["asked"], row["amount_cents"]) == ("pay-1:0", 2, 500)


def test_a_declined_charge_is_remembered_with_its_reason():
    processor = SandboxProcessor()
    token = card(processor, "4000000000009995")
    first = processor.charge(token=token, amount_cents=100, currency="USD", idempotency_key="k")
    again = processor.charge(token=token, amount_cents=100, currency="USD", idempotency_key="k")
    assert again == first and first.failure_code == "insufficient_funds" and first.failure_reason
    assert len(processor.journal.charges()) == 1
