"""One name everywhere: package, nameko service name, RPC target, event source, DB prefix."""

IDENTITY = "identity"
BILLING = "billing"
PAYMENTS = "payments"
NOTIFICATIONS = "notifications"

SERVICES = (IDENTITY, BILLING, PAYMENTS, NOTIFICATIONS)
