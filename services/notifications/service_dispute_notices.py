"""Dispute notices: when staff resolve a dispute (billing.dispute_resolved), the account's
admins and billing users (who may dispute) and whoever opened it, while still a user of the
account, get a mail and a message-centre entry, credited or rejected alike: the answer to
something they asked is not a preference to turn off. A mixin of NotificationsService (its
``db``, ``config``, ``identity_rpc`` and PaymentNotices' ``_payment_recipients``).

One mail per recipient per event: each recipient is a separate ``apply_once`` consumer, so a
redelivery sends nothing again and a crash half-way resends only to those not yet recorded.
The reason and the note are people's text: the HTML part is autoescaped and the subject holds
neither."""
from services.contracts.money import usd
from services.notifications import outgoing
from services.runtime.handlers import reliable_handler


class DisputeNotices:

    @reliable_handler("billing", "dispute_resolved")
    def on_dispute_resolved(self, event):
        """Mails the account's admins and billing users, and the user who opened the dispute,
        how it was resolved (the message centre lists it), once per recipient. Emits
        ``notifications.notification_sent``."""
        data = event["data"]
        recipients = self._payment_recipients(dict(data, user_id=data.get("opened_by")))
        context = dict(data, amount=usd(data["amount_cents"]),
                       credited=usd(data["credited_cents"] or 0))
        for user in recipients:
            self._mail_once(event, f"on_dispute_resolved:{user['user_id']}", user, context)

    def _mail_once(self, event, consumer, user, context):
        with self.db.apply_once(event, consumer) as tx:
            if tx is None:
                return
            sending = outgoing.record(
                tx, self.config, to=user["email"], category="billing",
                template="dispute_resolved", user_id=user["user_id"],
                account_number=event["data"]["account_number"],
                context=dict(context, first_name=user.get("first_name")
                             or user.get("username") or "there"))
        outgoing.deliver(self.db, self.config, [sending])
