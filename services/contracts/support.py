"""How a customer reaches business support: the one set of details that the portal's pages,
the printed statement and every mail show."""
PHONE = "1-800-555-0199"
EMAIL = "support@bizportal.example"
HOURS = "24/7"

# as templates read it: {{ support.phone }}, {{ support.email }}, {{ support.hours }}
CONTACT = {"phone": PHONE, "email": EMAIL, "hours": HOURS}
