"""Each user's notification preferences: per category (bill ready, payments, reminders, usage
alerts) and channel (email, SMS). Security alerts are deliberately absent: they always go by
email."""
from services import contracts
from services.contracts.notifications import NotificationPreferences as PreferencesSchema
from services.notifications.models import Preferences
from services.runtime import clock

CATEGORIES = ("bill_ready", "payment", "reminders", "usage_alerts")
CHANNELS = ("email", "sms")
# email on, SMS off until the user asks for it: nobody is texted without opting in
DEFAULTS = {category: {"email": True, "sms": False} for category in CATEGORIES}


def load(payload):
    """Validates a full preferences document; raises InvalidInput with field errors."""
    return contracts.load(PreferencesSchema, payload)


def get(session, user_id):
    row = session.get(Preferences, user_id) if user_id else None
    if row is None:
        return {category: dict(channels) for category, channels in DEFAULTS.items()}
    return {category: {channel: getattr(row, f"{category}_{channel}") for channel in CHANNELS}
            for category in CATEGORIES}


def put(session, user_id, payload):
    """Replaces the user's preferences (``usage_alerts`` only when given); returns them.
    Raises InvalidInput (nothing changed)."""
    data = load(payload)
    data = dict(get(session, user_id), **data)  # a category left out (usage_alerts) stays
    row = session.get(Preferences, user_id)
    if row is None:
        row = Preferences(user_id=user_id)
        session.add(row)
    for category in CATEGORIES:
        for channel in CHANNELS:
            setattr(row, f"{category}_{channel}", data[category][channel])
    row.updated_at = clock.now()
    session.flush()
    return get(session, user_id)
