"""The browser-facing security headers, on every response of the portal and the API alike.

* Content-Security-Policy: scripts, styles, frames and forms from this origin only, with no
  inline script or style anywhere (templates and /docs load theirs from static files); images
  may also be ``data:`` URIs (the 2-step QR code; Swagger UI's icons).
* Referrer-Policy no-referrer: a page reached from a reset or invitation link (its token in the
  URL) must not hand that URL to anything it links to or loads.
* Frames denied twice (frame-ancestors, X-Frame-Options for older browsers), MIME sniffing off.
* Strict-Transport-Security only when the request came over HTTPS (``request.is_secure``:
  behind a proxy that terminates TLS, gunicorn trusts X-Forwarded-Proto only from the
  addresses in its ``forwarded_allow_ips``, loopback by default) or PUBLIC_URL is https.
* Cache-Control no-store on everything but static assets: pages and replies carry account
  data, and a shared or back-button cache must not keep them.
"""
from flask import request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])
HSTS = "max-age=31536000; includeSubDomains"
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
STATIC_PREFIXES = ("/static/", "/docs/assets/")


def init_app(app):
    https_only = app.config.get("PUBLIC_URL", "").startswith("https://")

    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if https_only or request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if not request.path.startswith(STATIC_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response
