"""The v2 `ApiContact` both ways: `{email, optInType, emailType, dataFields: [{key, value}]}` in any key case, and back.

v2 clients send PascalCase (`Email`, `DataFields`, `Key`) as often as camelCase; ASP.NET bound
both, so keys are read without regard to case. Answers are camelCase, as every documented example.
"""
from __future__ import annotations

from core.model import ContactChange

from . import values
from .errors import v2_invalid
from .wire import Keys


def parse(raw, need_email: bool = True) -> ContactChange:
    """An ApiContact as a ContactChange; a malformed one refuses the request (`… ERROR_CONTACT_INVALID`)."""
    if not isinstance(raw, dict):
        raise v2_invalid("The contact must be a JSON object")
    keys = Keys(raw)
    change = ContactChange()
    email = keys.get("email")
    if email is not None and not isinstance(email, str):
        raise v2_invalid("Email must be a string")
    if email is not None and email.strip():
        change.identities["email"] = email.strip()
    elif need_email:
        raise v2_invalid("The Email field is required")
    change.attrs = values.enum_attrs(keys, v2_invalid)
    change.fields = data_fields(keys.get("dataFields"))
    return change


def data_fields(raw) -> dict:
    """`[{key, value}]` (or the `{key: value}` object one official SDK call sends) as {name: value}."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        pairs = list(raw.items())
    elif isinstance(raw, list):
        pairs = []
        for entry in raw:
            entry = Keys(entry) if isinstance(entry, dict) else None
            if entry is None or not isinstance(entry.get("key"), str):
                raise v2_invalid("DataFields must be a list of {key, value}", "ERROR_DATAFIELD_INVALID")
            pairs.append((entry.get("key"), entry.get("value")))
    else:
        raise v2_invalid("DataFields must be a list of {key, value}", "ERROR_DATAFIELD_INVALID")
    result = {}
    for key, value in pairs:
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise v2_invalid(f"The value of data field {key} must be a text, a number or a boolean",
                             "ERROR_DATAFIELD_INVALID")
        if key.lower().startswith("preference:"):
            continue  # preference opt-ins by name: the gateway keeps no preference catalogue (see the docs)
        result[key.strip()] = value
    return result


def render(view, full: bool = True) -> dict:
    """A ContactView as ApiContact; `full` lists every data field of the account (unset ones null), by name."""
    attrs = view.attrs or {}
    fields = None
    if full:
        fields = [{"key": d.name, "value": values.field_value(d, view.fields_by_number.get(d.number))}
                  for d in sorted(view.catalog, key=lambda d: d.name.upper())
                  if not (d.attrs or {}).get("identifier")]  # custom identifiers are v3 identifiers, not data
    return {"id": view.id, "email": view.email, "optInType": attrs.get("opt_in_type", values.DEFAULT_OPT_IN),
            "emailType": attrs.get("email_format", values.DEFAULT_EMAIL_TYPE), "dataFields": fields,
            "status": values.V2_STATUS.get(view.email_status, "Subscribed")}
