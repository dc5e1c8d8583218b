"""An outsider's probes of the surfaces added on Dec 2 (issues 12 and 14), on the real system:
the fingerprinted static and Swagger UI assets (traversal, forged ``?v=``, Range, what gets
compressed: BREACH), the staff OpenAPI document's guard, the public AsyncAPI document, the
statement PDF's running head, stub and metadata under hostile names, and /security's
``?open=``. Raw requests go through http.client so no client library tidies a hostile path.
PDFs are read with poppler's pdfinfo and pdftotext and checked with qpdf."""
import http.client
import json
import re
import subprocess
import uuid
from urllib.parse import urlparse

import requests

from tests.support.api_client import bill, load_usage, statements
from tests.support.auth_helpers import ACCOUNT, PASSWORD, bearer, login, new_user

YEAR = 365 * 24 * 3600
# what a leaked source file, secret or system file would show
LEAK_MARKERS = ("def create_app", "import ", "root:x:0:0", "ADMIN_TOKEN", "SECRET_KEY",
                "{% extends", "sqlalchemy")


def raw_get(system, path, headers=None):
    """GET ``path`` byte for byte as given (no dot-segment removal, no re-quoting)."""
    address = urlparse(system.base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def asset_urls(system):
    """The fingerprinted asset URLs the sign-in page and /docs link to."""
    pages = requests.get(system.url("/"), timeout=10).text + requests.get(
        system.url("/docs"), timeout=10).text
    urls = sorted(set(re.findall(r'(?:src|href)="(/(?:static|docs/assets)/[^"]+\?v=[0-9a-f]+)"',
                                 pages)))
    assert any(u.startswith("/static/") for u in urls) and any(
        u.startswith("/docs/assets/") for u in urls), urls
    return urls


def signed_in_portal(system, username):
    browser = requests.Session()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                     browser.get(system.url("/"), timeout=10).text).group(1)
    signed = browser.post(system.url("/"), data={
        "csrf_token": csrf, "username": username, "password": PASSWORD}, timeout=10)
    assert signed.url.endswith("/dashboard"), signed.url
    return browser


# --- static assets and /docs/assets ------------------------------------------------------

TRAVERSALS = [
    "/static/../app.py", "/static/%2e%2e/app.py", "/static/%2e%2e/%2e%2e/gateway/app.py",
    "/static/..%2fapp.py", "/static/..%2f..%2f..%2f.env", "/static/..%5c..%5capp.py",
    "/static/..\\..\\app.py", "/static/%2fetc%2fpasswd", "/static//etc/passwd",
    "/static/%00", "/static/portal.css%00.png", "/static/../templates/base.html",
    "/static/%2e%2e%2ftemplates%2fbase.html", "/static/..%252f..%252fapp.py",
    "/static/%c0%ae%c0%ae/app.py", "/docs/assets/../../../../../../etc/passwd",
    "/docs/assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd", "/docs/assets/%2e%2e/__init__.py",
    "/docs/assets//etc/passwd", "/docs/assets/%2fetc/passwd", "/docs/assets/..%5c__init__.py",
]


def test_no_path_trick_on_the_asset_routes_reaches_a_file_outside_their_folders(system):
    marker = system.data_dir.name  # the DATA_DIR's own name, as an absolute path too
    for path in TRAVERSALS + [f"/static/{system.data_dir}/logs/gateway.log",
                              f"/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2ftmp%2f{marker}"]:
        status, headers, body = raw_get(system, path)
        if status in (301, 308):  # werkzeug merges slashes: the target must still be nothing
            target = urlparse(headers["Location"])
            assert target.netloc in ("", urlparse(system.base_url).netloc), (path, headers)
            status, headers, body = raw_get(system, target.path)
        assert status in (400, 404), (path, status, body[:200])
        text = body.decode(errors="replace")
        assert not any(m in text for m in LEAK_MARKERS), (path, text[:300])


def test_the_docs_assets_serve_only_what_the_docs_page_loads(system):
    for name in ("index.html", "oauth2-redirect.html", "index.j2", "swagger-initializer.js",
                 "swagger-ui.js", "favicon-32x32.png"):
        assert requests.get(system.url(f"/docs/assets/{name}"), timeout=10).status_code == 404
    page = requests.get(system.url("/docs"), timeout=10).text
    loaded = re.findall(r'/docs/assets/([^"?]+)', page)
    assert loaded and all(requests.get(system.url(f"/docs/assets/{name}"), timeout=10)
                          .status_code == 200 for name in loaded)


