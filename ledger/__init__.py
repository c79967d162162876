"""The GreenCert ledger node: contract rules, block production, SQLite storage and the /v1 HTTP API."""
