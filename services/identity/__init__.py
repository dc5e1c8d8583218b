"""identity: online IDs, passwords, sessions and tokens, security settings, users and roles."""
