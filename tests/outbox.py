"""The outbox as tests of the dialects' workflow triggers see it: vendor events only, in order."""
from __future__ import annotations

from core.events import CANONICAL_TYPES
from core.schema import Event


def vendor_events():
    """The vendor triggers (not the canonical contact.* / list.* changes), oldest first."""
    return Event.select().where(Event.name.not_in(CANONICAL_TYPES)).order_by(Event.id)
