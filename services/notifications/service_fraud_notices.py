"""Toll-fraud alerts (billing.fraud_suspected, billing/fraud_cases.py): the account's admins
get an email each and the account's phone a text, whatever their preferences: it is a
security notice, like a password change, and only an admin can block international calling
or say the calls were expected. A mixin of NotificationsService (its ``db``, ``config``,
``identity_rpc`` and ``billing_rpc``).

Once per event and recipient (each its own ``apply_once`` consumer, the text too), so a
redelivery sends nothing again and a crash half-way resends only what was not recorded. The
mail says what the rules saw (counts, days, high-cost prefixes), never a number dialled."""
from services.notifications import outgoing, sms
from services.runtime.handlers import reliable_handler

CATEGORY = "security"
SAYS = {  # fraud_rules' rules, as the mail puts them
    "costly_burst": "a burst of international or premium-rate calls",
    "night_calls": "toll calls at night in your time zone",
    "short_costly_calls": "many short calls to one high-cost destination",
    "simultaneous_calls": "an unusual number of calls at the same time",
    "international_while_blocked": "international calls after international calling was "
                                   "blocked",
}


class FraudNotices:

    @reliable_handler("billing", "fraud_suspected")
    def on_fraud_suspected(self, event):
        """Mails each admin of the account and texts the account's phone that its calls look
        like toll fraud and what to do (block international calling, or mark the alert
        expected); once per recipient. Emits ``notifications.notification_sent``."""
        data = event["data"]
        number = data["account_number"]
        admins = sorted((u for u in self.identity_rpc.list_account_users(number)
                         if u.get("role") == "admin"), key=lambda u: u["user_id"])
        context = {"account_number": number, "score": data["score"],
                   "seen": [SAYS.get(rule, rule) for rule in data["rules"]],
                   "evidence": data["evidence"]}
        for user in admins:
            with self.db.apply_once(event, f"on_fraud_suspected:{user['user_id']}") as tx:
                if tx is None:
                    continue
                sending = outgoing.record(
                    tx, self.config, to=user["email"], category=CATEGORY,
                    template="fraud_suspected", user_id=user["user_id"], account_number=number,
                    context=dict(context, first_name=user.get("first_name")
                                 or user.get("username") or "there"))
            outgoing.deliver(self.db, self.config, [sending])
        phone = self.billing_rpc.get_profile(number)["phone"]
        with self.db.apply_once(event, "on_fraud_suspected:sms") as tx:
            if tx is None:
                return
            text = (f"BizPortal security alert: calls on account ending {number[-4:]} look like "
                    f"toll fraud. Block international calling or review: "
                    f"{self.config['PUBLIC_URL'].rstrip('/')}/dashboard")
            texts = [sms.record(tx.session, phone=phone, category=CATEGORY, text=text,
                                user_id=None, account_number=number)]
        sms.deliver(self.db, self.config, texts)
