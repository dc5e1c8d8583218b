"""Throttling: counters of attempts per key in a fixed window, and the wait a refusal tells.

A service keeps its counters in a table of its own (one row per key: ``key``, ``count``,
``window_started_at`` and a column saying when the key last counted) and states its policy
(which keys, what limits, what a refusal says) where it keeps its rules; the mechanics are
here, once.

Every attempt is reserved before the work it guards, in a transaction that holds the key's
row locked (``Counters.lock``): an UPDATE that changes nothing takes the row lock on
PostgreSQL and the write lock on SQLite, and a missing row is created first. Concurrent
attempts on one key queue up on that row and each sees the count the one before it left, so
no burst slips past a limit, on PostgreSQL and SQLite alike.

Keys are digests of what was typed (``digest_key``): bounded in length, with no email address
in the table, and never of the user or account it resolves to, so a refusal says nothing about
whether one exists.
"""
import hashlib
import math
from datetime import timezone

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.contracts.errors import Throttled


def _aware(moment):
    # SQLite hands back naive datetimes; everything here is UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def seconds_until(moment, at):
    """Whole seconds from ``at`` until ``moment``, at least 1: a Retry-After for a refusal."""
    return max(1, math.ceil((_aware(moment) - at).total_seconds()))


def digest_key(kind, value):
    """``kind:`` and the SHA-256 of ``value`` as typed, case-insensitive (40 hex digits)."""
    return f"{kind}:" + hashlib.sha256(str(value or "").lower().encode()).hexdigest()[:40]


class Counters:
    """The counters of one table ``model``, each counting in windows of ``window`` (a
    timedelta): ``last`` names its column set on each count, and ``fresh`` the other columns
    (with their start values) that a new window sets back."""

    def __init__(self, model, window, last, fresh=None):
        self.model, self.last, self.fresh, self.window = model, last, dict(fresh or {}), window

    def window_over(self, row, at):
        return at - _aware(row.window_started_at) >= self.window

    def wait(self, row, limit, at):
        """Seconds until ``row`` (None: no attempt yet) has room under ``limit`` (0: now)."""
        if row is None or self.window_over(row, at) or row.count < limit:
            return 0
        return seconds_until(_aware(row.window_started_at) + self.window, at)

    def _hold(self, session, key):
        model = self.model
        return session.execute(update(model).where(model.key == key)
                               .values(count=model.count)).rowcount

    def _locked(self, session, key, at):
        if not self._hold(session, key):
            try:
                with session.begin_nested():
                    session.add(self.model(key=key, count=0, window_started_at=at,
                                           **{self.last: at}, **self.fresh))
            except IntegrityError:  # a concurrent attempt made it first: wait for its lock
                self._hold(session, key)
        row = session.execute(select(self.model).where(self.model.key == key)
                              .execution_options(populate_existing=True)).scalar_one()
        if self.window_over(row, at):
            row.count, row.window_started_at = 0, at
            for column, value in self.fresh.items():
                setattr(row, column, value)
        return row

    def lock(self, session, keys, at):
        """``{key: row}`` for ``keys``, each row created if missing and locked until the
        transaction ends; always in the same order, so two attempts cannot deadlock. Call it
        first in its transaction (SQLite takes its write lock there)."""
        return {key: self._locked(session, key, at) for key in sorted(set(keys))}

    def count(self, row, at):
        """Counts one attempt (or failure) on a locked row."""
        row.count += 1
        setattr(row, self.last, at)

    def take(self, session, limits, at):
        """Reserves one attempt on every key of ``limits`` (``{key: limit}``), or on none:
        returns 0 when reserved, else the seconds to wait (nothing is counted)."""
        rows = self.lock(session, limits, at)
        wait = max(self.wait(rows[key], limit, at) for key, limit in limits.items())
        if not wait:
            for row in rows.values():
                self.count(row, at)
        return wait

    def reserve(self, session, limits, at, refusal):
        """``take``, raising Throttled(``refusal``, ``retry_after``) when there is no room."""
        wait = self.take(session, limits, at)
        if wait:
            raise Throttled(refusal, retry_after=wait)
