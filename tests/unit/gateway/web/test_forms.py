"""gateway/web/forms.py: what every portal form does with a refusal and a success."""
import pytest
from flask import Flask, get_flashed_messages

from gateway.web import forms
from services.contracts.errors import InvalidInput, Refused, Throttled

LABELS = {"line1": "Address line 1", "email": "Email"}


@pytest.fixture
def request_context():
    app = Flask(__name__)
    app.secret_key = "k" * 32
    with app.test_request_context("/", method="POST", data={
            "csrf_token": "t", "email": " a@b.example ", "password": " p "}):
        yield


def flashed():
    return get_flashed_messages(with_categories=True)


def test_posted_fields_are_stripped_save_secrets_and_the_csrf_token_is_left_out(request_context):
    assert forms.posted(secrets=("password",)) == {"email": "a@b.example", "password": " p "}


def test_nested_field_errors_are_flattened_under_their_own_names():
    assert forms.field_messages({"billing_address": {"line1": ["Required."]},
                                 "email": "Not an email."}) == {
        "line1": ["Required."], "email": ["Not an email."]}


def test_a_refusal_is_one_labelled_message_per_field_or_its_own_words(request_context):
    forms.flash_refusal(InvalidInput({"billing_address": {"line1": ["Required."]}}), LABELS)
    forms.flash_refusal(Throttled("Too many.", retry_after=30), LABELS)
    forms.flash_refusal(Throttled("Too many.", retry_after=30), LABELS, say_wait=False)
    assert flashed() == [("error", "Address line 1: Required."),
                         ("error", "Too many. You can try again in 30 seconds."),
                         ("error", "Too many.")]


def test_submit_flashes_the_success_or_hands_the_refusal_over(request_context):
    refused = []
    assert forms.submit(lambda: {"n": 2}, lambda found: f"{found['n']} done", refused.append) \
        == {"n": 2}

    def refuse():
        raise Refused("No.")
    assert forms.submit(refuse, "never", refused.append) is None
    assert flashed() == [("success", "2 done")] and [e.detail for e in refused] == ["No."]
