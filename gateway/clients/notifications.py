"""Notifications' RPCs as the gateway uses them: the message centre, each user's
preferences and the staff's reminder runs."""
from gateway.rpc import call

REMINDER_RUN_TIMEOUT = 120  # every account's reminders due on the date, mailed one by one


def list_notifications(user_id, limit, cursor=None):
    """``{items, next_cursor}``, newest first."""
    return call("notifications", "list_notifications", user_id, limit, cursor)


def mark_notification_read(user_id, notification_id):
    return call("notifications", "mark_notification_read", user_id, notification_id)


def get_notification_preferences(user_id):
    return call("notifications", "get_notification_preferences", user_id)


def set_notification_preferences(user_id, wanted):
    return call("notifications", "set_notification_preferences", user_id, wanted)


def send_reminders(run_date):
    """``run_date`` an ISO date; the counts of reminders sent."""
    return call("notifications", "send_reminders", run_date, timeout=REMINDER_RUN_TIMEOUT)
