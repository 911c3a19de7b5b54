"""`contact-gateway export`: every contact of an account streamed as JSON lines or CSV, in constant memory.

Contacts come from the core's keyset iterator a page at a time and leave through the native
adapter's renderer, so a line of the file is exactly what GET /native/v1/contacts/{id} answers.
CSV flattens that object: one column per system attribute and per custom field of the account.
"""
from __future__ import annotations

import csv
import sys

import orjson

from adapters.native.render import contact as render_contact
from core import contact_reads
from core.model import SYSTEM_ATTRS
from core.schema import FieldDef

PAGE = 1000
_FIXED = ["id", "profile_id", "database", "email", "phone", "external_id", "email_status", "phone_status",
          "confirmed", "source", "source_dialect", "created_at", "updated_at", "deleted_at"]


def export(account_id: int, out, fmt: str = "jsonl", progress: bool | None = None) -> int:
    """Write every live contact to the text stream `out`; returns how many were written."""
    total = contact_reads.count(account_id)
    bar = _bar(total, progress)
    write = _csv_writer(account_id, out) if fmt == "csv" else (lambda data: out.write(
        orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE).decode()))
    written = 0
    try:
        for page in contact_reads.every(account_id, PAGE):
            for view in page:
                write(render_contact(view))
            written += len(page)
            bar.update(len(page))
    finally:
        bar.close()
    return written


def _csv_writer(account_id: int, out):
    names = sorted({row.name for row in FieldDef.select(FieldDef.name).where(FieldDef.account == account_id)})
    attrs = sorted(SYSTEM_ATTRS)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_FIXED + [f"attributes.{a}" for a in attrs] + [f"fields.{n}" for n in names]
                    + ["channels", "lists", "tags"])

    def write(data: dict) -> None:
        flat = {**data, **data["identities"], "email_status": data["statuses"]["email"],
                "phone_status": data["statuses"]["phone"]}
        writer.writerow([_cell(flat[c]) for c in _FIXED] + [_cell(data["attributes"].get(a)) for a in attrs]
                        + [_cell(data["fields"].get(n)) for n in names]
                        + [_cell(data["channels"] or None),
                           ";".join(f"{m['list']}:{m['channel']}:{m['status']}" for m in data["lists"]),
                           ";".join(data["tags"])])

    return write


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(total: int, wanted: bool | None):
    """A tqdm progress bar on stderr when it is a terminal (or when asked for)."""
    if wanted is False or (wanted is None and not sys.stderr.isatty()):
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit=" contacts", file=sys.stderr, dynamic_ncols=True)
