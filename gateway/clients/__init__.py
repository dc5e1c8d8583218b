"""The gateway's clients of the services: one plain function per RPC the gateway uses.

Views call these, never ``gateway.rpc.call`` (the one transport; it passes the request id on).
A client function sends the RPC exactly as named in the service, owns its timeout when it is
not the default, and says what it returns; what needs two services (the accounts a user may
see with their company names, the summary with autopay) is in ``accounts``.
"""
