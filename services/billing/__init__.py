"""billing: business accounts, catalogue and services, usage, statements, the ledger."""
