"""What test files share: an HTTP Basic header value, and the check that a refused request wrote nothing."""
from __future__ import annotations

import base64

from core.schema import Contact, Event, Job, Membership


def basic(user: str, password: str) -> str:
    """`Authorization: Basic base64(user:password)` (RFC 7617, UTF-8)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def nothing_written(account=None) -> None:
    """No contact, membership, event or job exists (of `account`, or of any account): nothing half-written."""
    def of(model):
        return model.select() if account is None else model.select().where(model.account == account.id)

    members = Membership.select().join(Contact)
    if account is not None:
        members = members.where(Contact.account == account.id)
    assert (of(Contact).count(), members.count(), of(Event).count(), of(Job).count()) == (0, 0, 0, 0)