def test_a_forged_fingerprint_never_earns_a_year_long_immutable_cache(system):
    for url in asset_urls(system):
        path, _, version = url.partition("?v=")
        genuine = requests.get(system.url(url), timeout=10)
        assert genuine.status_code == 200, url
        assert genuine.headers["Cache-Control"] == f"public, max-age={YEAR}, immutable", url
        for forged in ("000000000000", "x", version[::-1], version + "0"):
            response = requests.get(system.url(f"{path}?v={forged}"), timeout=10)
            cache = response.headers.get("Cache-Control", "")
            assert "immutable" not in cache and f"max-age={YEAR}" not in cache, (url, forged,
                                                                                cache)
        revalidated = requests.get(system.url(f"{path}?v=000000000000"), timeout=10, headers={
            "If-None-Match": genuine.headers["ETag"]})
        assert revalidated.status_code == 304
        assert "immutable" not in revalidated.headers.get("Cache-Control", "")


def test_a_range_of_an_asset_is_that_range_uncompressed_and_a_bad_range_is_refused(system):
    url = next(u for u in asset_urls(system) if u.startswith("/static/portal.css"))
    whole = requests.get(system.url(url), timeout=10, headers={"Accept-Encoding": "identity"})
    part = requests.get(system.url(url), timeout=10,
                        headers={"Range": "bytes=0-9", "Accept-Encoding": "gzip, br, zstd"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.content == whole.content[:10]
    many = ",".join(f"{i}-{i}" for i in range(400))
    for bad in ("bytes=999999999-", "bytes=5-1", f"bytes={many}"):
        response = requests.get(system.url(url), timeout=10, headers={"Range": bad})
        assert response.status_code in (200, 416), (bad, response.status_code)


ENCODINGS = ["gzip", "br", "zstd", "deflate", "*", "GZIP", "x-gzip", "gzip;q=1, br;q=1, *;q=1",
             "identity;q=0, *;q=1", "br;q=nan", "gzip;q=abc", ",".join(["gzip;q=0.5"] * 500)]


def test_no_page_or_reply_carrying_a_token_is_compressed_whatever_accept_encoding_says(system):
    owner = new_user(system)
    access = login(system, owner["username"]).json()["access_token"]
    browser = signed_in_portal(system, owner["username"])
    for encoding in ENCODINGS:
        headers = {"Accept-Encoding": encoding}
        replies = {
            "login": requests.post(system.url("/api/v1/auth/login"), timeout=10, headers=headers,
                                   json={"username": owner["username"], "password": PASSWORD}),
            "me": requests.get(system.url("/api/v1/me"), timeout=10, headers={
                **headers, "Authorization": f"Bearer {access}"}),
        }
        for page in ("/", "/dashboard", "/security", "/security?open=password", "/docs",
                     "/static/nope" + "x" * 600, "/docs/assets/nope" + "y" * 600):
            replies[page] = browser.get(system.url(page), timeout=10, headers={
                **headers, "Accept": "text/html"})
        for name, reply in replies.items():
            assert reply.status_code < 500, (name, encoding, reply.status_code)
            assert "Content-Encoding" not in reply.headers, (name, encoding, reply.headers)
        assert "access_token" in replies["login"].json()
        assert 'name="csrf_token"' in replies["/security"].text


# --- the staff OpenAPI document ----------------------------------------------------------

def test_the_staff_document_opens_only_to_the_admin_token_in_the_authorization_header(system):
    url = system.url("/internal/v1/openapi.json")
    owner = new_user(system)
    customer = login(system, owner["username"]).json()["access_token"]
    token = system.admin_token
    refused = [
        {}, {"headers": {"Authorization": f"Bearer {customer}"}},
        {"headers": {"Authorization": "Bearer " + "A" * len(token)}},
        {"headers": {"Authorization": "Bearer " + token[:-1] + chr(ord(token[-1]) ^ 1)}},
        {"headers": {"Authorization": "Bearer " + token[:-1]}},
        {"headers": {"Authorization": "Bearer " + token + "x"}},
        {"headers": {"Authorization": f"Basic {token}"}}, {"headers": {"Authorization": token}},
        {"headers": {"X-Admin-Token": token}},
        {"params": {"access_token": token}}, {"params": {"token": token}},
        {"params": {"ADMIN_TOKEN": token}},
        {"cookies": {"ADMIN_TOKEN": token, "access_token": token, "token": token}},
    ]
    for attempt in refused:
        response = requests.get(url, timeout=10, **attempt)
        assert response.status_code in (401, 403), (attempt, response.status_code)
        assert response.headers["Content-Type"] == "application/problem+json"
        assert "paths" not in response.json() and "/internal/v1" not in response.text
    allowed = requests.get(url, timeout=10, headers={"Authorization": f"Bearer {token}"})
    assert allowed.status_code == 200
    assert any(p.startswith("/internal/v1/") for p in allowed.json()["paths"])
    assert allowed.headers["Cache-Control"] == "no-store"


def reachable_schemas(document):
    """Names of the component schemas the document's operations refer to, followed through
    nested references."""
    found, todo = set(), [document["paths"]]
    while todo:
        text = json.dumps(todo.pop())
        for name in re.findall(r'"#/components/schemas/([^"]+)"', text):
            if name not in found:
                found.add(name)
                todo.append(document["components"]["schemas"][name])
    return found


def test_the_customer_document_names_no_staff_path_schema_tag_or_security_scheme(system):
    staff = system.staff().get(system.url("/internal/v1/openapi.json"), timeout=10).json()
    customer = requests.get(system.url("/api/v1/openapi.json"), timeout=10).json()
    assert not [p for p in customer["paths"] if p.startswith("/internal")]
    # The staff overview reuses customer shapes (profile, statements, payments, users); a name
    # in both documents must be the same shape, and the customer document holds only schemas
    # its own operations reach, so no staff-only shape rides along unreferenced.
    schemas = customer["components"]["schemas"]
    for name in set(staff["components"]["schemas"]) & set(schemas):
        assert staff["components"]["schemas"][name] == schemas[name], name
    assert set(schemas) == reachable_schemas(customer)
    assert set(staff["components"]["schemas"]) - set(schemas)  # the staff API has shapes of its own
    assert "staff" not in {tag["name"] for tag in customer.get("tags", [])}
    assert set(customer["components"]["securitySchemes"]) == {"bearer"}
    text = json.dumps(customer)
    assert "ADMIN_TOKEN" not in text and "/internal/" not in text and '"staff"' not in text


# --- the AsyncAPI document ---------------------------------------------------------------

def test_the_asyncapi_document_holds_no_credential_or_host_of_the_running_system(system):
    response = requests.get(system.url("/api/v1/asyncapi.json"), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    text = response.text
    json.loads(text)
    broker = urlparse(system.env["AMQP_URI"].split(";")[0])
    secrets_ = [system.admin_token, system.env["SECRET_KEY"], broker.password,
                f"{broker.username}:{broker.password}@", str(system.data_dir)]
    secrets_ += [urlparse(system.env[f"{s.upper()}_DATABASE_URL"]).netloc
                 for s in ("billing", "identity", "payments", "notifications")]
    for secret in filter(None, secrets_):
        assert secret not in text, secret
    assert "amqp://" not in text and "postgresql://" not in text
    assert broker.path.strip("/") not in text  # the session's vhost name


# --- the statement PDF under hostile names ------------------------------------------------

def pdf_tool(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)


def test_hostile_names_stay_text_on_every_page_of_the_statement_pdf_and_its_metadata(system,
                                                                                      tmp_path):
    tag = uuid.uuid4().hex[:6]
    # the widest letters the validators allow, then PDF string syntax, in the 120 allowed
    company = "Ю" * 60 + f" ) /JavaScript (app.alert(1)) \\ {tag}"
    products = system.staff().get(system.url("/internal/v1/products"), timeout=10).json()
    opened = system.staff().post(system.url("/internal/v1/accounts"), timeout=10, json={
        **ACCOUNT, "company_name": company, "email": f"ap-{tag}@harbor.example",
        "services": [{"code": p["code"], "quantity": 1} for p in products["items"]]}).json()
    number, key = opened["account_number"], opened["security_key"]
    username = f"hostile.{tag}"
    assert requests.post(system.url("/api/v1/signup"), timeout=10, json={
        **opened, "username": username, "password": PASSWORD,
        "email": f"u-{tag}@harbor.example", "first_name": "Rosa",
        "last_name": "Diaz"}).status_code == 201
    admin = bearer(system, username)
    profile = system.url(f"/api/v1/accounts/{number}/profile")
    for invisible in ("Mal\u202elory", "Mal\u200dlory", "Mal\nlory", "Mal\u2028lory"):
        assert admin.patch(profile, json={"contact_name": invisible},
                           timeout=10).status_code == 400, invisible
    assert admin.patch(profile, timeout=10, json={
        "contact_name": "Mallory ) (\\ /JS (x)",
        "billing_address": {"line1": "1 ) /JavaScript ( Main St", "city": "Spring\\field",
                            "state": "IL", "postal_code": "60611"}}).status_code == 200
    calls = [{"started_at": f"2026-11-0{1 + i % 9}T10:{i % 60:02d}:00Z",
              "from_number": "+13125550188", "to_number": f"+44207946{i:04d}",
              "duration_seconds": 60 + i,
              "call_type": ("local", "long_distance", "international")[i % 3]}
             for i in range(200)]
    assert load_usage(system, number, calls).status_code == 202
    bill(system, number, "2026-11-15")
    invoice = statements(system, admin, number)[0]["invoice_number"]
    document = admin.get(system.url(f"/api/v1/accounts/{number}/statements/{invoice}/pdf"),
                         timeout=30)
    assert document.status_code == 200
    path = tmp_path / "statement.pdf"
    path.write_bytes(document.content)

    check = pdf_tool("qpdf", "--check", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    objects = json.dumps(json.loads(pdf_tool("qpdf", "--json", str(path)).stdout))
    for name in ("/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/URI"):
        assert f'"{name}":' not in objects, name  # a string in Title is fine, a key is not
    info = dict(line.split(":", 1) for line in pdf_tool("pdfinfo", str(path)).stdout.splitlines()
                if ":" in line)
    info = {k: v.strip() for k, v in info.items()}
    assert info["JavaScript"] == "no"
    assert info["Title"].startswith(f"Statement {invoice} for {'Ю' * 60} ) /JavaScript (")
    assert info["Subject"] == f"Business statement of Nov 15, 2026 for account {number}"
    assert not any(key in value for value in info.values())
    pages = int(info["Pages"])
    assert pages >= 2
    texts = [pdf_tool("pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-").stdout
             for n in range(1, pages + 1)]
    first = " ".join(texts[0].split())
    assert "Attn: Mallory ) (\\ /JS (x)" in first and "1 ) /JavaScript ( Main St" in first
    assert "Spring\\field, IL 60611" in first and key in first
    for text in texts[1:]:  # the running head: whose statement and of when, on the paper
        head = text.strip().splitlines()[0]
        assert head.startswith("ЮЮЮ"), head
        assert "Statement of Nov 15, 2026 (continued)" in head, head
    whole = "\n".join(texts)
    stub = whole[whole.index("Please detach"):]
    assert "Amount enclosed" in stub and number in stub and key not in stub


# --- /security's ?open= ------------------------------------------------------------------

HOSTILE_OPEN = ['"><script>alert(1)</script>', 'password" onmouseover="alert(1)',
                "password\r\nX-Evil: 1", "//evil.example", "https://evil.example/",
                "javascript:alert(1)", "__class__", "PASSWORD", "password "]


def test_security_open_reflects_nothing_redirects_nowhere_and_opens_only_a_known_section(system):
    owner = new_user(system)
    browser = signed_in_portal(system, owner["username"])
    for value in HOSTILE_OPEN:
        page = browser.get(system.url("/security"), params={"open": value}, timeout=10,
                           allow_redirects=False)
        assert page.status_code == 200 and "Location" not in page.headers, value
        assert "X-Evil" not in page.headers
        assert "alert(1)" not in page.text and "evil.example" not in page.text, value
        assert not re.search(r"<details[^>]*\sopen[\s>]", page.text), value  # none opened
    opened = browser.get(system.url("/security"), params={"open": "password"}, timeout=10)
    assert '<details class="card expander" id="password" open>' in opened.text
