"""Payment notices: a receipt for each successful payment and each refund, a notice for each
failure, return, scheduled payment and autopay change. A mixin of NotificationsService (it uses its ``db``,
``config``, ``identity_rpc`` and ``_notify_once``, which honours the payment preferences).

Who is told: the account's admins and billing users (the people who may pay), and the payer
(``user_id`` in the event) while still a user of the account, greeted by name; never someone
who left the account, nor a viewer who did not pay. Recipients are read from identity when the
event is handled, so a user removed before a bank debit settles gets no receipt for it.
Exactly one message per recipient per event: each recipient is a separate ``apply_once``
consumer, so a redelivery sends nothing again and a crash half-way through a list resends only
to those not yet recorded.
"""
from services.contracts.money import long_date, usd
from services.contracts.roles import roles_allowing
from services.runtime.handlers import reliable_handler

PAYING_ROLES = roles_allowing("pay")


class PaymentNotices:

    def _payment_recipients(self, data):
        """``[user]`` (each ``{user_id, email, ...}``) to tell about a payment of the account:
        its admins and billing users, and the payer while still one of its users."""
        members = self.identity_rpc.list_account_users(data["account_number"])
        payer = data.get("user_id")
        recipients = {}
        for user in members:
            if user.get("role") in PAYING_ROLES or user["user_id"] == payer:
                recipients[user["user_id"]] = user
        if payer in recipients:  # the payer's own notice greets them by their first name
            recipients[payer] = dict(recipients[payer], **self.identity_rpc.get_user(payer))
        return sorted(recipients.values(), key=lambda user: user["user_id"])

    def _tell(self, event, consumer, template, recipients, extra=None):
        data = event["data"]
        context = dict(data, amount=usd(data["amount_cents"]) if "amount_cents" in data
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
        """Tells the payer (autopay: the admins) that a payment failed and why, and when
        autopay tries again (``retry_on``); when it will not, asks them to pay by hand. Emits
        notification_sent."""
        self._tell(event, "on_payment_failed", "payment_failed",
                   self._payment_recipients(event["data"]),
                   {"will_retry": bool(event["data"].get("will_retry")),
                    "retry_on_text": f"on {long_date(event['data']['retry_on'])}"
                    if event["data"].get("retry_on") else None})

    @reliable_handler("payments", "payment_returned")
    def on_payment_returned(self, event):
        """Tells the payer (autopay: the admins) that the bank returned a payment."""
        self._tell(event, "on_payment_returned", "payment_returned",
                   self._payment_recipients(event["data"]))

    @reliable_handler("payments", "payment_refunded")
    def on_payment_refunded(self, event):
        """Mails the refund's receipt to the payer and the account's admins and billing users,
        once per refund. Emits ``notifications.notification_sent``."""
        self._tell(event, "on_payment_refunded", "payment_refunded",
                   self._payment_recipients(event["data"]),
                   {"refunded": usd(event["data"]["refunded_cents"])})

    @reliable_handler("payments", "payment_scheduled")
    def on_payment_scheduled(self, event):
        """Confirms a scheduled payment to its payer; for autopay, tells the admins when the
        new statement will be paid."""
        data = event["data"]
        self._tell(event, "on_payment_scheduled", "payment_scheduled",
                   self._payment_recipients(data), {"autopay": not data.get("user_id")})

    @reliable_handler("payments", "payment_canceled")
    def on_payment_canceled(self, event):
        """Tells the account's admins and billing users that a scheduled payment was canceled
        because the user who set it up was removed from the account (payments' off-boarding).
        Emits notification_sent."""
        data = event["data"]
        payer = self.identity_rpc.get_user(data["user_id"]) if data.get("user_id") else {}
        self._tell(event, "on_payment_canceled", "payment_canceled",
                   self._payment_recipients(dict(data, user_id=None)),
                   {"payer": payer.get("username") or "the user"})

    @reliable_handler("payments", "autopay_changed")
    def on_autopay_changed(self, event):
        """Tells the account's admins and billing users that autopay was turned on, changed
        (its method or its limit) or off."""
        cap = event["data"].get("max_amount_cents")
        self._tell(event, "on_autopay_changed", "autopay_changed",
                   self._payment_recipients(dict(event["data"], user_id=None)),
                   {"limit": usd(cap) if cap else None})
