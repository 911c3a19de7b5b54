"""The Icomm operation table: the path segment `<Operation>.Json` -> how to parse, render and refuse it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..common import Method
from . import listing, remove, save


@dataclass(frozen=True)
class Operation:
    result: str  # the single key of the answer, e.g. SaveContactJsonResult
    kind: str  # contact | multi | list | array: the answer's shape, for refusals too (wire.failure)
    method: Method | None = None  # None: not an operation the gateway has


_SAVE = Operation("SaveContactJsonResult", "contact", save.SAVE_CONTACT)
_MULTI = Operation("SaveMultiContactJsonResult", "multi", save.SAVE_MULTI_CONTACT)
_REMOVE = Operation("RemoveContactJsonResult", "contact", remove.REMOVE_CONTACT)
_UNSUBSCRIBE = Operation("UnsubscribeContactJsonResult", "contact", remove.UNSUBSCRIBE_CONTACT)
_LIST_FULL = Operation("ListContactsFullJsonResult", "array", listing.LIST_FULL)
_LIST = Operation("ListContactsJsonResult", "list", listing.LIST_CONTACTS)

# Lower-case operation names; the result keys follow the WCF method names ListFull.Json shows
# (ListContactsFullJson), so the method-style spellings are accepted as well.
OPERATIONS = {
    "savecontact": _SAVE,
    "savemulticontact": _MULTI,
    "removecontact": _REMOVE,
    "unsubscribecontact": _UNSUBSCRIBE,
    "listfull": _LIST_FULL,
    "listcontactsfull": _LIST_FULL,
    "list": _LIST,
    "listcontacts": _LIST,
}

SUFFIX = ".json"


def resolve(segment: str) -> Operation:
    """The operation a path segment names (`SaveContact.Json`, any case); an unknown one comes
    back without a method, named after what was asked so the refusal has the expected shape."""
    name = segment[:-len(SUFFIX)] if segment.lower().endswith(SUFFIX) else None
    operation = OPERATIONS.get(name.lower()) if name else None
    if operation is not None:
        return operation
    shown = re.sub(r"\W", "", (name if name is not None else segment.split(".", 1)[0]))[:64] or "Contacts"
    return Operation(f"{shown}JsonResult", "contact")
