"""The staff desk end to end: finding an account and one account's overview through the
gateway, on the real services, broker and PostgreSQL, as staff tools call them."""
import uuid

import requests

from tests.support.auth_helpers import ACCOUNT, bearer, new_user
from tests.support.api_client import add_method, bill, overview, paid
from tests.support.payment_methods import CARD
from tests.support.system import eventually


def search(system, q, **params):
    response = system.staff().get(system.url("/internal/v1/accounts"),
                                  params={"q": q, **params}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def numbers(page):
    return [item["account_number"] for item in page["items"]]


def test_staff_find_a_customer_every_way_and_see_the_whole_account(system):
    owner = new_user(system)
    number = owner["account_number"]
    bill(system, number, "2026-11-15")
    admin = bearer(system, owner["username"])
    method = add_method(system, admin, number, CARD)
    payment = paid(system, admin, number, 500, method["id"])
    assert payment["status"] == "succeeded", payment

    seen = overview(system, number)
    invoice = seen["statements"][0]["invoice_number"]
    company = owner["company_name"]
    for q in (number, invoice, company.upper(), company.lower()[:-3],
              f"AP-{company.rsplit(' ', 1)[1]}@HARBOR.example", "(312) 555-0188"):
        page = search(system, q, limit=100)
        if q == "(312) 555-0188":  # every e2e account has that phone: page until found
            found = numbers(page)
            while page["next_cursor"] and number not in found:
                page = search(system, q, limit=100, cursor=page["next_cursor"])
                found += numbers(page)
            assert number in found
        else:
            assert numbers(page) == [number], q
    [item] = search(system, number)["items"]
    assert item["company_name"] == company and item["status"] == "active"
    assert item["phone"] == "+13125550188"

    def payment_applied():
        """billing credited the payment (its event consumed)"""
        return search(system, number)["items"][0]["balance_cents"] == \
            seen["statements"][0]["amount_due_cents"] - 500
    eventually(payment_applied)

    seen = overview(system, number)
    assert seen["status"] == "active" and seen["profile"]["company_name"] == company
    assert [(s["code"], s["quantity"]) for s in seen["services"]] == [
        (line["code"], line["quantity"]) for line in ACCOUNT["services"]]
    assert seen["balance_cents"] == seen["statements"][0]["amount_due_cents"] - 500
    assert [p["id"] for p in seen["recent_payments"]] == [payment["id"]]
    assert [(u["username"], u["role"]) for u in seen["users"]] == [
        (owner["username"], "admin")]
    assert seen["open_disputes"] == []
    assert "security_key" not in str(seen)

    # customers never reach the desk, not even about their own account
    assert admin.get(system.url("/internal/v1/accounts"), params={"q": number},
                     timeout=10).status_code == 403
    assert admin.get(system.url(f"/internal/v1/accounts/{number}"), timeout=10).status_code == 403
    assert requests.get(system.url(f"/internal/v1/accounts/{number}"),
                        timeout=10).status_code == 401


def test_staff_page_through_every_match_and_wildcards_match_literally(system):
    tag = uuid.uuid4().hex[:8]
    opened = []
    for name in (f"Desk {tag} 100% Juice", f"desk {tag} A_B", f"DESK {tag} AXB"):
        response = system.staff().post(system.url("/internal/v1/accounts"), json={
            **ACCOUNT, "company_name": name, "email": f"{uuid.uuid4().hex[:8]}@desk.example"},
            timeout=10)
        assert response.status_code == 201, response.text
        opened.append(response.json()["account_number"])

    seen, cursor = [], None
    while True:
        page = search(system, f"desk {tag}", limit=1, **({"cursor": cursor} if cursor else {}))
        seen += numbers(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(opened) and len(seen) == 3

    assert [i["company_name"] for i in search(system, f"desk {tag} a_")["items"]] == [
        f"desk {tag} A_B"]
    assert numbers(search(system, f"desk {tag} 100%")) == [opened[0]]
    assert search(system, f"desk {tag} %")["items"] == []
    assert search(system, "' OR 1=1 --")["items"] == []


def test_a_bad_search_or_an_unknown_account_is_a_problem_document(system):
    staff = system.staff()
    for params, field in (({"q": "x" * 101}, "q"), ({}, "q"), ({"q": "a", "limit": 0}, "limit"),
                          ({"q": "a", "cursor": "not-a-cursor"}, "cursor")):
        response = staff.get(system.url("/internal/v1/accounts"), params=params, timeout=10)
        assert response.status_code == 400, (params, response.text)
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert field in response.json()["errors"]
    unknown = staff.get(system.url("/internal/v1/accounts/4111111111111111"), timeout=10)
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"].startswith("application/problem+json")
