"""The sessions this gateway worker has already confirmed with identity.

An access token names a session, and its signature proves only that someone holding
SECRET_KEY made it. So the first time a worker sees a session it asks identity (get_session)
whether that session really opened, is still open and belongs to the token's user, and
remembers a yes here. Later requests with that session cost no RPC. An entry lives at most
an access token's lifetime (by then the token it was checked for has expired), the oldest
are dropped beyond ``max_entries``, and an ending still wins: the revocation set
(gateway/revocations.py) is consulted before this cache on every request. A no is not
remembered (a caller could otherwise fill the memory with made-up ids).
"""
import threading
import time
from collections import OrderedDict


class SessionCache:
    def __init__(self, ttl_seconds=600, max_entries=10_000, clock=time.monotonic):
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries = OrderedDict()  # session_id -> (user_id, expires at)
        self._lock = threading.Lock()

    def user_of(self, session_id):
        """The user of a session confirmed within the lifetime, else None."""
        with self._lock:
            found = self._entries.get(session_id)
            if found is None:
                return None
            if found[1] <= self._clock():
                del self._entries[session_id]
                return None
            self._entries.move_to_end(session_id)
            return found[0]

    def remember(self, session_id, user_id):
        with self._lock:
            self._entries[session_id] = (user_id, self._clock() + self.ttl)
            self._entries.move_to_end(session_id)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, session_id):
        with self._lock:
            self._entries.pop(session_id, None)

    def __len__(self):
        return len(self._entries)
