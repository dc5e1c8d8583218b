"""Who is calling, and what they may do: the gateway's one place for authentication and roles.

* ``tokens``: the API's signed access tokens (``Authorization: Bearer``).
* ``sessions``: whether identity still holds a session open (revocation feed, confirmed cache).
* ``portal_session``: the portal's signed session cookie (sign in, sign out).
* ``access``: the caller, the view decorators and every role check.
"""
