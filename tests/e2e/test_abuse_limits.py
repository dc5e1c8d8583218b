"""What a stranger can learn and how fast they may ask (issue 11 points 7, 8 and 9), end to
end on the real services and gateway. Each test sends from an address of its own on the
loopback network (127.x.y.z: the gateway listens on all of them), so what it spends of an
address's allowance is never what the rest of the suite signs up or in from (127.0.0.1)."""
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.auth_helpers import PASSWORD, new_user, open_account
from tests.support.client_addresses import client_at


def burst(send, n):
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: send(), range(n)))


def signup_body(opened, **changes):
    tag = uuid.uuid4().hex[:8]
    return {"account_number": opened["account_number"], "security_key":
            opened["security_key"], "username": f"user.{tag}", "password": PASSWORD,
            "email": f"user-{tag}@harbor.example", "first_name": "Rosa", "last_name": "Diaz",
            **changes}


def test_a_burst_of_forgot_password_requests_gets_exactly_the_allowance(system):
    """Point 9: 16 requests at once for one username; the allowance (5 an hour) is reserved
    in the same transaction as its count, so exactly 5 get through, however they race."""
    user = new_user(system)
    client = client_at()
    url = system.url("/api/v1/auth/forgot-password")
    answers = burst(lambda: client.post(url, json={"username": user["username"]},
                                        timeout=30), 16)
    assert sorted(r.status_code for r in answers) == [202] * 5 + [429] * 11
    throttled = [r for r in answers if r.status_code == 429]
    assert all(int(r.headers["Retry-After"]) >= 1 for r in throttled)
    # a username nobody has is refused the same way: the 429 says nothing about who exists
    nobody = f"nobody.{uuid.uuid4().hex[:8]}"
    for _ in range(5):
        assert client.post(url, json={"username": nobody}, timeout=10).status_code == 202
    unknown = client.post(url, json={"username": nobody}, timeout=10)
    assert unknown.status_code == 429
    assert unknown.json()["detail"] == throttled[0].json()["detail"]


def test_forgot_username_is_limited_per_email_and_per_address(system):
    client = client_at()
    url = system.url("/api/v1/auth/forgot-username")
    email = f"nobody-{uuid.uuid4().hex[:8]}@harbor.example"
    assert [client.post(url, json={"email": email}, timeout=10).status_code
            for _ in range(6)] == [202] * 5 + [429]


def test_sign_up_answers_one_conflict_whether_or_not_the_username_exists(system):
    """Point 7: the account claim is checked before the username, and every clash is one
    409: with the key of a claimed account nobody learns which usernames exist."""
    user = new_user(system)
    claimed = {"account_number": user["account_number"], "security_key": user["security_key"]}
    client = client_at()
    url = system.url("/api/v1/signup")
    taken = client.post(url, json=signup_body(claimed, username=user["username"]), timeout=10)
    free = client.post(url, json=signup_body(claimed), timeout=10)
    taken_elsewhere = client.post(url, json=signup_body(open_account(system),
                                                        username=user["username"]), timeout=10)
    assert taken.status_code == free.status_code == taken_elsewhere.status_code == 409
    assert taken.json()["detail"] == free.json()["detail"] == taken_elsewhere.json()["detail"]


def test_sign_up_is_throttled_per_account_number_and_per_address(system):
    """Point 7/9: guessing at one account's key, or at many accounts from one address, is
    429 with Retry-After; a sign-up that works does not spend the address's allowance."""
    opened = open_account(system)
    url = system.url("/api/v1/signup")
    answers = [client_at().post(url, timeout=10, json=signup_body(
        opened, security_key=f"WRONG{n:03}")).status_code for n in range(11)]
    assert answers == [422] * 10 + [429]
    client = client_at()
    for n in range(20):
        assert client.post(url, timeout=10, json=signup_body(
            {"account_number": f"4000{n:012}", "security_key": "ZZZZ9999"})).status_code == 422
    refused = client.post(url, json=signup_body(open_account(system)), timeout=10)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_a_flood_of_failed_sign_ins_from_an_office_does_not_lock_out_its_users(system):
    """Point 8: an office's address (one NAT for everyone) floods with failures; strangers'
    usernames from there are slowed, a user who signs in there with the right password is
    not, and their own key still stops guessing at their password."""
    user = new_user(system)
    office = client_at()
    url = system.url("/api/v1/auth/login")

    def sign_in(username, password=PASSWORD):
        return office.post(url, json={"username": username, "password": password}, timeout=30)
    assert sign_in(user["username"]).status_code == 200  # works there every day
    flood = burst(lambda: sign_in(f"ghost.{uuid.uuid4().hex[:8]}", "not the password"), 60)
    assert {r.status_code for r in flood} <= {401, 429} and 429 in {r.status_code for r in flood}
    # the address's back-off is short at first (2 s): ask until a stranger is refused, then
    # at once the office's user, with the right password
    strangers = []
    while 429 not in strangers and len(strangers) < 10:
        strangers.append(sign_in(f"ghost.{uuid.uuid4().hex[:8]}").status_code)
    assert strangers[-1] == 429
    assert sign_in(user["username"]).status_code == 200
    for _ in range(5):
        assert sign_in(user["username"], "not the password").status_code == 401
    assert sign_in(user["username"]).status_code == 429
