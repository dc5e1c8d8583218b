"""Lists a page at a time (API.md: ``?limit=`` and ``?cursor=``, ``{items, next_cursor}``):
one cursor codec, one ``limit`` rule, one error text each, for every list.

A cursor is opaque to callers: urlsafe base64, unpadded, of compact JSON ``[kind, *key]``,
the list that gave it out and the last item's sort key. The kind makes a cursor of one list
refused by every other; each part of the key is checked as its list wrote it (a time that is
one in UTC too, text no longer than its column and without control characters, a row number
an INTEGER column holds), so whatever a caller made up or changed is InvalidInput with one
text, never an error of the service or the database (year 1 moved to UTC, a number
PostgreSQL's integer cannot hold, a NUL byte). Cursors are not signed: a well-formed one only says where
to start reading a list the caller may read anyway.

A bad ``limit`` is refused, not clamped: whoever asks for 500 learns that 100 is the most.
"""
import base64
import binascii
import json
import unicodedata
from datetime import date, datetime, timezone

from marshmallow import Schema, fields, validate

from services.contracts.errors import InvalidInput
from services.runtime import clock

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
CURSOR_CHARS = 200  # every customer list's cursor fits (API documents: maxLength)
BAD_CURSOR = "Not a cursor this list gave out."
# any time a row may hold (calls and statements carry the dates staff load), a day inside
# what Python's datetime holds so that no zone moves it out
EARLIEST = datetime(1, 1, 2, tzinfo=timezone.utc)
LATEST = datetime(9999, 12, 31, tzinfo=timezone.utc)
ROW_IDS = 2 ** 31 - 1  # row ids are INTEGER columns: below this, with room for "above any"


def limit_text(maximum=MAX_LIMIT):
    return f"A number from 1 to {maximum}."


def checked_limit(limit, default=DEFAULT_LIMIT, maximum=MAX_LIMIT):
    """``limit`` (None: ``default``) when it is a whole number from 1 to ``maximum``.
    Raises InvalidInput naming ``limit`` otherwise (a bool or text is not a number)."""
    if limit is None:
        return default
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= maximum:
        raise InvalidInput({"limit": [limit_text(maximum)]})
    return limit


def bad_cursor():
    return InvalidInput({"cursor": [BAD_CURSOR]})


def limit_field():
    """``?limit=`` as the gateway takes it (the service checks again: checked_limit)."""
    return fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(
        1, MAX_LIMIT, error=limit_text()))


def cursor_field(chars=CURSOR_CHARS, **metadata):
    """``?cursor=`` as the gateway takes it: the length its list's cursors have (the
    service reads the rest: Cursor.decode)."""
    return fields.String(load_default=None, metadata=metadata, validate=validate.Length(
        1, chars, error=BAD_CURSOR))


class ListQuery(Schema):
    """The query of a customer list: ``?limit=&cursor=``."""
    limit = limit_field()
    cursor = cursor_field()


# -- the parts of a key: how each is written into a cursor and read back (or refused) ---------

class Part:
    def __init__(self, write, read):
        self.write, self.read = write, read


def _moment(value):
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(value)
    moment = clock.as_utc(datetime.fromisoformat(value))  # OverflowError near years 1, 9999
    if not EARLIEST <= moment < LATEST:
        raise ValueError(value)
    return moment


def _day(value):
    if not isinstance(value, str) or len(value) > 10:
        raise ValueError(value)
    day = date.fromisoformat(value)
    if not EARLIEST.date() <= day <= LATEST.date():
        raise ValueError(value)
    return day


def _row(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < ROW_IDS:
        raise ValueError(value)
    return value


MOMENT = Part(clock.iso, _moment)  # an aware UTC datetime (naive: UTC); read back aware
DAY = Part(date.isoformat, _day)
ROW = Part(int, _row)


def text(chars):
    """A string part of at most ``chars`` characters with no control character, lone
    surrogate or NUL (nothing a database column could refuse)."""
    def read(value):
        if not isinstance(value, str) or len(value) > chars or any(
                unicodedata.category(c) in ("Cc", "Cs") for c in value):
            raise ValueError("not text")
        return value
    return Part(str, read)


def one_of(values):
    """A string part that is one of ``values``."""
    def read(value):
        if value not in values:
            raise ValueError(value)
        return value
    return Part(str, read)


class Cursor:
    """The cursor of one list: ``Cursor("sessions", MOMENT, text(36))`` writes the key
    ``(created_at, id)`` of a page's last session and reads it back."""

    def __init__(self, kind, *parts, chars=CURSOR_CHARS):
        self.kind, self.parts, self.chars = kind, parts, chars

    def encode(self, *key):
        if len(key) != len(self.parts):
            raise TypeError(f"a {self.kind} cursor holds {len(self.parts)} values")
        values = [self.kind] + [part.write(value) for part, value in zip(self.parts, key)]
        raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor):
        """The key ``cursor`` holds, as a tuple. Raises InvalidInput (BAD_CURSOR) for
        anything ``encode`` of this list did not give out."""
        try:
            if not isinstance(cursor, str) or not 0 < len(cursor) <= self.chars:
                raise ValueError("length")
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            values = json.loads(raw.decode("utf-8"))
            if not isinstance(values, list) or len(values) != len(self.parts) + 1 \
                    or values[0] != self.kind:
                raise ValueError("another list's")
            return tuple(part.read(value) for part, value in zip(self.parts, values[1:]))
        except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error):
            # (UnicodeDecodeError and json's errors are ValueErrors)
            raise bad_cursor() from None
