"""The ledger's contract rules: deterministic execution of each transaction type (no wall clock, no floats)."""

from ledger.rules.context import Context
from ledger.rules.dispatch import execute

__all__ = ["Context", "execute"]
