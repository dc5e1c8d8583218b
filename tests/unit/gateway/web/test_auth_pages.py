"""The portal's auth pages (gateway/web/auth_pages.py) with identity replaced by a fake
client: what a browser is sent on success and on each refusal. CSRF is checked in the
browser tests; here it is off so the forms can be posted directly."""
import pytest

from gateway.app import create_app
from services.contracts.errors import Conflict, Refused, Throttled, Unauthenticated
from services.runtime import config
from tests.support.fakes import FakeRpc

SIGNED_IN = {"user_id": "u1", "username": "sam.lee", "session_id": "s1", "refresh_token": "r"}
HTML = {"Accept": "text/html"}


@pytest.fixture
def client(tmp_path):
    def make(answers):
        settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
        app = create_app(settings, rpc_client=FakeRpc(answers))
        app.config["WTF_CSRF_ENABLED"] = False
        return app.test_client()
    return make


def test_signing_in_goes_to_the_page_asked_for_but_never_to_another_site(client):
    c = client({("identity", "sign_in"): SIGNED_IN})
    response = c.post("/", data={"username": "sam.lee", "password": "pw", "next": "/billing"})
    assert response.status_code == 302 and response.headers["Location"] == "/billing"
    response = c.post("/", data={"username": "sam.lee", "password": "pw",
                                 "next": "//evil.example/"})
    assert response.headers["Location"] == "/dashboard"
    page = c.get("/signup", headers=HTML).get_data(as_text=True)
    assert "Sign out" in page and "sam.lee" in page


def test_a_wrong_password_and_throttling_are_explained(client):
    c = client({("identity", "sign_in"): Unauthenticated("That username and password do not match.")})
    page = c.post("/", data={"username": "sam.lee", "password": "pw"}).get_data(as_text=True)
    assert "do not match" in page and 'value="sam.lee"' in page
    c = client({("identity", "sign_in"): Throttled("Too many failed sign-ins.", 16)})
    page = c.post("/", data={"username": "sam.lee", "password": "pw"}).get_data(as_text=True)
    assert "Too many failed sign-ins." in page and "16 seconds" in page


def test_sign_up_shows_field_errors_and_domain_refusals_on_the_form(client):
    c = client({("identity", "signup"): Refused("We could not match that account number and security key.")})
    page = c.post("/signup", data={"account_number": "12"}).get_data(as_text=True)
    assert "An account number is 16 digits." in page and 'aria-invalid="true"' in page
    form = {"account_number": "4929000000000006", "security_key": "ABCD2345",
            "username": "sam.lee", "password": "violet staple orbit 42",
            "email": "sam@bluebird.example", "first_name": "Sam", "last_name": "Lee"}
    page = c.post("/signup", data=form).get_data(as_text=True)
    assert "could not match that account number and security key" in page
    assert "violet staple" not in page  # the password is never echoed back
    c = client({("identity", "signup"): Conflict("That username is taken.")})
    assert "That username is taken." in c.post("/signup", data=form).get_data(as_text=True)


def test_a_reset_that_needs_the_challenge_answer_asks_for_it(client):
    c = client({("identity", "reset_password"): Refused("Wrong answer.", {"challenge_required": True})})
    page = c.post("/reset-password", data={"token": "t" * 43,
                                           "new_password": "violet staple orbit 42"})
    text = page.get_data(as_text=True)
    assert "Answer your challenge question" in text and 'name="challenge_answer"' in text


def test_sign_out_ends_the_session_at_identity(client):
    answers = {("identity", "sign_in"): SIGNED_IN, ("identity", "end_session"): None}
    c = client(answers)
    c.post("/", data={"username": "sam.lee", "password": "pw"})
    response = c.post("/sign-out")
    assert response.status_code == 302
    page = c.get("/", headers=HTML).get_data(as_text=True)
    assert "You are signed out." in page and "Sign out</button>" not in page


@pytest.mark.parametrize("path, rpc, form", [
    ("/signup", "signup", {"account_number": "4929000000000006", "security_key": "ABCD2345",
                           "username": "sam.lee", "password": "violet staple orbit 42",
                           "email": "sam@bluebird.example", "first_name": "Sam",
                           "last_name": "Lee"}),
    ("/forgot-password", "request_password_reset", {"username": "sam.lee"}),
    ("/forgot-id", "request_username_reminder", {"email": "sam@bluebird.example"})])
def test_a_throttled_sign_up_or_forgot_form_says_how_long_to_wait(tmp_path, path, rpc, form):
    """Issue 11 point 9: the portal's forms answer an allowance spent with the wait, on the
    form, never an error page; the client's address goes to identity."""
    fake = FakeRpc({("identity", rpc): Throttled("Too many requests like this one.", 42)})
    settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
    app = create_app(settings, rpc_client=fake)
    app.config["WTF_CSRF_ENABLED"] = False
    response = app.test_client().post(path, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Too many requests like this one." in page and "42 seconds" in page
    assert [kwargs["actor"]["ip"] for _, method, _, kwargs, _ in fake.calls
            if method == rpc] == ["127.0.0.1"]
