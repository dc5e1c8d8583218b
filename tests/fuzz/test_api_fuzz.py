"""Generated requests for every operation in the served OpenAPI documents (schemathesis; see
conftest.py for what is real and how cases reach the handlers): no answer is a 5xx, and every
answer's status, content type, headers and body are the ones the document gives for it;
invalid requests are refused with a 4xx.

The operations share FUZZ_CASES evenly (see fuzz_all), valid and invalid requests mixed, driven
by Hypothesis here (schemathesis 4.32.5's lazy pytest wrapper fails on the pinned pytest 9.2:
"'Function' object has no attribute '_nodeid'").
Every failure of every operation is collected before the test fails, each with a curl line
to repeat it."""
import os

from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, ignored_auth,
                                               negative_data_rejection,
                                               response_headers_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance, negative_data_rejection,
          ignored_auth]
TIMEOUT = 60  # a bill run or a usage load is slow on a busy 2-core machine; never a hang
FAILURES_SHOWN_PER_OPERATION = 3


def randomised():
    """FUZZ_RANDOM=1 (make chaos): new cases each run; else a fixed seed (make test)."""
    return os.environ.get("FUZZ_RANDOM") == "1"


def credentials(case, world):
    """Staff paths get the ADMIN_TOKEN; sign-out a spare session (never the one the other
    cases use); /me/sessions another ID's token (ending "every other session" would end the
    spares; tests/fuzz/world.py); everything else the fuzzer's admin token (public
    operations ignore it)."""
    path = case.operation.path
    if path.startswith("/internal/"):
        return world.staff_headers()
    if path == "/api/v1/auth/logout":
        return world.spare_headers()
    if path.startswith("/api/v1/me/sessions"):
        return world.sessions_headers(everywhere=path == "/api/v1/me/sessions"
                                      and case.method.upper() == "DELETE")
    return world.headers()


def strategy(operation):
    """Valid and invalid requests alike (an operation with nothing to break: valid only)."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    try:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    except Exception:  # noqa: BLE001 - schemathesis refuses to negate some operations
        pass
    return st.one_of(strategies)


def send(case, world, tally):
    """One case: call, count, validate; returns the check failures (never raises them)."""
    headers = credentials(case, world)
    # on the case, so the checks know it was sent; it replaces any token schemathesis made
    # up (ignored_auth below probes missing and made-up tokens once per operation)
    case.headers = {**(case.headers or {}), **headers}
    response = case.call(timeout=TIMEOUT)
    tally.record(case.operation.label, response.status_code)
    if (case.operation.path.endswith("/payment-methods/{method_id}")
            and case.method.upper() == "DELETE" and response.status_code == 204):
        world.forget_method(case.path_parameters["method_id"])
    try:
        # headers= marks the token as ours (explicit): ignored_auth then probes once per
        # operation without it and with a made-up one, expecting 401/403
        case.validate_response(response, checks=CHECKS, headers=headers,
                               transport_kwargs={"timeout": TIMEOUT})
    except FailureGroup as group:
        return [(failure, case) for failure in group.exceptions]
    except Failure as failure:
        return [(failure, case)]
    return []


def fuzz(operation, examples, world, tally):
    """Up to ``examples`` cases for ``operation``; returns (failures, cases sent)."""
    found, sent = [], []

    @settings(max_examples=examples, deadline=None, database=None,
              derandomize=not randomised(), suppress_health_check=list(HealthCheck),
              phases=[Phase.generate])
    @given(case=strategy(operation))
    def run(case):
        sent.append(1)
        found.extend(send(case, world, tally))

    run()
    return found, len(sent)


def fuzz_all(operations, budget, world, tally):
    """Spends ``budget`` cases over ``operations``: each gets an even share of what is left;
    one with fewer distinct requests than its share (nothing to vary) stops early, and the
    rest goes to the others, in further rounds if needed. Returns every failure."""
    failures, pending, left = [], list(operations), budget
    while left > 0 and pending:
        unfinished = []
        for index, operation in enumerate(pending):
            share = -(-left // (len(pending) - index))
            found, sent = fuzz(operation, share, world, tally)
            failures.extend(found)
            left -= sent
            if sent >= share:
                unfinished.append(operation)
            if left <= 0:
                break
        pending = unfinished
    return failures


def describe(failures):
    lines, shown = [], {}
    for failure, case in failures:
        key = (case.operation.label, failure.title)
        shown[key] = shown.get(key, 0) + 1
        if shown[key] <= FAILURES_SHOWN_PER_OPERATION:
            lines.append(f"{case.operation.label}: {failure.title}\n  {failure.message}\n"
                         f"  {case.as_curl_command()}")
    return "\n".join(lines)


def all_operations(schemas):
    return [result.ok() for schema in schemas for result in schema.get_all_operations()]


def test_every_operation_answers_as_documented_and_never_with_a_5xx(fuzz_schemas, fuzz_world,
                                                                    fuzz_tally, fuzz_budget):
    operations = all_operations(fuzz_schemas)
    assert any(o.path.startswith("/internal/") for o in operations)  # staff's too
    failures = fuzz_all(operations, fuzz_budget, fuzz_world, fuzz_tally)
    assert not failures, f"{len(failures)} failed checks:\n{describe(failures)}"


def required_headers(operation):
    raw = operation.schema.raw_schema["paths"][operation.path][operation.method.lower()]
    return [p["name"] for p in raw.get("parameters", [])
            if p.get("in") == "header" and p.get("required")]


def test_a_request_without_a_required_header_is_refused(fuzz_schemas, fuzz_world):
    """Idempotency-Key on a payment: valid requests on the fuzzer's own account, the same the
    fuzzer sends with the key, are a 400 problem without it (so nothing is charged)."""
    guarded = [(operation, names) for operation in all_operations(fuzz_schemas)
               if (names := required_headers(operation))]
    assert guarded, "no operation requires a header (the Idempotency-Key is gone?)"
    answers = []
    for operation, names in guarded:
        ids = {p.name: fuzz_world.path_values()[p.name][0] for p in operation.path_parameters}

        @settings(max_examples=10, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        @given(case=operation.as_strategy(GenerationMode.POSITIVE))
        def run(case):
            case.path_parameters = ids
            case.headers = {k: v for k, v in (case.headers or {}).items() if k not in names}
            case.headers.update(credentials(case, fuzz_world))
            response = case.call(timeout=TIMEOUT)
            answers.append((operation.label, response.status_code, response.json()))

        run()
    refused = [status == 400 and body["status"] == 400 for _, status, body in answers]
    assert answers and all(refused), answers
