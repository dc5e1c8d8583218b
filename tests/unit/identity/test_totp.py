"""identity's security rules as plain functions: TOTP steps, recovery-code normalising, the
challenge answer, preferences, the security code's format, the audit trail's wording, and
the portal's QR code. No broker, no database."""
from datetime import datetime, timedelta, timezone

import pyotp
import pytest

from gateway.web.security_pages import qr_data_uri
from services.contracts.errors import InvalidInput
from services.identity import audit, challenge, preferences, security_code, totp
from services.identity.models import User


def test_a_totp_code_matches_its_step_and_one_either_side_only():
    secret = totp.new_secret()
    at = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    app = pyotp.TOTP(secret)
    step = app.timecode(at)
    assert totp.matching_step(secret, app.generate_otp(step), at) == step
    assert totp.matching_step(secret, app.generate_otp(step - 1), at) == step - 1
    assert totp.matching_step(secret, app.generate_otp(step + 2), at) is None
    assert totp.matching_step(secret, "12345", at) is None
    assert totp.matching_step(None, app.generate_otp(step), at) is None
    assert totp.matching_step(secret, app.at(at + timedelta(seconds=30)), at) == step + 1


def test_the_otpauth_uri_names_the_issuer_and_the_user():
    uri = totp.otpauth_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "sam.lee")
    assert uri == "otpauth://totp/BizPortal:sam.lee?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=BizPortal"


def test_recovery_codes_compare_ignoring_case_dashes_and_spaces():
    assert totp.normalise_recovery(" abcde-fgh2k ") == "ABCDEFGH2K"


def test_a_challenge_answer_ignores_case_and_spacing_and_the_question_must_be_listed():
    assert challenge.load("2", "  New   YORK ") == (2, "new york")
    with pytest.raises(InvalidInput) as invalid:
        challenge.load(99, "x")
    assert set(invalid.value.errors) == {"question_id", "answer"}
    assert [q["id"] for q in challenge.questions()] == sorted(challenge.QUESTIONS)


def test_preferences_are_booleans_and_requiring_a_code_needs_one():
    user = User(sign_in_alerts=False, require_code_for_payments=False, security_code_hash=None)
    with pytest.raises(InvalidInput):
        preferences.load({"sign_in_alerts": "true"})
    with pytest.raises(InvalidInput):
        preferences.load({"colour": True})
    with pytest.raises(InvalidInput):
        preferences.apply(user, {"require_security_code_for_payments": True})
    assert preferences.apply(user, {"sign_in_alerts": True}) == ["sign_in_alerts"]
    assert preferences.apply(user, {"sign_in_alerts": True}) == []
    assert preferences.of(user) == {"sign_in_alerts": True,
                                    "require_security_code_for_payments": False}


def test_a_security_code_is_exactly_four_digits():
    assert security_code.check_format("0042") == "0042"
    for bad in ("42", "12345", "12a4", 1234, None, "١٢٣٤"):
        with pytest.raises(InvalidInput):
            security_code.check_format(bad)


def test_other_services_events_read_plainly_in_the_audit_trail():
    assert audit.detail_of("billing.profile_changed", {"fields": ["email", "phone"]}) == \
        "Fields: email, phone"
    assert audit.detail_of("billing.invoice_delivery_changed",
                           {"method": "paperless", "email": "a@b.example"}) == \
        "Now paperless to a@b.example"
    assert audit.detail_of("payments.payment_method_removed",
                           {"type": "bank_account", "last4": "6789"}) == \
        "bank account ending in 6789"
    assert audit.detail_of("payments.autopay_changed", {"enabled": False}) == "Off"


def test_the_qr_code_is_an_inline_svg_image():
    uri = qr_data_uri("otpauth://totp/BizPortal:sam.lee?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    assert uri.startswith("data:image/svg+xml") and "<script" not in uri
