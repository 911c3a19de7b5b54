"""What test files share: an HTTP Basic header value, the check that a refused request wrote nothing, a warm catalogue."""
from __future__ import annotations

import base64

from core import batch_start, catalog_cache
from core.schema import Contact, Event, Job, Membership


def warm_catalogue(account_id: int) -> None:
    """This worker remembers the account's catalogue as it is now (core.catalog_cache): the first
    batch after a catalogue change reads it (three statements), the tests that count a batch's
    statements count the batches after that."""
    catalog_cache.catalog(batch_start.read(account_id))


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
