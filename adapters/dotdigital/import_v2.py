"""v2 imports: POST /v2/contacts/import-collection (JSON), POST /v2/contacts/import and
/v2/address-books/{id}/contacts/import[/with-merge-option/{mergeOption}] (a CSV file, multipart or base64 JSON),
and GET /v2/contacts/import/{id}[/report|/report-faults].

Both kinds of request become the same stored job: contacts as `{email, optInType, emailType,
dataFields, consent}` (a file's rows in the payload; a collection's read again, a chunk at a time,
from the body the job keeps, as v3 imports are), the address books to add them to, the merge
option, and the column names report-faults repeats. Contacts are their email addresses; a contact who unsubscribed is left as
it is and reported as a fault (`Unsubscribed`), as the documented report-faults example shows.
"""
from __future__ import annotations

import base64
import binascii
import csv
import io

import orjson

from core import errors as core_errors
from core import normalize, scalars
from core.commands import GetJob, StartJob
from core.errors import CoreError
from core.items import Items
from core.model import ContactChange, ListChange

from . import contact_v2, contact_v3, contacts_v2, import_v3
from .job_status import UUID
from .errors import ACTIVE_IMPORTS, ADDRESSBOOK_NOT_FOUND, FILE_INVALID, REPORT_NOT_READY, v2, v2_invalid
from .wire import Keys, Reply, path, path_id

KIND = "dotdigital.import.v2"
MERGE_OPTIONS = {"0": "overwrite", "1": "if_not_empty", "2": "if_empty", "overwrite": "overwrite",
                 "onlyoverwriteifnotempty": "if_not_empty", "onlyoverwriteifcontactdatanotpopulated": "if_empty"}
STATUS = {"queued": "NotFinished", "running": "NotFinished", "finished": "Finished", "failed": "Failed"}
CONSENT_KEYS = {"consenttext": "text", "consentdatetime": "dateTimeConsented", "consenturl": "url",
                "consentip": "ipAddress", "consentuseragent": "userAgent"}
COUNTERS = ("newContacts", "updatedContacts", "globallySuppressed", "invalidEntries", "duplicateEmails", "blocked",
            "unsubscribed", "hardBounced", "softBounced", "ispComplaints", "mailBlocked", "domainSuppressed",
            "pendingDoubleOptin", "failures", "suppressedContacts")


def _merge(raw) -> str:
    merge = MERGE_OPTIONS.get(str(0 if raw is None else raw).strip().lower())
    if merge is None or isinstance(raw, bool):
        raise v2_invalid(f"mergeOption '{raw}' is not one of 0, 1, 2 (Overwrite, OnlyOverwriteIfNotEmpty, "
                         "OnlyOverwriteIfContactDataNotPopulated)", "ERROR_PARAMETER_INVALID")
    return merge


def _start(contacts, books: list, merge: str, columns: list, body: bytes | None = None) -> StartJob:
    """`contacts`: their list as `_contact` makes them, or the `Items.ref()` of the request's body it keeps."""
    payload = {"contacts": contacts, "addressBookIds": books, "mergeOption": merge, "columns": columns}
    return StartJob(KIND, payload, max_active=ACTIVE_IMPORTS, active_kinds=import_v3.IMPORT_KINDS, lists=books,
                    input=body, total=None if body is None else contacts["count"])


# -- POST /v2/contacts/import-collection ---------------------------------------------------------------
def parse_collection(params: dict) -> StartJob:
    """The body is checked whole as it arrives, one contact at a time (`core.items.Items`); the job
    keeps the body and reads its contacts again, a chunk at a time."""
    body = params.get("body")
    if not isinstance(body, dict):
        raise v2_invalid("The request body must be a JSON object with contacts", "ERROR_CONTACTS_ARE_NOT_SPECIFIED")
    keys = Keys(body)
    books = keys.get("addressBookIds") or []
    books = list(books) if isinstance(books, Items) else books
    if not isinstance(books, list) or not all(isinstance(b, int) and not isinstance(b, bool) for b in books):
        raise v2_invalid("addressBookIds must be a list of address book ids", "ERROR_ADDRESSBOOK_NOT_FOUND")
    raw = keys.get("contacts")
    if not isinstance(raw, Items) or not raw:
        raise v2_invalid("No contacts were specified", "ERROR_CONTACTS_ARE_NOT_SPECIFIED")
    columns = {"email": None}
    for item in raw:
        if not isinstance(item, dict):
            raise v2_invalid("Each contact must be a JSON object")
        columns.update(dict.fromkeys(_contact(item)["dataFields"]))
    return _start(raw.ref(), list(dict.fromkeys(books)), _merge(keys.get("mergeOption")), list(columns), raw.source)


