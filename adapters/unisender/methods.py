"""The Unisender method table: name (as in /{lang}/api/[async/]{name}) -> Method."""
from __future__ import annotations

from ..common import DialectError, Method
from . import catalog, contacts_read, export, import_contacts, subscribe

METHODS: dict[str, Method] = {
    "importContacts": import_contacts.METHOD,
    "subscribe": subscribe.SUBSCRIBE,
    "exclude": subscribe.EXCLUDE,
    "unsubscribe": subscribe.UNSUBSCRIBE,
    "getContact": contacts_read.GET_CONTACT,
    "getContactFieldValues": contacts_read.GET_CONTACT_FIELD_VALUES,
    "isContactInLists": contacts_read.IS_CONTACT_IN_LISTS,
    "isContactInList": contacts_read.IS_CONTACT_IN_LISTS,  # the Go client's spelling
    "getContactCount": contacts_read.GET_CONTACT_COUNT,
    "getTotalContactsCount": contacts_read.GET_TOTAL_CONTACTS_COUNT,
    "getLists": catalog.GET_LISTS,
    "createList": catalog.CREATE_LIST,
    "updateList": catalog.UPDATE_LIST,
    "deleteList": catalog.DELETE_LIST,
    "getFields": catalog.GET_FIELDS,
    "createField": catalog.CREATE_FIELD,
    "updateField": catalog.UPDATE_FIELD,
    "updateFiled": catalog.UPDATE_FIELD,  # the documented syntax line's typo, which the Java client calls
    "deleteField": catalog.DELETE_FIELD,
    "getTags": catalog.GET_TAGS,
    "deleteTag": catalog.DELETE_TAG,
    "exportContacts": export.EXPORT_CONTACTS,
}

ASYNC_METHODS: dict[str, Method] = {
    "exportContacts": export.ASYNC_EXPORT_CONTACTS,
    "getTaskResult": export.GET_TASK_RESULT,
}

_BY_LOWER = {name.lower(): method for name, method in METHODS.items()}
_ASYNC_BY_LOWER = {name.lower(): method for name, method in ASYNC_METHODS.items()}


def lookup(name: str, is_async: bool = False) -> Method:
    """The method for a path segment; method names are matched without regard to case."""
    method = (_ASYNC_BY_LOWER if is_async else _BY_LOWER).get(name.lower())
    if method is None:
        shown = f"async/{name}" if is_async else name
        raise DialectError("unknown_method", f'Unknown method "{shown}"', method=shown)
    return method
