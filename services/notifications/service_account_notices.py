"""Bill-ready notices and reminders: a mixin of NotificationsService (it uses its ``db``,
``config``, ``identity_rpc``, ``billing_rpc`` and ``payments_rpc``)."""
import logging
from datetime import date

from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

from services.contracts.errors import InvalidInput
from services.notifications import notices, outgoing, reminders
from services.contracts.money import long_date, usd
from services.runtime.handlers import reliable_handler

log = logging.getLogger(__name__)
REMINDER_TIMER_SECONDS = 3600  # each reminder is sent once, so checking hourly is harmless


class AccountNotices:

    def _phone_if_wanted(self, users, preference, account_number):
        """The account's phone (identity keeps none for users) when someone wants texts."""
        with self.db.transaction() as tx:
            if not notices.wants_sms(tx.session, users, preference):
                return None
        return self.billing_rpc.get_profile(account_number)["phone"]

    def _autopay_or_none(self, account_number):
        """Whether autopay is on only adds a line to the bill-ready mail: a payments
        service that does not answer must not hold the bill back."""
        try:
            return self.payments_rpc.get_autopay(account_number)
        except Exception as exc:  # noqa: BLE001 (any RPC failure: timeout, unknown service)
            log.warning("autopay of %s unknown for the bill-ready mail: %s", account_number,
                        type(exc).__name__)
            return None

    @reliable_handler("billing", "statement_issued")
    def on_statement_issued(self, event):
        """Paperless: mails "your bill is ready" (amount, due date, link) to the delivery
        address and tells each user of the account as their preferences ask (message
        centre always). Keeps the bill for reminders. Once per event. Emits
        notification_sent."""
        data = event["data"]
        account_number = data["account_number"]
        paperless = data.get("invoice_delivery") == "paperless"
        users, phone, autopay = [], None, None
        if paperless:
            users = self.identity_rpc.list_account_users(account_number)
            phone = self._phone_if_wanted(users, "bill_ready", account_number)
            autopay = self._autopay_or_none(account_number)
        context = dict(data, amount=usd(data["amount_due_cents"]),
                       due_date_text=long_date(data["due_date"]),
                       autopay=reminders.autopay_covers(autopay, data["amount_due_cents"]))
        out = notices.Outgoing()
        with self.db.apply_once(event, "on_statement_issued") as tx:
            if tx is None:
                return
            reminders.remember_bill(tx.session, data)
            if not paperless:
                return  # billing adds paper statements to the print batch
            to = data.get("delivery_email")
            covered = False
            for user in users:
                mailed = len(out.emails)
                notices.compose(tx, self.config, out, user=user, preference="bill_ready",
                                template="bill_ready", context=context,
                                account_number=account_number, phone=phone)
                covered = covered or bool(to and len(out.emails) > mailed
                                          and user["email"].lower() == to.lower())
            if to and not covered:  # paperless means this address gets the bill, always
                out.emails.append(outgoing.record(
                    tx, self.config, to=to, category="bill_ready", template="bill_ready",
                    context=dict(context, first_name="there"),
                    account_number=account_number))
        notices.send(self.db, self.config, out)

    @rpc(expected_exceptions=InvalidInput)
    def send_reminders(self, run_date):
        """Sends the reminders due on ``run_date`` (YYYY-MM-DD): a bill due within five days
        that autopay will not pay (off, or the bill above its limit), and an autopay card
        that lapses before the next automatic payment. Each reminder once. Returns ``{bill_due, card_expiring}`` counts.
        Emits notification_sent."""
        try:
            day = run_date if isinstance(run_date, date) else date.fromisoformat(run_date)
        except (TypeError, ValueError):
            raise InvalidInput({"run_date": ["A date, YYYY-MM-DD."]}) from None
        return {"bill_due": self._bill_due_reminders(day),
                "card_expiring": self._card_reminders(day)}

    @timer(interval=REMINDER_TIMER_SECONDS)
    def send_daily_reminders(self):
        """Sends today's reminders (safe to repeat: each is sent once)."""
        sent = self.send_reminders(clock.today())
        if any(sent.values()):
            log.info("reminders sent: %s", sent)

    def _remind(self, kind, account_number, reference, day, template, context):
        users = [u for u in self.identity_rpc.list_account_users(account_number)
                 if u.get("role") in reminders.PAYERS]
        phone = self._phone_if_wanted(users, "reminders", account_number)
        out = notices.Outgoing()
        try:
            with self.db.transaction() as tx:
                if reminders.already_sent(tx.session, kind, account_number, reference):
                    return 0
                reminders.mark_sent(tx.session, kind, account_number, reference, day)
                for user in users:
                    notices.compose(tx, self.config, out, user=user, preference="reminders",
                                    template=template, context=context,
                                    account_number=account_number, phone=phone)
        except IntegrityError:  # another replica sent it meanwhile
            return 0
        notices.send(self.db, self.config, out)
        return 1

    def _bill_due_reminders(self, day):
        with self.db.transaction() as tx:
            due = [(b.invoice_number, b.account_number, b.due_date)
                   for b in reminders.bills_due_soon(tx.session, day)]
        count = 0
        for invoice, account_number, due_date in due:
            summary = self.billing_rpc.get_account_summary(account_number)
            if summary["amount_due_cents"] <= 0 or summary["invoice_number"] != invoice:
                continue  # paid already, or a newer statement replaced it
            if reminders.autopay_covers(self.payments_rpc.get_autopay(account_number),
                                        summary["amount_due_cents"]):
                continue
            count += self._remind("bill_due", account_number, invoice, day, "reminder_due", {
                "account_number": account_number, "invoice_number": invoice,
                "amount": usd(summary["amount_due_cents"]),
                "due_date_text": long_date(due_date)})
        return count

    def _card_reminders(self, day):
        with self.db.transaction() as tx:
            latest = reminders.latest_due_dates(tx.session)
        count = 0
        for account_number, latest_due in sorted(latest.items()):
            autopay = self.payments_rpc.get_autopay(account_number)
            if not (autopay and autopay.get("enabled")):
                continue
            method = next((m for m in self.payments_rpc.list_payment_methods(account_number)
                           if m["id"] == autopay.get("payment_method_id")), None)
            next_payment = reminders.next_autopay_date(latest_due, day)
            if not method or not reminders.card_lapses_before(
                    method.get("exp_month"), method.get("exp_year"), next_payment):
                continue
            reference = f"{method['id']}:{method['exp_year']}-{int(method['exp_month']):02d}"
            count += self._remind("card_expiring", account_number, reference[:64], day,
                                  "reminder_card_expiring", {
                                      "account_number": account_number,
                                      "last4": method["last4"],
                                      "expires_text": date(int(method["exp_year"]),
                                                           int(method["exp_month"]), 1)
                                      .strftime("%B %Y"),
                                      "next_payment_text": long_date(next_payment)})
        return count