def _contact(item: dict) -> dict:
    """One contact of a collection as the job reads it (a file's rows are read into the same shape)."""
    item = Keys(item)
    return {"email": item.get("email"), "optInType": item.get("optInType"), "emailType": item.get("emailType"),
            "dataFields": contact_v2.data_fields(item.get("dataFields")),
            "consent": _consent_fields(item.get("consentFields"))}


def _consent_fields(raw) -> dict | None:
    if not isinstance(raw, list):
        return None
    found = {}
    for entry in raw:
        entry = Keys(entry) if isinstance(entry, dict) else None
        key = entry.get("key") if entry is not None else None
        if isinstance(key, str) and key.lower() in CONSENT_KEYS:
            found[CONSENT_KEYS[key.lower()]] = entry.get("value")
    return found or None


def render_started(job, params: dict, ctx: dict) -> Reply:
    return Reply({"id": job.id, "status": "NotFinished"}, 202)


# -- file imports -----------------------------------------------------------------------------------------
def parse_file(params: dict) -> StartJob:
    book = params["path"].get("book_id")
    number = None if book is None else path_id(book, scalars.COUNT32)
    books = [] if number is None else [number]
    if book is not None and not books:
        raise v2(ADDRESSBOOK_NOT_FOUND)
    merge = _merge(params["path"].get("merge_option"))
    name, data = _upload(params)
    if name.lower().endswith((".xls", ".xlsx")):
        raise v2(FILE_INVALID)  # Excel files are not read (see the docs)
    contacts, columns = read_csv(data)
    return _start(contacts, books, merge, columns)


def _upload(params: dict) -> tuple[str, bytes]:
    """(file name, bytes) from the first multipart part that carries a filename (the gateway split
    the body into `parts`), or from a JSON {fileName, data} body."""
    if "parts" in params:
        for part in params["parts"]:
            if part.filename:
                return part.filename, part.data
        raise v2(FILE_INVALID)
    raw = params.get("raw") or b""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise v2(FILE_INVALID) from None
    keys = Keys(doc) if isinstance(doc, dict) else None
    name, data = (keys.get("fileName"), keys.get("data")) if keys is not None else (None, None)
    if not isinstance(name, str) or not name.strip() or not isinstance(data, str):
        raise v2(FILE_INVALID)
    try:
        return name, base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise v2(FILE_INVALID) from None


