"""Alembic migrations of the intermediary's business database, run by ``intermediary.database.upgrade``."""
