"""What the core did, told to whoever registered to hear it (the gateway's metrics and logs), without the core knowing who."""
from __future__ import annotations

from collections import Counter

_listeners: list = []


def listen(listener) -> None:
    """Register an object with `authenticated(account_id)` and `items(account_id, outcomes: Counter)`."""
    if listener not in _listeners:
        _listeners.append(listener)


def authenticated(account_id: int) -> None:
    for listener in _listeners:
        listener.authenticated(account_id)


def items(account_id: int, outcomes: Counter) -> None:
    """A batch's per-item outcomes (created, updated, deleted, unchanged, skipped, failed), counted."""
    outcomes = +outcomes  # outcomes that did not occur are left out
    if outcomes:
        for listener in _listeners:
            listener.items(account_id, outcomes)
