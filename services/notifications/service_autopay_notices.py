"""Autopay's guardrail notices: a statement autopay did not draft because it is above the
account's autopay limit, the pre-draft notice, and a card that will have expired by the draft
date. A mixin of NotificationsService (it uses PaymentNotices' ``_tell`` and
``_payment_recipients``, and AccountNotices' ``_remind``).

Who is told: the account's admins and billing users (the people who can pay), as their
``payment`` preference asks (the message centre always lists it); each recipient once per
event (``apply_once``), so a redelivery sends nothing again.
"""
from datetime import date

from services.contracts.money import long_date, usd
from services.runtime import clock
from services.runtime.handlers import reliable_handler

METHOD_WORDS = {"card": "card", "bank_account": "bank account"}


class AutopayNotices:

    def _tell_autopay_payers(self, event, consumer, template, extra):
        data = event["data"]
        self._tell(event, consumer, template,
                   self._payment_recipients(dict(data, user_id=None)), extra)

    @reliable_handler("payments", "autopay_skipped")
    def on_autopay_skipped(self, event):
        """Tells the account's payers at once that autopay did not draft a statement above
        its limit and that the bill stays due. Emits notification_sent."""
        data = event["data"]
        self._tell_autopay_payers(event, "on_autopay_skipped", "autopay_skipped", {
            "limit": usd(data["max_amount_cents"]),
            "due_date_text": long_date(data["due_date"]) if data.get("due_date") else None})

    @reliable_handler("payments", "autopay_draft_announced")
    def on_autopay_draft_announced(self, event):
        """The pre-draft notice: what autopay will take, when, and from which method (last
        four digits only). Emits notification_sent."""
        data = event["data"]
        self._tell_autopay_payers(event, "on_autopay_draft_announced", "autopay_draft_announced", {
            "draft_date_text": long_date(data["scheduled_for"]),
            "method_text": METHOD_WORDS.get(data["method_type"], "payment method")})

    @reliable_handler("payments", "autopay_card_expiring")
    def on_autopay_card_expiring(self, event):
        """Warns the account's payers, when a statement is scheduled for autopay, that its
        card will have expired by the draft date. The same reminder the daily run sends
        (``card_expiring``, once per card and expiry, whichever comes first). Emits
        notification_sent."""
        data = event["data"]
        card = f"{data['payment_method_id']}:{data['exp_year']}-{int(data['exp_month']):02d}"
        self._remind("card_expiring", data["account_number"], card[:64], clock.today(),
                     "reminder_card_expiring", {
                         "account_number": data["account_number"], "last4": data["last4"],
                         "expires_text": date(int(data["exp_year"]), int(data["exp_month"]),
                                              1).strftime("%B %Y"),
                         "next_payment_text": long_date(data["scheduled_for"])})
