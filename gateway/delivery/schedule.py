"""When a failed delivery is tried again: exponential backoff with full jitter, until the maximum age.

WEBHOOK_RETRY_BASE (seconds, default 5) doubles with each attempt up to WEBHOOK_RETRY_CAP (default
3600); the actual wait is a random share of that ("full jitter"), so receivers coming back from an
outage are not hit by every gateway worker at the same instant. A delivery older than
WEBHOOK_MAX_AGE (seconds, default 86400 = 24 h) is not tried again: it is marked dead.
"""
from __future__ import annotations

import os
import random
from datetime import datetime, timedelta


def _seconds(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def max_age() -> timedelta:
    return timedelta(seconds=_seconds("WEBHOOK_MAX_AGE", 86400))


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt (1 for the first)."""
    ceiling = min(_seconds("WEBHOOK_RETRY_CAP", 3600), _seconds("WEBHOOK_RETRY_BASE", 5) * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 10, ceiling)  # noqa: S311 - spreading load, not a secret


def next_attempt(attempts: int, created_at: datetime, now: datetime) -> datetime | None:
    """When to try again, or None when the delivery has been tried for long enough."""
    if now - created_at >= max_age():
        return None
    return min(now + timedelta(seconds=backoff(attempts)), created_at + max_age())
