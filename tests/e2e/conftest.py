"""End-to-end tests: the real services and the gunicorn gateway as separate processes (the
session's ``system`` fixture, tests/conftest.py), on a real broker vhost and real PostgreSQL,
driven over HTTP as a client would. Nothing is faked; tests use unique data instead of
clean-up and poll for asynchronous effects (``tests.support.system.eventually``)."""
