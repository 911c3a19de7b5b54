"""Icomm's rate limit: the vendor documents none, so its one rule counts only when a setup file gives a number."""
from __future__ import annotations

from core.rate_limits import Rule

CALLS = Rule("calls", None, 60)  # calls per minute (choice: docs/dialects/icomm.md, "Rate limits")
RULES = (CALLS,)
