"""Single-use links mailed to confirm something (a new email address, a paperless address).

A link carries a token of 256 random bits, stored only as its SHA-256; it is valid for a
lifetime, works once (spent by a conditional update, so two concurrent confirmations cannot
both succeed), and a newer request for the same owner ends the older ones. What the link
confirms is the service's: its table (``token_hash``, the owner column, ``created_at``,
``expires_at``, ``used_at`` and columns of its own), its lifetime, its page and its refusal.
"""
from sqlalchemy import select, update

from services.contracts.errors import Refused
from services.runtime import clock
from services.runtime.secret_tokens import digest, new_secret


class MailedLinks:
    """The links of table ``model``, owned by the value of its column ``owner``; ``path`` is
    the page the link opens, ``refusal`` what a link not valid any more says."""

    def __init__(self, model, owner, lifetime, path, refusal):
        self.model, self.owner, self.lifetime = model, getattr(model, owner), lifetime
        self.owner_name, self.path, self.refusal = owner, path, refusal

    def end_pending(self, session, owner, at):
        session.execute(update(self.model).where(
            self.owner == owner, self.model.used_at.is_(None)).values(used_at=at))

    def start(self, session, owner, at, **columns):
        """Stores a new link for ``owner`` (ending its earlier ones); returns the token (to
        mail, never to log)."""
        self.end_pending(session, owner, at)
        token = new_secret()
        session.add(self.model(token_hash=digest(token), created_at=at,
                               expires_at=at + self.lifetime,
                               **{self.owner_name: owner}, **columns))
        return token

    def link(self, public_url, token):
        return f"{public_url.rstrip('/')}{self.path}?token={token}"

    @staticmethod
    def live(row, at):
        """Unused and unexpired."""
        return row is not None and row.used_at is None and clock.as_utc(row.expires_at) > at

    def latest(self, session, owner):
        """The owner's newest unused link, or None."""
        return session.execute(select(self.model).where(
            self.owner == owner, self.model.used_at.is_(None))
            .order_by(self.model.created_at.desc())).scalars().first()

    def take(self, session, token, at, valid=lambda row: True):
        """Spends ``token``; returns its row. Raises Refused when unknown, used, superseded,
        expired or not ``valid(row)``, or spent by a concurrent confirmation."""
        row = session.get(self.model, digest(token))
        if not self.live(row, at) or not valid(row):
            raise Refused(self.refusal)
        spent = session.execute(update(self.model).where(
            self.model.token_hash == row.token_hash, self.model.used_at.is_(None)
        ).values(used_at=at)).rowcount
        if spent != 1:
            raise Refused(self.refusal)
        return row
