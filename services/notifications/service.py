"""The notifications nameko service: thin entrypoints over composing, recording, delivering."""
from services.notifications import mailer, messages
from services.notifications.models import metadata
from services.runtime.context import LogContext
from services.runtime.database import Database
from services.runtime.handlers import reliable_handler
from services.runtime.health import HealthMixin
from nameko.dependency_providers import Config


class NotificationsService(HealthMixin):
    name = "notifications"

    db = Database(metadata)
    log_context = LogContext()
    config = Config()

    @reliable_handler("billing", "account_opened")
    def on_account_opened(self, event):
        """Welcomes a new account's contact by email, once per event.

        Emits ``notifications.notification_sent``.
        """
        data = event["data"]
        with self.db.apply_once(event, "on_account_opened") as tx:
            if tx is None:
                return
            subject, body = messages.account_opened(data, self.config["PUBLIC_URL"])
            message = messages.record(tx.session, channel="email", category="welcome",
                                      recipient=data["email"], subject=subject, body=body,
                                      account_number=data["account_number"])
            tx.emit("notification_sent", {"notification_id": message.id, "email": data["email"],
                                          "channel": "email", "category": "welcome"})
            # delivered inside the transaction: a failed delivery rolls the record back and
            # the event is retried; a crash after delivery but before commit may resend once
            mailer.deliver(mailer.build(data["email"], subject, body),
                           smtp_url=self.config.get("SMTP_URL"),
                           mail_dir=f"{self.config['DATA_DIR']}/mail")
