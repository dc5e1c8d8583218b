"""The portal's help topics: one list, read by the API (/api/v1/help) and the /help page."""

TOPICS = [
    {"id": "paying", "title": "Paying your bill", "body": (
        "Go to Pay. Choose a saved card or bank account, or add one, enter the amount (the "
        "amount due is filled in) and choose Pay now. To pay later, pick a date: the payment "
        "is scheduled and you can cancel it until that day. A declined payment says why; "
        "nothing is charged. Payments reach your balance within seconds.")},
    {"id": "autopay", "title": "Automatic payments (autopay)", "body": (
        "With autopay on, each new statement's amount due is paid on its due date with the "
        "payment method you chose. Turn it on or off, or change the method, under Pay. We "
        "email the admins when an automatic payment is scheduled, succeeds or fails, and "
        "remind you when the card it uses expires before the next payment. You may set a "
        "maximum amount: a statement above it is not paid automatically (we tell the admins "
        "at once, and the bill is still due). Three days before each automatic payment we "
        "email the amount, the date and the card or bank account it comes from.")},
    {"id": "paperless", "title": "Paperless billing", "body": (
        "Under Account, an admin can choose paperless: each new statement is emailed to the "
        "address you give (or the company email), with the amount due, the due date and a "
        "link to the statement. Choose paper to get printed statements by post again.")},
    {"id": "users-and-roles", "title": "Users and roles", "body": (
        "Admins invite people by email under Users and give each a role: admin (everything), "
        "billing (see bills and pay) or viewer (see only). An invitation link works once, for "
        "7 days. Admins change roles and remove users; a removed user is signed out at once. "
        "Every account keeps at least one admin.")},
    {"id": "security", "title": "Keeping your account secure", "body": (
        "Under Security, turn on 2-step sign-in with an authenticator app and keep your "
        "recovery codes safe, set a 4-digit security code to confirm payments, choose a "
        "challenge question for password resets and turn on sign-in alerts. We always email "
        "you when a security setting or your password changes.")},
    {"id": "reading-your-statement", "title": "Reading your statement", "body": (
        "Each statement shows the previous balance, payments received, adjustments, new "
        "charges and the amount due with its due date. New charges are grouped by service "
        "(internet, voice, TV) with taxes and fees last; voice usage shows calls by type. "
        "Open a statement under Billing to see each fee, or download it as a PDF.")},
    {"id": "exporting-calls", "title": "Exporting call history", "body": (
        "Open a statement under Billing and choose Export call history to CSV. The file has "
        "one row per call of that period: date, time, from, to, type, duration in seconds "
        "and charge, and opens in any spreadsheet.")},
]
