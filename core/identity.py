"""An identity as the store holds it, and which contact wins when several hold one."""
from __future__ import annotations

from . import errors, ids, normalize, scalars
from .errors import CoreError

COLUMNS = ("id", "email", "phone", "external_id")  # the identities a contact row holds in its own columns
_UNSAVED = 1 << 62  # a contact created in this batch has no id yet: it is the newest


def stored(kind: str, value, region: str | None = None):
    """The value an identity of `kind` has in the store; raises CoreError when `value` cannot be one.

    kind: email (trimmed, lower-cased, checked) | phone (E.164, `region` for national numbers) |
    id | profile_id (its contact id; 0, which names no contact, when it is not one of ours) |
    external_id and any other text identity (trimmed: a padded id names the same contact).
    """
    if kind == "email":
        return normalize.email(value)
    if kind == "phone":
        return normalize.phone(value, region)
    if kind == "id":
        try:
            return scalars.integer(value)  # within the store's 64 bits, whatever the adapter let through
        except scalars.ValueRefused:
            raise CoreError(errors.INVALID_VALUE, f"Invalid contact id: {repr(value)[:40]}", value=value) from None
    if kind == "profile_id":
        return ids.contact_id(value) or 0
    return str(value).strip()


def column(kind: str) -> str:
    """The contact column an identity kind is stored in (a profile id is the id)."""
    return "id" if kind == "profile_id" else kind


def rank(row: dict) -> tuple:
    """How a contact row ranks among the holders of one identity: live before deleted, then the
    most recently updated, then the highest id (a stable tie-break)."""
    return row["deleted_at"] is None, row["updated_at"], row["id"] or _UNSAVED


def winner(holders, row=lambda holder: holder):
    """The holder that wins (see `rank`); `row` gives a holder's contact row. None when there are none."""
    return max(holders, key=lambda holder: rank(row(holder)), default=None)
