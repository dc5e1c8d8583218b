"""Staff: every account's toll-fraud cases (billing/fraud_cases.py)."""
from gateway.clients import billing
from gateway.staff import bp
from services.contracts.fraud import FraudCasePage, StaffFraudCaseQuery


@bp.get("/fraud-cases")
@bp.arguments(StaffFraudCaseQuery, location="query")
@bp.response(200, FraudCasePage)
@bp.alt_response(400, description="An unknown status, a bad limit or cursor")
@bp.doc(operationId="listFraudCases")
def list_fraud_cases(query):
    """Toll-fraud cases over every account

    Every suspicious usage load the guard raised, newest first, of one ``status``
    (``open``, ``expected``: an account admin said the calls were theirs) or all
    (``limit`` 1-100, ``cursor``). The same case went out at once as
    ``billing.fraud_suspected``."""
    return billing.list_fraud_cases(query["status"], query["limit"], query["cursor"])
