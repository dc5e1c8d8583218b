"""One list of dead letters over several services: ids, the cursor and the merge (no I/O).

Each service keeps its own parked events (dead_letters.py) and pages them newest first by
(parked_at, row id). Staff see one list: an id names its service (``billing.17``), the order is
(parked_at, service, row id) descending, and the opaque cursor is the last item's key. From
that key each service is asked only for what sorts after it, so a page merged from every
service's first ``limit`` rows is exact. Used by the gateway and the ops CLI alike.
"""
import base64
import json
import re

from services.contracts.names import SERVICES

ABOVE_ANY_ROW = 2 ** 62


def parse_id(dead_letter_id):
    """``"billing.17"`` -> ("billing", 17); None when it names no service or row."""
    service, _, row = str(dead_letter_id).partition(".")
    if service not in SERVICES or not re.fullmatch(r"[0-9]{1,18}", row):
        return None  # (a longer number would overflow the database's integer, not be unknown)
    return service, int(row)


def _key(item):
    return item["parked_at"], item["service"], int(item["id"].partition(".")[2])


def encode_cursor(item):
    return base64.urlsafe_b64encode(json.dumps(_key(item)).encode()).decode().rstrip("=")


def decode_cursor(cursor):
    """The key a cursor carries; ValueError when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parked_at, service, row = json.loads(base64.urlsafe_b64decode(padded))
        if service not in SERVICES or not isinstance(row, int) or not 0 <= row < ABOVE_ANY_ROW:
            raise ValueError(service)
        return str(parked_at), service, row
    except (TypeError, ValueError, UnicodeDecodeError) as exc:  # binascii.Error is a ValueError
        raise ValueError("not a dead-letter cursor") from exc


def before_for(service, key):
    """What ``service`` is asked for after ``key``: its rows older than the key's time, and at
    that very time those that sort below the key (services order by name, then row id)."""
    if key is None:
        return None
    parked_at, key_service, row = key
    if service == key_service:
        return [parked_at, row]
    return [parked_at, ABOVE_ANY_ROW if service < key_service else 0]


def merge(pages, limit):
    """``{items, next_cursor}`` from each service's ``{items, more}`` page (up to ``limit``)."""
    items = sorted((i for page in pages for i in page["items"]), key=_key, reverse=True)
    more = len(items) > limit or any(page["more"] for page in pages)
    items = items[:limit]
    return {"items": items, "next_cursor": encode_cursor(items[-1]) if more and items else None}
