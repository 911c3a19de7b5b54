"""Custom-field references of a batch: resolved once, values checked by field type."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from . import errors, normalize
from .errors import CoreError
from .model import UNSET, ContactChange, UpsertCommand
from .schema import Database, FieldDef
from .sql_bulk import select_eq


def match_text(value) -> str:
    """A custom field's value as matching compares it: 1 and 1.0 and "1" name the same holder, True is "1"."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FieldResolver:
    """Maps the field names or numbers an adapter used to FieldDef ids for one batch."""

    def __init__(self, database: Database, cmd: UpsertCommand):
        self.database = database
        self.cmd = cmd
        self.by_ref: dict = {}
        self.defs: dict[str, FieldDef] = {}
        self.unknown: set = set()
        self._match_keys: set[str] = set()
        # (field id, value as sent) -> the typed value or the CoreError refusing it. An import repeats
        # the same dates, numbers and choices down a column: each distinct one is parsed once a batch.
        self._typed: dict = {}
        self._keyed: dict = {}  # ref -> (the stored key, FieldDef): read per value, so no model attribute access

    def load(self, items: list[ContactChange], rows=None) -> None:
        """Resolve the batch's field references against `rows`, its database's fields (None: read them)."""
        refs = {ref for item in items for ref in item.fields}
        refs |= {item.custom_match[0] for item in items if item.custom_match is not None}
        if not refs:
            return
        attribute = "number" if self.cmd.field_key == "number" else "name"
        known, folded = {}, {}
        for row in select_eq(FieldDef, {"database": self.database.id}) if rows is None else rows:
            known[_ref(getattr(row, attribute), attribute)] = row
            if self.cmd.field_key == "name_ci":
                # Two names that differ only in case make that spelling ambiguous: exact names still work.
                key = row.name.casefold()
                folded[key] = None if key in folded else row
        for ref in refs:
            row = known.get(_ref(ref, attribute))
            if row is None and folded:
                row = folded.get(str(ref).casefold())
            if row is None:
                self.unknown.add(ref)
            else:
                self.by_ref[ref] = row
                self.defs[str(row.id)] = row
                self._keyed[ref] = (str(row.id), row)
        self._match_keys = {str(self.by_ref[i.custom_match[0]].id) for i in items
                            if i.custom_match is not None and i.custom_match[0] in self.by_ref}
        if self.unknown and self.cmd.unknown_fields == "error":
            names = ", ".join(sorted(str(ref) for ref in self.unknown))
            raise CoreError(errors.UNKNOWN_FIELD, f"Unknown field: {names}", fields=sorted(map(str, self.unknown)))

    def key(self, ref) -> str:
        row = self.by_ref.get(ref)
        if row is None:
            raise CoreError(errors.UNKNOWN_FIELD, f"Unknown field: {ref}", fields=[str(ref)])
        return str(row.id)

    def match_keys(self) -> set[str]:
        return self._match_keys

    def changes(self, item: ContactChange) -> tuple[dict, CoreError | None]:
        """{field id: value} for an item, or the error that fails it."""
        result = {}
        keyed, strict = self._keyed, self.cmd.strict_field_types
        for ref, value in item.fields.items():
            if value is UNSET:
                continue
            known = keyed.get(ref)
            if known is None:
                if self.cmd.unknown_fields == "fail_item":
                    return {}, CoreError(errors.UNKNOWN_FIELD, f"Unknown field: {ref}", fields=[str(ref)])
                continue
            key, row = known
            if value is not None and strict:
                value = self._typed_value(key, row, value)
                if value.__class__ is CoreError:
                    return {}, value
            result[key] = value
        return result, None

    def _typed_value(self, field_key: str, row: FieldDef, value):
        """typed_value, remembered for the batch; the refusal is returned, not raised."""
        key = (field_key, value.__class__, value)
        try:
            return self._typed[key]
        except KeyError:
            pass
        except TypeError:  # not hashable (a list or an object sent as a value): not remembered
            key = None
        try:
            typed = typed_value(row, value)
        except CoreError as exc:
            typed = exc
        if key is not None:
            self._typed[key] = typed
        return typed


def _ref(value, attribute: str):
    if attribute == "number":
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    return str(value)


def typed_value(row: FieldDef, value):
    """The value as its field's type stores it; raises CoreError(invalid_value) when it is not one."""
    kind = row.type
    if value == "" and kind not in ("string", "text"):
        return None
    try:
        if kind == "number":
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, (int, float)):
                return value
            number = Decimal(str(value).strip().replace(",", "."))
            return int(number) if number == number.to_integral_value() else float(number)
        if kind == "bool":
            return normalize.boolean(value)
        if kind == "date":
            return normalize.timestamp(value).date().isoformat()
        if kind == "datetime":
            return normalize.timestamp(value).isoformat(sep=" ")
        if kind == "ip":
            return normalize.ip(value)
        if kind == "email":
            return normalize.email(value)
        if kind == "enum" and row.allowed_values and str(value) not in [str(v) for v in row.allowed_values]:
            raise ValueError
    except (ValueError, InvalidOperation, CoreError):
        raise CoreError(errors.INVALID_VALUE, f"Invalid value for field {row.name}: {value!r}",
                        field=row.name) from None
    return value if isinstance(value, (int, float, bool)) else str(value)
