"""The gateway: the only public entry (JSON API, web portal, staff API, health, metrics)."""
