"""One list of dead letters over several services: ids, the cursor and the merge (no I/O).

Each service keeps its own parked events (dead_letters.py) and pages them newest first by
(parked_at, row id). Staff see one list: an id names its service (``billing.17``), the order is
(parked_at, service, row id) descending, and the opaque cursor is the last item's key. From
that key each service is asked only for what sorts after it, so a page merged from every
service's first ``limit`` rows is exact. Used by the gateway and the ops CLI alike.
"""
import re

from services.contracts import paging
from services.contracts.names import SERVICES
from services.runtime import clock

ABOVE_ANY_ROW = paging.ROW_IDS  # the most an INTEGER holds: a larger number is a 500 there
# the last item's (parked_at, service, row id)
CURSOR = paging.Cursor("dead_letters", paging.MOMENT, paging.one_of(SERVICES), paging.ROW)


def parse_id(dead_letter_id):
    """``"billing.17"`` -> ("billing", 17); None when it names no service or row."""
    service, _, row = str(dead_letter_id).partition(".")
    if service not in SERVICES or not re.fullmatch(r"[0-9]{1,10}", row) \
            or int(row) >= ABOVE_ANY_ROW:
        return None  # (a larger number would overflow the database's integer, not be unknown)
    return service, int(row)


def _key(item):
    return item["parked_at"], item["service"], int(item["id"].partition(".")[2])


def encode_cursor(item):
    return CURSOR.encode(*_key(item))


def decode_cursor(cursor):
    """The key a cursor carries, its time as the services write it. Raises InvalidInput
    (contracts.paging's one text) when it is not one of ours."""
    parked_at, service, row = CURSOR.decode(cursor)
    return clock.iso(parked_at, timespec="microseconds"), service, row


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
