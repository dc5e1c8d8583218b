"""Portal pages /messages (the message centre and notification preferences) and /help
(24/7 business technical support and the help topics). The same notifications RPCs and help
content as the API."""
from flask import flash, redirect, render_template, request, url_for

from gateway.auth import access
from gateway.clients import notifications
from gateway.help_topics import TOPICS
from gateway.web import bp
from services.contracts.errors import DomainError, InvalidInput

CATEGORY_NAMES = {"bill_ready": "Bill ready", "payment": "Payments", "reminders": "Reminders",
                  "usage_alerts": "Usage alerts", "security": "Security", "welcome": "Welcome"}
PREFERENCE_NAMES = {"bill_ready": "Bill ready", "payment": "Payments", "reminders": "Reminders",
                    "usage_alerts": "Usage alerts"}


def _user_id():
    return access.current_user()["user_id"]


@bp.get("/messages")
@access.signed_in
def messages():
    cursor = request.args.get("cursor") or None
    try:
        page = notifications.list_notifications(_user_id(), 20, cursor)
    except InvalidInput:
        return redirect(url_for("web.messages"))
    return render_template(
        "messages.html", page=page, category_names=CATEGORY_NAMES,
        preference_names=PREFERENCE_NAMES,
        preferences=notifications.get_notification_preferences(_user_id()))


@bp.post("/messages/<notification_id>/read")
@access.signed_in
def messages_read(notification_id):
    try:
        notifications.mark_notification_read(_user_id(), notification_id)
    except DomainError as exc:
        flash(exc.detail, "error")
    return redirect(url_for("web.messages"))


@bp.post("/messages/preferences")
@access.signed_in
def messages_preferences():
    wanted = {category: {channel: request.form.get(f"{category}_{channel}") == "on"
                         for channel in ("email", "sms")} for category in PREFERENCE_NAMES}
    try:
        notifications.set_notification_preferences(_user_id(), wanted)
    except DomainError as exc:
        flash(exc.detail, "error")
    else:
        flash("Your notification preferences are saved.", "success")
    return redirect(url_for("web.messages") + "#preferences")


@bp.get("/help")
def help_page():
    return render_template("help.html", topics=TOPICS)
