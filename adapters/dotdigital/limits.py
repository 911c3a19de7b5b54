"""Dotdigital's tiered rate limits (calls per minute per tier), and which tier a call counts against.

The vendor publishes one number: 35 calls a minute for the Low tier of its Basic package; the
Medium and High tiers count only when a setup file gives their numbers. A tier's name is its
`X-RateLimit-Scope` (docs/dialects/dotdigital.md, "Rate limits").
"""
from __future__ import annotations

from core.rate_limits import Rule

LOW = Rule("low", 35, 60)  # bulk imports and other data-heavy calls
MEDIUM = Rule("medium", None, 60)  # single-record writes
HIGH = Rule("high", None, 60)  # single-record reads, account info, status checks
RULES = (LOW, MEDIUM, HIGH)
SCOPES = {"low": "lowCallRate", "medium": "mediumCallRate", "high": "highCallRate"}


# The calls that start a job: the bulk imports and the bulk delete.
LOW_CALLS = frozenset({
    ("PUT", "/contacts/v3/import"), ("POST", "/contacts/v3/delete"), ("POST", "/v2/contacts/import-collection"),
    ("POST", "/v2/contacts/import"), ("POST", "/v2/contacts/import/with-merge-option/{merge_option}"),
    ("POST", "/v2/address-books/{book_id}/contacts/import"),
    ("POST", "/v2/address-books/{book_id}/contacts/import/with-merge-option/{merge_option}"),
})


def usage(verb: str, template: str) -> tuple[Rule, ...]:
    """template: the route's path template, as the route table names it."""
    if (verb, template) in LOW_CALLS:
        return (LOW,)
    return (HIGH,) if verb in ("GET", "HEAD") else (MEDIUM,)
