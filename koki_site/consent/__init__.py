"""Cookie consent: the banner, POST /consent, the settings form and the proof ledger."""
