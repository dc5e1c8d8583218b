"""notifications: email (SMTP or Maildir), SMS, templates, preferences, the message centre."""
