"""POST /v1/contacts/upload: the request, and the CSV file read into eSputnik contacts (pure, no I/O).

File rules [OAS], [ADD]: UTF-8 CSV, `,` between cells, a header line naming the columns (First name,
Last name, Address, Region, City, Postcode, Email, SMS, Language code, Timezone, Contact ID, …) and
additional fields as KEY_PROFILE.KEY_CUSTOMFIELD; "fields that are not found in the system remain
empty". The whole file is checked before anything is imported, so a broken file writes nothing.
"""
from __future__ import annotations

import csv
import io

from core import scalars
from core.commands import StartJob

from ..common import Method
from .bulk import NAMED_DEDUPE, options, options_payload
from .wire import Reply, as_object, as_text, bad_request

JOB_KIND = "esputnik.file"
MAX_CELL = 64 * 1024

# Column titles (compared without regard to case and spaces) -> where the value goes.
COLUMNS = {
    "firstname": ("firstName",), "lastname": ("lastName",), "address": ("address", "address"),
    "region": ("address", "region"), "city": ("address", "town"), "town": ("address", "town"),
    "postcode": ("address", "postcode"), "email": ("channel", "email"), "sms": ("channel", "sms"),
    "phone": ("channel", "sms"), "languagecode": ("languageCode",), "timezone": ("timeZone",),
    "contactid": ("id",), "id": ("id",), "externalcustomerid": ("externalCustomerId",),
    "externalid": ("externalCustomerId",), "contactkey": ("contactKey",),
}


class FileInvalid(Exception):
    """The file cannot be imported as a whole; the text says why."""


# -- the request -----------------------------------------------------------------------------
def parse(params: dict) -> StartJob:
    body = as_object(params["body"], "The request body")
    link = (as_text(body.get("link"), "link") or "").strip()
    if not link:
        raise bad_request("link is required")
    try:
        link = scalars.link(link)
    except scalars.ValueRefused:
        raise bad_request("link must be an http or https URL") from None
    if body.get("dedupeOn") in (None, ""):
        raise bad_request(f"dedupeOn is required: one of {', '.join(NAMED_DEDUPE)}")
    options(body)
    return StartJob(JOB_KIND, {"link": link, "options": options_payload(body)})


def render(job, params: dict, ctx: dict) -> Reply:
    # (choice) the spec names the id `importId` in JSON and `asyncSessionId` in XML: both are sent.
    return Reply({"message": "The file has been accepted for import", "asyncSessionId": job.id,
                  "importId": job.id, "fileId": job.id, "valid": True}, root="fileValidationResult")


UPLOAD = Method(parse, render)


# -- the file --------------------------------------------------------------------------------
def _key(title: str) -> str:
    return "".join(title.split()).lower()


def column_map(header: list[str], fields) -> list:
    """What each column feeds (None: not known, left alone); `fields` are the account's field definitions."""
    by_key = {}
    for row in fields:
        attrs = row.attrs or {}
        by_key.setdefault(str(row.number), row.number)
        by_key.setdefault(_key(row.name), row.number)
        if attrs.get("profile_key") and attrs.get("field_key"):
            by_key[_key(f"{attrs['profile_key']}.{attrs['field_key']}")] = row.number
    result, seen = [], set()
    for title in header:
        key = _key(title)
        target = COLUMNS.get(key)
        if target is None and key in by_key:
            target = ("field", by_key[key])
        if target is not None:
            if target in seen:
                raise FileInvalid(f"The column {title.strip()!r} appears twice")
            seen.add(target)
        result.append(target)
    if not seen & {("channel", "email"), ("channel", "sms"), ("id",), ("externalCustomerId",)}:
        raise FileInvalid("The file has no Email, SMS, Contact ID or externalCustomerId column")
    return result


def _rows(data: bytes):
    """(line number, cells) of the file; raises FileInvalid on bad UTF-8 or broken CSV."""
    if not data.strip():
        raise FileInvalid("The file is empty")
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=",", strict=True)
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if any(len(cell) > MAX_CELL for cell in cells):
                    raise FileInvalid(f"Line {reader.line_num} has a cell longer than {MAX_CELL} characters")
                yield reader.line_num, cells
    except UnicodeDecodeError:
        raise FileInvalid(f"The file is not UTF-8 text (near line {reader.line_num + 1})") from None
    except csv.Error as exc:
        raise FileInvalid(f"The file is not valid CSV: line {reader.line_num}: {exc}") from None


def check(data: bytes, fields, tick=None) -> int:
    """How many contacts the file holds; raises FileInvalid when any part of it cannot be read.

    `tick()` is called every few thousand lines (the caller keeps its job alive).
    """
    rows = _rows(data)
    header = next(rows, None)
    if header is None:
        raise FileInvalid("The file is empty")
    columns = column_map(header[1], fields)
    count = 0
    for line, cells in rows:
        if len(cells) > len(columns):
            raise FileInvalid(f"Line {line} has {len(cells)} cells, the header has {len(columns)}")
        count += 1
        if tick is not None and count % 5000 == 0:
            tick()
    return count


def contacts(data: bytes, fields):
    """The file's contacts, in order, as the bulk method's Contact objects (after `check` passed)."""
    rows = _rows(data)
    columns = column_map(next(rows)[1], fields)
    for _, cells in rows:
        contact: dict = {}
        for target, cell in zip(columns, cells):
            value = cell.strip()
            if target is None or not value:  # an empty cell changes nothing
                continue
            kind = target[0]
            if kind == "channel":
                contact.setdefault("channels", []).append({"type": target[1], "value": value})
            elif kind == "address":
                contact.setdefault("address", {})[target[1]] = value
            elif kind == "field":
                contact.setdefault("fields", []).append({"id": target[1], "value": value})
            else:
                contact[kind] = value
        yield contact
