"""Revisions, oldest first: 0001 today's schema (and the adoption of databases made before migrations), 0002 wide
integers on PostgreSQL."""
