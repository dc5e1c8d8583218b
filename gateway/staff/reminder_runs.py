"""Staff: reminder runs (what the notifications service's timer does, for a chosen date)."""
from gateway.clients import notifications
from gateway.staff import bp
from services.contracts.notifications import ReminderRunRequest, ReminderRunResult


@bp.post("/reminder-runs")
@bp.arguments(ReminderRunRequest)
@bp.response(200, ReminderRunResult)
@bp.alt_response(400, description="Invalid fields")
@bp.doc(operationId="createReminderRun")
def run_reminders(args):
    """Send the reminders due

    Send the reminders due on ``run_date``: bills due within five days on accounts without
    autopay, autopay cards that lapse before the next payment. Each reminder goes out once
    however often this runs."""
    return notifications.send_reminders(args["run_date"].isoformat())
