"""The signed-in user's message centre and notification preferences (notifications)."""
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import notifications
from services.contracts import notifications as notices
from services.contracts import paging

# documented under the signed-in user's tag ("me"), where these operations always were
bp = ApiBlueprint("notifications", __name__, url_prefix="/api/v1", tag="me",
                  access=(access.SIGNED_IN, None), signed_out="Not signed in")


@bp.get("/me/notifications")
@bp.arguments(paging.ListQuery, location="query")
@bp.response(200, notices.NotificationPage)
@bp.alt_response(400, description="A bad limit or cursor")
@bp.doc(operationId="listNotifications")
def list_notifications(query):
    """Your message centre

    Your message centre: every notice you got, newest first, read or unread."""
    return notifications.list_notifications(access.current_user()["user_id"], query["limit"],
                                            query["cursor"])


@bp.post("/me/notifications/<notification_id>/read")
@bp.response(204)
@bp.alt_response(404, description="No such message of yours")
@bp.doc(operationId="markNotificationRead")
def read_notification(notification_id):
    """Mark a message read

    Mark one of your messages read."""
    notifications.mark_notification_read(access.current_user()["user_id"], notification_id)
    return ""


@bp.get("/me/notification-preferences")
@bp.response(200, notices.NotificationPreferences)
@bp.doc(operationId="getNotificationPreferences")
def get_notification_preferences():
    """Your notification preferences

    How you get bill-ready notices, payment notices and reminders (email, SMS).
    Security alerts are always emailed: not a preference."""
    return notifications.get_notification_preferences(access.current_user()["user_id"])


@bp.put("/me/notification-preferences")
@bp.arguments(notices.NotificationPreferences)
@bp.response(200, notices.NotificationPreferences)
@bp.alt_response(400, description="A category or channel missing, or not true/false")
@bp.doc(operationId="setNotificationPreferences")
def put_notification_preferences(data):
    """Choose your notification preferences

    Choose, per category, email and/or SMS (texts go to the account's phone)."""
    return notifications.set_notification_preferences(access.current_user()["user_id"], data)
