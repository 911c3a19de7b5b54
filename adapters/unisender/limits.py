"""Unisender's documented rate limits, and which of them a call counts against."""
from __future__ import annotations

from core.rate_limits import Rule

# "1200 calls per minute" per API key (api_call_limit_exceeded_for_api_key) [ERR]
CALLS = Rule("calls", 1200, 60)
# exportContacts: "20 requests / 60 seconds" from one API key or IP address [EXP RU]
EXPORT = Rule("exportContacts", 20, 60)
RULES = (CALLS, EXPORT)


def usage(method_name: str) -> tuple[Rule, ...]:
    """method_name: as the path has it (names match without regard to case)."""
    return (CALLS, EXPORT) if method_name.lower() == "exportcontacts" else (CALLS,)
