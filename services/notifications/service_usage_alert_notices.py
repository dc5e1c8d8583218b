"""Usage-alert notices: when billing raises a usage alert (billing.usage_threshold_crossed: a
threshold the account set, or bill shock), the account's admins and billing users (who may
set them) are told as their ``usage_alerts`` preferences ask: email and/or a text, and the
message centre either way. A mixin of NotificationsService (its ``_notify_once`` and
PaymentNotices' ``_payment_recipients``).

Billing raises each alert once a cycle; here each recipient is a separate ``apply_once``
consumer, so a redelivered event tells nobody twice."""
from services.contracts.money import long_date, usd
from services.runtime.handlers import reliable_handler


class UsageAlertNotices:

    @reliable_handler("billing", "usage_threshold_crossed")
    def on_usage_threshold_crossed(self, event):
        """Tells the account's admins and billing users that this cycle's usage charges
        reached a threshold or run far above usual, once per recipient. Emits
        ``notifications.notification_sent``."""
        data = event["data"]
        context = dict(data, usage=usd(data["usage_cents"]),
                       threshold=usd(data["threshold_cents"])
                       if data.get("threshold_cents") is not None else None,
                       baseline=usd(data["baseline_cents"])
                       if data.get("baseline_cents") is not None else None,
                       cycle_end_text=long_date(data["cycle_end"]))
        for user in self._payment_recipients(dict(data, user_id=None)):
            self._notify_once(event, f"on_usage_threshold_crossed:{user['user_id']}",
                              user=user, preference="usage_alerts", template="usage_alert",
                              context=context, account_number=data["account_number"])
