"""Where the portal may send a browser after signing in (``next``): a path on this site only.

A ``next`` that leaves the site turns our sign-in page into a phishing relay. Browsers are
generous readers of a Location: they drop tabs and newlines ("/\\t/evil" becomes "//evil"),
treat "\\" as "/", follow "//host" and "/\\host" to another host, and schemes such as
"javascript:" run code. So the rule is a whitelist, not a list of tricks: an absolute path of
plain ASCII URL characters, not starting with "//", with no percent-encoded slash, backslash,
control or space, and no "." or ".." segment. Anything else goes to the default page.
"""
import re
from urllib.parse import urlsplit

_LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/?%#]*", re.ASCII)
_ENCODED_DANGER = re.compile(r"%(?:2f|5c|[01][0-9a-f]|7f|20|25)", re.IGNORECASE)
MAX_LENGTH = 2048


def local_path(target, default):
    """``target`` when it is a path on this site by the rule above, else ``default``."""
    if not isinstance(target, str) or not 0 < len(target) <= MAX_LENGTH:
        return default
    if not _LOCAL_PATH.fullmatch(target) or _ENCODED_DANGER.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    if any(segment in (".", "..") for segment in parts.path.split("/")):
        return default
    return target
