"""The WebAuthn relying party of a request: its id (the host name) and the origin the
browser signs, both from the host the browser used, never a hard-coded address.

A passkey is bound to the host name it was made on, so the portal must be reached by a
name: ``localhost`` in development (Chromium refuses WebAuthn on an IP-address origin) and
the public host behind the Ingress, which passes the browser's Host header on. The Host
header is the client's to write, though, so only host names on the allow-list are taken:
PUBLIC_URL's and localhost. Any other is a 400 problem and nothing is asked of identity.
The scheme is the request's (X-Forwarded-Proto counts only from a trusted proxy:
gateway/proxies.py)."""
import re
from urllib.parse import urlsplit

from flask import current_app, request

from services.contracts.errors import InvalidInput

NAME = "BizPortal"
LOCAL = "localhost"
HOST = re.compile(r"([a-z0-9.-]+)(:[0-9]{1,5})?")  # a name and a port: nothing else


def allowed_hosts(public_url):
    """The host names passkeys may be used on for a gateway serving ``public_url``."""
    return {name for name in (urlsplit(public_url).hostname, LOCAL) if name}


def of_request():
    """``{id, origin, name}`` for this request's host; InvalidInput (400) off the list."""
    host = request.host.lower()
    found = HOST.fullmatch(host)
    name = found.group(1) if found else ""
    public_url = current_app.config["PUBLIC_URL"]
    if name not in allowed_hosts(public_url):
        raise InvalidInput({"host": [f"Passkeys work only at {public_url} (or localhost)."]},
                           detail="Passkeys cannot be used at this address.")
    return {"id": name, "origin": f"{request.scheme}://{host}", "name": NAME}
