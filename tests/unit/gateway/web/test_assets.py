"""Static assets are fingerprinted, kept long by browsers and compressed; portal pages and API
replies are not compressed (BREACH) nor cached. The gateway in-process, services faked."""
import re

import pytest

from gateway.web.assets import fingerprint
from tests.e2e import authz_matrix

ZSTD_OR_BETTER = "gzip, deflate, br, zstd"  # what Chromium sends


@pytest.fixture(scope="module")
def client():
    return authz_matrix.gateway_app().test_client()


def asset_urls(html):
    return re.findall(r'(?:href|src)="(/(?:static|docs/assets)/[^"]+)"', html)


def test_every_asset_a_page_links_to_is_fingerprinted_and_kept_a_year(client):
    urls = asset_urls(client.get("/").get_data(as_text=True)) + asset_urls(
        client.get("/docs").get_data(as_text=True))
    assert len(urls) >= 6
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["ETag"] and response.headers["Last-Modified"]


def test_an_asset_without_its_fingerprint_is_kept_a_day_then_revalidated(client):
    first = client.get("/static/portal.css")
    assert first.headers["Cache-Control"] == "public, max-age=86400"
    again = client.get("/static/portal.css", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_new_content_gets_a_new_fingerprint(tmp_path):
    (tmp_path / "app.css").write_text("a { color: red; }")
    before = fingerprint(str(tmp_path), "app.css")
    (tmp_path / "app.css").write_text("a { color: blue; }")
    assert fingerprint(str(tmp_path), "app.css") != before
    assert fingerprint(str(tmp_path), "missing.css") is None


@pytest.mark.parametrize("path", ["/static/portal.css", "/docs/assets/swagger-ui-bundle.js",
                                  "/api/v1/openapi.json"])
def test_text_assets_and_the_openapi_document_are_compressed(client, path):
    plain = client.get(path).get_data()
    response = client.get(path, headers={"Accept-Encoding": ZSTD_OR_BETTER})
    assert response.headers["Content-Encoding"] in ("zstd", "br")
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(response.get_data()) < len(plain) / 2


@pytest.mark.parametrize("path", ["/", "/api/v1/help", "/signup"])
def test_pages_and_api_replies_are_never_compressed(client, path):
    response = client.get(path, headers={"Accept-Encoding": ZSTD_OR_BETTER})
    assert "Content-Encoding" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
