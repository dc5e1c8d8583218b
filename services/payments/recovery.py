"""When a charge cut short by a crash is taken up again: the two timings, in one place.

A charge is written ``pending`` before the processor is asked and gets its processor reference
after; a process that dies in between leaves it pending with no reference. Two paths finish it,
both with the same processor idempotency key, so resuming a charge that is in fact still
running is harmless (the processor answers the same charge, ``record_charge`` records it once):

* the customer's retry of the same request (same Idempotency-Key) resumes it once it is older
  than INTERRUPTED_AFTER: three times the gateway's default RPC timeout (RPC_TIMEOUT, 5 s), so
  a request that is merely slow is not raced by its own retry;
* the payment run (``runs.recover_in_flight``, the daily timer and staff runs) charges it again
  once it is older than IN_FLIGHT_GRACE, twice INTERRUPTED_AFTER, so that a customer who retries
  gets the answer first and the run only sweeps up what nobody came back for.
"""
from datetime import timedelta

INTERRUPTED_AFTER = timedelta(seconds=15)
IN_FLIGHT_GRACE = 2 * INTERRUPTED_AFTER
