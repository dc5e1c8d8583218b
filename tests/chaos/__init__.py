"""Fault injection under load: the whole system on a private RabbitMQ node and a private
PostgreSQL cluster (tests/chaos/infra.py), driven over HTTP (load.py) while faults.py kills
and restarts its parts; invariants.py then checks nothing was lost or done twice.
`python -m tests.chaos` is the long run (make chaos); test_chaos.py the short one (make test)."""
