"""Call history as CSV, one page at a time (keyset on the call's identity: start time, from,
to; the unique index's order): constant memory.

The gateway asks for page after page and streams each to the client as it comes, so neither
billing nor the gateway ever holds the whole history. On PostgreSQL the server formats a
page into one CSV text (``string_agg``), which costs far less than shipping rows through a
pure-Python driver; elsewhere the rows are formatted here with the csv module.
"""
import csv
import io
from datetime import datetime, time, timezone

from sqlalchemy import DateTime, Integer, String, bindparam, text

from services.billing import queries
from services.contracts import money
from services.contracts import paging
from services.runtime import clock

HEADER = "date,time,from,to,type,duration_seconds,charge\r\n"
PAGE = 25_000  # ~1.7 MB of CSV per RPC reply: few round trips, flat memory

# a row-value comparison in the unique index's order, so the index seeks straight to the page
_WHERE = """account_id = :a AND started_at >= :ts AND started_at < :te
            AND (started_at, from_number, to_number) > (:ct, :cf, :cto)"""
_ORDER = "started_at, from_number, to_number"
_TYPES = (bindparam("a", type_=Integer), bindparam("ts", type_=DateTime(timezone=True)),
          bindparam("te", type_=DateTime(timezone=True)),
          bindparam("ct", type_=DateTime(timezone=True)), bindparam("cf", type_=String),
          bindparam("cto", type_=String))

_PG_SQL = text(f"""
    WITH page AS (
        SELECT started_at, from_number, to_number,
               to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD,HH24:MI:SS') || ',' ||
               from_number || ',' || to_number || ',' || call_type || ',' ||
               duration_seconds || ',' || {money.decimal_sql('charge_cents')} ||
               chr(13) || chr(10) AS line
        FROM calls WHERE {_WHERE}
        ORDER BY {_ORDER} LIMIT :n)
    SELECT (SELECT string_agg(line, '' ORDER BY {_ORDER}) FROM page) AS body,
           last.started_at AS last_at, last.from_number AS last_from,
           last.to_number AS last_to, (SELECT count(*) FROM page) AS n
    FROM (SELECT 1) AS one
    LEFT JOIN (SELECT started_at, from_number, to_number FROM page
               ORDER BY started_at DESC, from_number DESC, to_number DESC LIMIT 1)
         AS last ON true""").bindparams(*_TYPES)
_ROWS_SQL = text(f"""
    SELECT id, started_at, from_number, to_number, call_type, duration_seconds, charge_cents
    FROM calls WHERE {_WHERE} ORDER BY {_ORDER} LIMIT :n""").bindparams(*_TYPES)

_BEGINNING = datetime(1970, 1, 1, tzinfo=timezone.utc)


# the last call of a page: its start, from and to (the columns' lengths)
CURSOR = paging.Cursor("calls", paging.MOMENT, paging.text(16), paging.text(16))


def page(session, account_number, invoice_number, cursor=None, size=None):
    """``{csv, cursor}``: the next ``size`` calls of the statement's period as CSV text (with
    the header on the first page) and the cursor of the page after, or None at the end.
    Raises NotFound, InvalidInput (a cursor this export did not give out)."""
    size = size or PAGE
    found, statement = queries.statement_row(session, account_number, invoice_number)
    after_at, after_from, after_to = CURSOR.decode(cursor) if cursor else (_BEGINNING, "", "")
    params = {"a": found.id, "n": int(size), "ct": after_at, "cf": after_from, "cto": after_to,
              "ts": datetime.combine(statement.period_start, time(), timezone.utc),
              "te": datetime.combine(statement.period_end, time(), timezone.utc)}
    head = "" if cursor else HEADER
    if session.bind.dialect.name == "postgresql":
        row = session.execute(_PG_SQL, params).one()
        if not row.n:
            return {"csv": head, "cursor": None}
        last, body, count = (row.last_at, row.last_from, row.last_to), row.body, row.n
    else:
        rows = session.execute(_ROWS_SQL, params).all()
        if not rows:
            return {"csv": head, "cursor": None}
        out = io.StringIO()
        writer = csv.writer(out)
        for r in rows:
            at = clock.as_utc(r.started_at)
            writer.writerow((at.strftime("%Y-%m-%d"), at.strftime("%H:%M:%S"), r.from_number,
                             r.to_number, r.call_type, r.duration_seconds, money.decimal(r.charge_cents)))
        body, count = out.getvalue(), len(rows)
        last = (rows[-1].started_at, rows[-1].from_number, rows[-1].to_number)
    more = count == size
    return {"csv": head + body,
            "cursor": CURSOR.encode(*last) if more else None}


def recent(session, account_id, statement, limit=200):
    """The first ``limit`` calls of a statement's period, as dicts, for the fee-detail page."""
    params = {"a": account_id, "n": limit, "ct": _BEGINNING, "cf": "", "cto": "",
              "ts": datetime.combine(statement.period_start, time(), timezone.utc),
              "te": datetime.combine(statement.period_end, time(), timezone.utc)}
    rows = session.execute(_ROWS_SQL, params).all()
    return [{"started_at": clock.as_utc(r.started_at).isoformat(), "from_number": r.from_number,
             "to_number": r.to_number, "call_type": r.call_type,
             "duration_seconds": r.duration_seconds, "charge_cents": r.charge_cents}
            for r in rows]
