"""eSputnik's documented rate limits, and which of them a call counts against."""
from __future__ import annotations

from core.rate_limits import Rule

# "The methods not listed in this table share a total default rate limit of 200 requests per second" [RATE]
CALLS = Rule("calls", 200, 1)
# GET /api/v1/contacts (contact search): 50 requests per second, apart from the shared default [RATE]
CONTACTS_SEARCH = Rule("contacts_search", 50, 1)
RULES = (CALLS, CONTACTS_SEARCH)


def usage(verb: str, path: str) -> tuple[Rule, ...]:
    """path: the part after /api/{version}/, without slashes around it."""
    return (CONTACTS_SEARCH,) if verb in ("GET", "HEAD") and path.strip("/").lower() == "contacts" else (CALLS,)
