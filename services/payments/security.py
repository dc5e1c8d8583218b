"""The one place a payment's 4-digit security code is checked (the user's preference and the
code live in identity). The code itself is passed to identity and dropped: never stored,
logged or fingerprinted."""
from services.contracts.errors import InvalidInput, Refused, Unavailable

# identity's domain errors (Throttled after repeated wrong codes) come back as themselves:
# services.runtime.rpc registers them for every service-to-service call.

UNREACHABLE = ("We could not check your security settings just now; nothing was charged. "
               "Please try again in a moment.")


def check(identity_rpc, user_id, code):
    """Raises InvalidInput when the user's preference requires a code and none was given,
    Refused when it is wrong or identity does not answer in time. Throttled from identity
    passes through. One identity call: its preference and the code's check together."""
    if user_id is None:
        return
    try:  # identity_rpc is a TimedRpcProxy: it gives up after RPC_TIMEOUT
        answer = identity_rpc.check_payment_security(user_id, code or None)
    except Unavailable:
        raise Refused(UNREACHABLE, {"code": "identity_unavailable"}) from None
    if not answer["code_required"]:
        return
    if not code:
        raise InvalidInput({"security_code": [
            "Your security settings require your 4-digit security code for payments."]})
    if not answer["code_valid"]:
        raise Refused("The security code is not correct.", {"field": "security_code"})
