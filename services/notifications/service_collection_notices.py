"""Collections notices (billing's dunning, services/billing/collections.py): the past-due
reminders at 1, 7 and 14 days, the suspension and the restoration of an account, and its
closure (to its admins). A mixin of
NotificationsService (it uses its ``identity_rpc`` and ``_notify_once``).

Who is told: the account's admins and billing users, the people who can pay, as their
``reminders`` preference asks (the message centre always lists it). Billing decides when and
emits each reminder once per missed statement and stage; here each recipient is its own
``apply_once`` consumer, so a redelivered event sends nothing again and a crash half-way
through the list resends only to those not yet recorded.
"""
from services.contracts.money import long_date, usd
from services.notifications import reminders
from services.runtime.handlers import reliable_handler


class CollectionNotices:

    def _tell_payers(self, event, consumer, template, extra, roles=reminders.PAYERS):
        data = event["data"]
        payers = sorted((u for u in self.identity_rpc.list_account_users(data["account_number"])
                         if u.get("role") in roles), key=lambda u: u["user_id"])
        context = dict(data, **extra)
        for user in payers:
            self._notify_once(event, f"{consumer}:{user['user_id']}", user=user,
                              preference="reminders", template=template, context=context,
                              account_number=data["account_number"])

    @reliable_handler("billing", "payment_overdue")
    def on_payment_overdue(self, event):
        """Reminds the account's payers that it is 1, 7 or 14 days past due, what is owed and
        when it will be suspended; once per event and recipient. Emits notification_sent."""
        data = event["data"]
        self._tell_payers(event, "on_payment_overdue", "past_due_reminder", {
            "amount": usd(data["past_due_cents"]), "due_date_text": long_date(data["due_date"]),
            "suspend_on_text": long_date(data["suspend_on"])})

    @reliable_handler("billing", "account_suspended")
    def on_account_suspended(self, event):
        """Tells the account's payers it is suspended for non-payment and that paying the
        past-due amount restores it at once; once per event and recipient. Emits
        notification_sent."""
        data = event["data"]
        self._tell_payers(event, "on_account_suspended", "account_suspended", {
            "amount": usd(data["past_due_cents"]),
            "suspended_on_text": long_date(data["suspended_on"])})

    @reliable_handler("billing", "account_restored")
    def on_account_restored(self, event):
        """Tells the account's payers it is restored; once per event and recipient. Emits
        notification_sent."""
        data = event["data"]
        self._tell_payers(event, "on_account_restored", "account_restored", {
            "restored_on_text": long_date(data["restored_on"])})

    @reliable_handler("billing", "account_closed")
    def on_account_closed(self, event):
        """Tells the account's admins it is closed: the final statement, what is left to pay
        or what is refunded (or left as a credit), and until when they can still sign in;
        once per event and recipient. Emits notification_sent."""
        data = event["data"]
        self._tell_payers(event, "on_account_closed", "account_closed", {
            "outcome": _closure_outcome(data),
            "effective_date_text": long_date(data["effective_date"]),
            "read_only_until_text": long_date(data["read_only_until"]),
            "amount_due": usd(data["amount_due_cents"]), "refund": usd(data["refund_cents"]),
            "credit_left": usd(data["credit_left_cents"])}, roles=("admin",))


def _closure_outcome(data):
    """What the closure mail says about the money: owed, refunded (in part), credit_left or
    settled."""
    if data["amount_due_cents"] > 0:
        return "owed"
    if data["refund_cents"] > 0:
        return "refunded_part" if data["credit_left_cents"] > 0 else "refunded"
    return "credit_left" if data["credit_left_cents"] > 0 else "settled"
