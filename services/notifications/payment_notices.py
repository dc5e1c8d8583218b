"""Payment notices: a receipt for each successful payment, a notice for each failure, return,
scheduled payment and autopay change. A mixin of NotificationsService (it uses its ``db``,
``config``, ``identity_rpc`` and ``_notify_once``, which honours the payment preferences).

Who is told: the user who paid (``user_id`` in the event); for autopay (no user) and autopay
changes, every admin of the account. Exactly one message per recipient per event: each
recipient is a separate ``apply_once`` consumer, so a redelivery sends nothing again and a
crash half-way through a list resends only to those not yet recorded.
"""
from services.runtime.handlers import reliable_handler


def money(cents):
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


class PaymentNotices:

    def _payment_recipients(self, data):
        """``[user]`` of the payer, else the account's admins (each ``{user_id, email, ...}``)."""
        if data.get("user_id"):
            return [self.identity_rpc.get_user(data["user_id"])]
        return [user for user in self.identity_rpc.list_account_users(data["account_number"])
                if user.get("role") == "admin"]

    def _tell(self, event, consumer, template, recipients, extra=None):
        data = event["data"]
        context = dict(data, amount=money(data["amount_cents"]) if "amount_cents" in data
                       else None, **(extra or {}))
        for user in recipients:  # by email and/or text as each user's preferences ask
            self._notify_once(event, f"{consumer}:{user['user_id']}", user=user,
                              preference="payment", template=template, context=context,
                              account_number=data["account_number"])

    @reliable_handler("payments", "payment_succeeded")
    def on_payment_succeeded(self, event):
        """Mails a receipt to the payer (autopay: the account's admins), once per payment.
        Emits ``notifications.notification_sent``."""
        self._tell(event, "on_payment_succeeded", "payment_receipt",
                   self._payment_recipients(event["data"]),
                   {"autopay": not event["data"].get("user_id")})

    @reliable_handler("payments", "payment_failed")
    def on_payment_failed(self, event):
        """Tells the payer (autopay: the admins) that a payment failed and why; when autopay
        will not try again, asks them to pay by hand. Emits notification_sent."""
        self._tell(event, "on_payment_failed", "payment_failed",
                   self._payment_recipients(event["data"]),
                   {"will_retry": bool(event["data"].get("will_retry"))})

    @reliable_handler("payments", "payment_returned")
    def on_payment_returned(self, event):
        """Tells the payer (autopay: the admins) that the bank returned a payment."""
        self._tell(event, "on_payment_returned", "payment_returned",
                   self._payment_recipients(event["data"]))

    @reliable_handler("payments", "payment_scheduled")
    def on_payment_scheduled(self, event):
        """Confirms a scheduled payment to its payer; for autopay, tells the admins when the
        new statement will be paid."""
        data = event["data"]
        self._tell(event, "on_payment_scheduled", "payment_scheduled",
                   self._payment_recipients(data), {"autopay": not data.get("user_id")})

    @reliable_handler("payments", "autopay_changed")
    def on_autopay_changed(self, event):
        """Tells the account's admins that autopay was turned on, changed or off."""
        self._tell(event, "on_autopay_changed", "autopay_changed",
                   self._payment_recipients(dict(event["data"], user_id=None)))
