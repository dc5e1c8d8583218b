"""signing_in's decisions, without nameko or a database."""
from services.identity.signing_in import Outcome, after_second_step, before_password


def test_a_throttled_attempt_is_refused_whatever_its_password():
    assert before_password(30, True) is Outcome.THROTTLED
    assert before_password(30, False) is Outcome.THROTTLED


def test_a_wrong_password_or_an_unknown_user_is_bad_credentials():
    assert before_password(0, False) is Outcome.BAD_CREDENTIALS


def test_a_right_password_goes_on_to_the_second_step():
    assert before_password(0, True) is None


def test_without_2_step_sign_in_a_right_password_signs_in():
    assert after_second_step(None) is Outcome.SIGNED_IN


def test_an_app_code_or_a_recovery_code_signs_in():
    assert after_second_step("totp") is Outcome.SIGNED_IN
    assert after_second_step("recovery_code") is Outcome.SIGNED_IN


def test_a_missing_code_is_asked_for_and_a_wrong_one_refused():
    assert after_second_step("missing") is Outcome.TOTP_NEEDED
    assert after_second_step("wrong") is Outcome.TOTP_WRONG
