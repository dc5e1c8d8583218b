"""Static assets (the portal's /static and Swagger UI's /docs/assets): fingerprinted URLs,
long-lived caching and compression.

* ``url_for`` of an asset carries ``?v=`` and the first 12 hex digits of the file's SHA-256:
  new content, new URL, so a browser keeps a fingerprinted asset a year without asking.
* Without ``v`` (a typed URL, an old page) an asset may be kept a day, then is revalidated with
  its ETag or Last-Modified (a 304 costs headers only).
* A ``v`` that is not the file's fingerprint (forged, or a page from another release reaching
  this replica mid-deploy) is ``no-cache``: that URL must never keep this content a year.
* flask-compress compresses these assets and the OpenAPI documents, nothing else: portal pages
  and API replies hold CSRF tokens, access tokens and account data next to text an attacker can
  make a victim's browser send, which compression would leak byte by byte (BREACH).
"""
import hashlib
import os
from functools import lru_cache

import swagger_ui_bundle
from flask import abort, request, send_from_directory
from flask_compress import Compress
from werkzeug.security import safe_join

YEAR, DAY = 365 * 24 * 3600, 24 * 3600
ASSET_PREFIXES = ("/static/", "/docs/assets/")
COMPRESSED_DOCUMENTS = ("/api/v1/openapi.json", "/internal/v1/openapi.json")
DOCS_ASSETS = swagger_ui_bundle.swagger_ui_path
# what /docs loads; the bundle's own index.html, oauth2-redirect.html and templates are
# surface nobody needs (a Petstore demo page among them), so they are not served
DOCS_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js",
                        "swagger-ui-standalone-preset.js"})

compress = Compress()


@lru_cache(maxsize=256)
def _digest(path, _mtime):  # the mtime in the key: a file edited under `make run` gets a new URL
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:12]


def fingerprint(folder, filename):
    """The asset's content fingerprint, or None when there is no such file."""
    path = safe_join(folder, filename)
    if path is None or not os.path.isfile(path):
        return None
    return _digest(path, os.stat(path).st_mtime_ns)


def init_app(app, static_folder):
    """Serves /docs/assets, fingerprints asset URLs, and sets their caching and compression."""
    folders = {"web.static": static_folder, "docs_assets": DOCS_ASSETS}
    app.add_url_rule("/docs/assets/<path:filename>", "docs_assets", _docs_asset)
    app.config.update(COMPRESS_REGISTER=False,  # only through compress_assets below
                      COMPRESS_STREAMING_ENDPOINT_CONDITIONAL=list(folders))
    compress.init_app(app)

    @app.url_defaults
    def add_fingerprint(endpoint, values):
        if endpoint in folders and "filename" in values and "v" not in values:
            version = fingerprint(folders[endpoint], values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_and_compress(response):
        if request.path.startswith(ASSET_PREFIXES):
            if response.status_code in (200, 304):
                response.headers["Cache-Control"] = _cache_control(folders)
            return compress.after_request(response)
        if request.path in COMPRESSED_DOCUMENTS:
            return compress.after_request(response)
        return response


def _docs_asset(filename):
    if filename not in DOCS_FILES:
        abort(404)
    return send_from_directory(DOCS_ASSETS, filename)


def _cache_control(folders):
    """A year, immutable, only for the URL naming this content's fingerprint."""
    version = request.args.get("v")
    if not version:
        return f"public, max-age={DAY}"
    filename = (request.view_args or {}).get("filename")
    if request.endpoint in folders and filename and \
            version == fingerprint(folders[request.endpoint], filename):
        return f"public, max-age={YEAR}, immutable"
    return "no-cache"
