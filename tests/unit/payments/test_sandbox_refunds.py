"""The sandbox processor's refunds: a key already seen answers the first refund and gives
nothing back twice, across processor instances sharing one journal file; it never gives back
more than the charge took, nor refunds a charge it never made."""
from services.payments.processor import SandboxProcessor, make_processor
from services.payments.sandbox_journal import ChargeJournal, journal_path


def charged(processor, amount=1000, key="pay-1:0"):
    token = processor.tokenize_card(number="4242424242424242", exp_month=1, exp_year=2030,
                                    cvc="123", name="x", postal_code="10004",
                                    brand="visa").token
    return processor.charge(token=token, amount_cents=amount, currency="USD",
                            idempotency_key=key).reference


def test_a_refund_asked_again_with_its_key_answers_the_first_and_gives_back_once(tmp_path):
    first_replica = make_processor("sandbox", tmp_path)
    reference = charged(first_replica)
    refund = first_replica.refund(reference=reference, amount_cents=400,
                                  idempotency_key="refund:r1")
    restarted = make_processor("sandbox", tmp_path)
    again = restarted.refund(reference=reference, amount_cents=400, idempotency_key="refund:r1")
    assert again == refund and refund.status == "succeeded" and refund.reference
    [row] = ChargeJournal(journal_path(tmp_path)).refunds()
    assert (row["idempotency_key"], row["asked"], row["amount_cents"],
            row["charge_reference"]) == ("refund:r1", 2, 400, reference)


def test_refunds_of_one_charge_never_give_back_more_than_it_took():
    processor = SandboxProcessor()
    reference = charged(processor, amount=1000)
    assert processor.refund(reference=reference, amount_cents=600,
                            idempotency_key="refund:a").status == "succeeded"
    too_much = processor.refund(reference=reference, amount_cents=401,
                                idempotency_key="refund:b")
    assert (too_much.status, too_much.failure_code) == ("failed", "amount_too_large")
    assert too_much.failure_reason
    assert processor.refund(reference=reference, amount_cents=400,
                            idempotency_key="refund:c").status == "succeeded"


def test_a_charge_the_processor_never_made_is_not_refunded():
    processor = SandboxProcessor()
    refused = processor.refund(reference="ch_sbx_unknown", amount_cents=1,
                               idempotency_key="refund:x")
    assert (refused.status, refused.failure_code) == ("failed", "no_such_charge")


def test_a_declined_charge_is_not_refunded():
    processor = SandboxProcessor()
    token = processor.tokenize_card(number="4000000000000002", exp_month=1, exp_year=2030,
                                    cvc="123", name="x", postal_code="10004", brand="visa").token
    declined = processor.charge(token=token, amount_cents=500, currency="USD",
                                idempotency_key="pay-2:0")
    refused = processor.refund(reference=declined.reference, amount_cents=500,
                               idempotency_key="refund:y")
    assert refused.failure_code == "no_such_charge"
