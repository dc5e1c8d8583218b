"""The usage contract (services/contracts/billing.py: Call, UsageRequest) states what
services/billing/usage.py enforces by hand: on generated calls and batches, the schema
accepts exactly what usage.validate accepts."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from services.billing import usage
from services.contracts.billing import UsageRequest
from services.contracts.errors import InvalidInput

TIMES = ["2026-11-01T14:05:00Z", "2026-11-01T14:05:00+00:00", "2026-11-01T09:05:00-05:00",
         "2026-11-01T14:05:00.250Z", "2026-11-01T14:05:00", "2026-11-01", "yesterday", "",
         None, 1762005900, "2026-13-01T14:05:00Z"]
NUMBERS = ["+14155550142", "+442071234567", "+1234567", "+123456", "+1234567890123456",
           "+0415555014", "14155550142", "+1415555014\n", "+1415 555 0142", "", None, 14155550142]
DURATIONS = [0, 1, 59, 604800, 604801, -1, 1.0, 1.5, "60", True, None]
TYPES = ["local", "long_distance", "international", "LOCAL", "mobile", "", None]

call = st.fixed_dictionaries(
    {"started_at": st.sampled_from(TIMES), "from_number": st.sampled_from(NUMBERS),
     "to_number": st.sampled_from(NUMBERS), "duration_seconds": st.sampled_from(DURATIONS),
     "call_type": st.sampled_from(TYPES)},
    optional={"colour": st.just("red")})
# mostly one field off at most, so that each field's rule decides some cases alone
valid = st.fixed_dictionaries(
    {"started_at": st.sampled_from(TIMES[:4]), "from_number": st.sampled_from(NUMBERS[:3]),
     "to_number": st.sampled_from(NUMBERS[:3]), "duration_seconds": st.sampled_from(DURATIONS[:4]),
     "call_type": st.sampled_from(TYPES[:3])})


def _field_off(draw_valid, field, values):
    return st.tuples(draw_valid, st.sampled_from(values)).map(
        lambda pair: {**pair[0], field: pair[1]})


one_off = st.one_of(_field_off(valid, "started_at", TIMES), _field_off(valid, "from_number", NUMBERS),
                    _field_off(valid, "duration_seconds", DURATIONS),
                    _field_off(valid, "call_type", TYPES),
                    valid.map(lambda c: {k: v for k, v in c.items() if k != "to_number"}))


def schema_accepts(payload):
    try:
        UsageRequest().load(payload)
        return True
    except ValidationError:
        return False


def usage_accepts(payload):
    try:
        usage.validate(payload)
        return True
    except InvalidInput:
        return False


@settings(max_examples=400, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(call, one_off, valid), min_size=0, max_size=3))
def test_the_schema_accepts_exactly_the_calls_usage_accepts(calls):
    payload = {"calls": calls}
    assert schema_accepts(payload) == usage_accepts(payload), payload


def test_the_batch_limits_agree():
    row = {"started_at": TIMES[0], "from_number": NUMBERS[0], "to_number": NUMBERS[1],
           "duration_seconds": 60, "call_type": "local"}
    for calls in ([], [row] * usage.MAX_CALLS, [row] * (usage.MAX_CALLS + 1), "calls", None):
        assert schema_accepts({"calls": calls}) == usage_accepts({"calls": calls}), len(calls or "")