def read_csv(data: bytes) -> tuple[list, list]:
    """Contacts from a CSV file: one column named Email (any case), the others data fields or consent."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise v2(FILE_INVALID) from None
    if not rows:
        raise v2(FILE_INVALID)
    header = [h.strip() for h in rows[0]]
    lowered = [h.lower() for h in header]
    if "email" not in lowered:
        raise v2(FILE_INVALID)
    at = lowered.index("email")
    contacts = []
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, row))
        fields = {h: v for h, v in cells.items() if h.lower() != "email" and h.lower() not in CONSENT_KEYS and h}
        consent = {CONSENT_KEYS[h.lower()]: v for h, v in cells.items() if h.lower() in CONSENT_KEYS}
        contacts.append({"email": row[at] if at < len(row) else "", "dataFields": fields, "consent": consent or None})
    if not contacts:
        raise v2(FILE_INVALID)
    return contacts, header


# -- the job ---------------------------------------------------------------------------------------------
class Plan:
    """A stored v2 import: chunks for the worker, its counters and faults file made as they are done.

    `contacts`: the payload's list (a file's rows, as `_contact` shapes them), or the contacts of a
    collection read again from the body the job keeps (`raw`: shaped here, one at a time). They are
    read once, in order; a contact whose address an earlier one had is a duplicate.
    """

    def __init__(self, payload: dict, contacts=None):
        self.contacts = payload["contacts"] if contacts is None else contacts
        self.raw = not isinstance(payload["contacts"], list)
        self.books = payload["addressBookIds"]
        self.merge = payload["mergeOption"]
        self.columns = payload["columns"]
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.faults = io.StringIO()
        self.writer = csv.writer(self.faults, lineterminator="\r\n")
        self.writer.writerow(["Reason", *(c.lower() for c in self.columns)])
        self._chunk: list = []  # (contact, duplicate?) of the chunk last handed out, in order

    def change(self, item: dict, duplicate: bool) -> ContactChange:
        email = item.get("email")
        change = ContactChange(identities={"email": email.strip()} if isinstance(email, str) and email.strip() else {})
        if duplicate:
            change.error = CoreError(core_errors.INVALID_VALUE, "Duplicate", fault="Duplicate")
            return change
        try:
            parsed = contact_v2.parse({"email": email, "optInType": item.get("optInType"),
                                       "emailType": item.get("emailType")}, need_email=False)
        except Exception:  # noqa: BLE001 - a DialectError here is one contact's fault, not the import's
            change.error = CoreError(core_errors.INVALID_VALUE, "InvalidContact", fault="InvalidContact")
            return change
        change.attrs = parsed.attrs
        change.fields = dict(item.get("dataFields") or {})
        change.lists = [ListChange(book, "subscribed", "email") for book in self.books]
        if item.get("consent"):
            records = contact_v3.consent_records([item["consent"]])
            if records is not None:
                change.merge_attrs = {"consent": records}
        return change

    def _read(self):
        """(contact, whether an earlier contact had its address) in order."""
        seen: set = set()
        for item in self.contacts:
            if self.raw:
                item = _contact(item)
            try:
                email = normalize.email(item.get("email") or "")
            except CoreError:
                yield item, False
                continue
            yield item, email in seen
            seen.add(email)

    def chunks(self, size: int | None = None):
        size = size or import_v3.CHUNK
        read: list = []
        start = 0
        for entry in self._read():
            read.append(entry)
            if len(read) == size:
                yield self._command(start, read)
                start, read = start + size, []
        if read:
            yield self._command(start, read)

    def _command(self, start: int, read: list):
        self._chunk = read
        command = contacts_v2.command([self.change(item, duplicate) for item, duplicate in read],
                                      "dotdigital:v2:import", self.merge)
        command.unknown_fields = "ignore"  # "any other columns will attempt to map to your data fields"
        command.skip_statuses = frozenset({"unsubscribed", "blocked"})
        return start, command

    def recorded(self, start: int, rows) -> None:
        """The counters and faults of a chunk's per-item rows (jobs.run_chunks)."""
        counters = self.counters
        for row in rows:
            if row.outcome == "created":
                counters["newContacts"] += 1
                continue
            if row.outcome == "updated":
                counters["updatedContacts"] += 1
                continue
            item, duplicate = self._chunk[row.position - start]
            reason = "Duplicate" if duplicate else self._reason(row)
            counters["failures"] += 1
            counter = {"Duplicate": "duplicateEmails", "GloballySuppressed": "globallySuppressed",
                       "Unsubscribed": "unsubscribed", "Suppressed": "blocked"}.get(reason, "invalidEntries")
            counters[counter] += 1
            if reason in ("GloballySuppressed", "Suppressed"):
                counters["suppressedContacts"] += 1
            self.writer.writerow([reason, *self._cells(item)])

    def report(self, job_id: str) -> tuple[bytes, dict]:
        return self.faults.getvalue().encode("utf-8"), self.counters

    def _reason(self, row) -> str:
        code = row.error
        if row.outcome == "skipped":
            return "Unsubscribed" if "unsubscribed" in (row.message or "") else "Suppressed"
        return {core_errors.INVALID_EMAIL: "InvalidEmail", core_errors.MISSING_IDENTITY: "InvalidEmail",
                core_errors.SUPPRESSED: "GloballySuppressed"}.get(code, "InvalidContact")

    def _cells(self, item: dict) -> list:
        fields = item.get("dataFields") or {}
        cells = []
        for column in self.columns:
            value = item.get("email") if column.lower() == "email" else fields.get(column)
            cells.append("" if value is None else str(value))
        return cells


# -- GET /v2/contacts/import/{id}[/report|/report-faults] ------------------------------------------------
def parse_status(params: dict) -> GetJob:
    import_id = path(params, "import_id")
    return GetJob(import_id.lower() if UUID.fullmatch(import_id) else "-", with_output=True)


def _job(found, params: dict):
    job = found.job if found is not None else None
    return job if job is not None and job.kind == KIND else None


def status_unknown(error: CoreError, params: dict):
    """An import id nobody knows has the status `Unknown` ("could indicate an invalid import ID")."""
    if error.code == core_errors.NOT_FOUND:
        return Reply({"id": path(params, "import_id"), "status": "Unknown"})
    return None


def render_status(found, params: dict, ctx: dict) -> dict:
    job = _job(found, params)
    return {"id": job.id if job else path(params, "import_id"), "status": STATUS.get(job.state, "Unknown") if job
            else "Unknown"}


def report_not_ready(error: CoreError, params: dict):
    if error.code == core_errors.NOT_FOUND:
        return v2(REPORT_NOT_READY)
    return None


def render_report(found, params: dict, ctx: dict) -> dict:
    job = _job(found, params)
    if job is None or job.state != "finished":
        raise v2(REPORT_NOT_READY)
    return {name: int((job.result or {}).get(name, 0)) for name in COUNTERS}


def render_faults(found, params: dict, ctx: dict) -> Reply:
    job = _job(found, params)
    if job is None or job.state != "finished" or found.output is None:
        raise v2(REPORT_NOT_READY)
    return Reply(bytes(found.output.data), content_type="text/plain; charset=utf-8")

