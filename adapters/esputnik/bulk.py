"""POST /v1/contacts (contactsBulkUpdate) and GET /v1/importstatus/{sessionId}.

The request is checked at once: request-level mistakes are a 400, contacts eSputnik would refuse
come back in `failedContacts`, and the rest is saved as an import job (`asyncSessionId`). Each
contact is read once, in the request: the job keeps the changes it became (`stored`), not the
contacts, and turns them back into ordered upsert chunks (`restored`), so a resumed job builds
exactly the chunks the first attempt did.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core import errors as core_errors
from core import scalars
from core.commands import GetJob, StartJob
from core.errors import CoreError
from core.model import ContactChange, EventSpec, ListChange, UpsertCommand

from ..common import Method
from .contact import SEGMENT_CHANNEL, UNKNOWN_FIELDS, InvalidContact, contact_change
from .wire import Reply, as_bool, as_int, as_list, as_object, bad_request, event_name, not_found, one_or_many, texts

JOB_KIND = "esputnik.contacts"
MAX_CONTACTS = 3000


@dataclass(frozen=True)
class Dedupe:
    """How one dedupeOn value finds contacts: match order, identities not overwritten, what an item needs."""

    match: tuple[str, ...]
    keep: tuple[str, ...]
    needs: tuple[str, ...]  # at least one of these identities, unless the contact has an external id
    needs_text: str  # the same, as a refusal names it


# externalCustomerId always comes first: "If this array of objects contains externalCustomerId,
# the search uses externalCustomerId and ignores dedupeOn", and "the field set as dedupeOn will not
# be updated". email_or_sms: "first matches by sms are checked; then, if none found, by email".
DEDUPE = {
    "email": Dedupe(("external_id", "email"), ("email",), ("email",), "email channel"),
    "sms": Dedupe(("external_id", "phone"), ("phone",), ("phone",), "sms channel"),
    "email_or_sms": Dedupe(("external_id", "phone", "email"), ("phone", "email"), ("phone", "email"),
                           "email or sms channel"),
    "id": Dedupe(("external_id", "id"), (), ("id",), "id"),
    "externalCustomerId": Dedupe(("external_id",), ("external_id",), ("external_id",), "externalCustomerId"),
    "fieldId": Dedupe(("external_id", "field"), ("field",), ("field",), "value of field {field_id}"),
    # (choice) dedupeOn left out, as in the vendor's FAQ example: email, then sms.
    "": Dedupe(("external_id", "email", "phone"), (), ("email", "phone"), "email or sms channel"),
}
NAMED_DEDUPE = tuple(name for name in DEDUPE if name)
_DEDUPE_BY_LOWER = {name.lower(): name for name in NAMED_DEDUPE}
UNSUPPORTED_DEDUPE = ("push", "webpush")

# contactFields names -> the identities, attributes and channel types they let an update change.
CONTACT_FIELDS = {
    "firstName": ("first_name",), "lastName": ("last_name",), "contactKey": ("contact_key",),
    "ordersInfo": ("orders_info",), "languageCode": ("language",), "timeZone": ("timezone",),
    "email": ("email",), "sms": ("phone", "sms"), "mobilepush": ("mobilepush",), "webpush": ("webpush",),
    "address": ("address",), "town": ("city",), "region": ("region",), "postcode": ("postcode",),
    "externalCustomerId": ("external_id",),
}
_CONTACT_FIELDS_BY_LOWER = {name.lower(): name for name in CONTACT_FIELDS}
IDENTITY_KINDS = ("email", "phone", "external_id")


@dataclass
class Options:
    dedupe_on: str
    field_id: int | None
    contact_fields: tuple[str, ...] | None
    custom_fields: frozenset | None
    groups: list[str]
    groups_exclude: list[str]
    restore_deleted: bool
    event_key: str | None

    @property
    def dedupe(self) -> Dedupe:
        return DEDUPE[self.dedupe_on]


def options(body: dict) -> Options:
    """The request's settings; a mistake in them refuses the whole request."""
    raw = body.get("dedupeOn")
    dedupe_on = "" if raw in (None, "") else _DEDUPE_BY_LOWER.get(str(raw).strip().lower())
    if dedupe_on is None:
        if str(raw).strip().lower() in UNSUPPORTED_DEDUPE:
            raise bad_request(f"dedupeOn {raw} is not supported by this server: use externalCustomerId")
        raise bad_request(f"Invalid dedupeOn: {raw!r}; one of {', '.join(NAMED_DEDUPE)}")
    field_id = None
    if dedupe_on == "fieldId":
        if body.get("fieldId") in (None, ""):
            raise bad_request("fieldId is required when dedupeOn is fieldId")
        field_id = as_int(body["fieldId"], "fieldId", scalars.ID64)
    contact_fields = None
    if body.get("contactFields") is not None:
        names = []
        for name in texts(body.get("contactFields"), "contactFields"):
            known = _CONTACT_FIELDS_BY_LOWER.get(name.lower())
            if known is None:
                raise bad_request(f"Invalid contactFields value: {name!r}")
            names.append(known)
        contact_fields = tuple(names)
    custom = body.get("customFieldsIDs")
    custom_fields = None if custom is None else frozenset(as_int(v, "customFieldsIDs", scalars.INT32) for v in as_list(custom))
    return Options(
        dedupe_on=dedupe_on, field_id=field_id, contact_fields=contact_fields, custom_fields=custom_fields,
        groups=texts(body.get("groupNames"), "groupNames"),
        groups_exclude=texts(body.get("groupNamesExclude"), "groupNamesExclude"),
        restore_deleted=as_bool(body.get("restoreDeleted"), "restoreDeleted", default=False),
        event_key=event_name(body.get("eventKeyForNewContacts"), "eventKeyForNewContacts"),
    )


def options_payload(body: dict) -> dict:
    """The settings as the job keeps them (checked already, re-read by the job)."""
    names = ("dedupeOn", "fieldId", "contactFields", "customFieldsIDs", "groupNames", "groupNamesExclude",
             "restoreDeleted", "eventKeyForNewContacts")
    return {name: body[name] for name in names if body.get(name) is not None}


def item_change(raw, opts: Options, require_channels: bool = True) -> ContactChange:
    """One contact of the request as a change under the request's settings; raises InvalidContact."""
    change = contact_change(raw, with_id=opts.dedupe_on == "id", require_channels=require_channels)
    if opts.field_id is not None:
        value = change.fields.get(opts.field_id)
        if value not in (None, ""):
            change.custom_match = (opts.field_id, value)
    present = set(change.identities) | ({"field"} if change.custom_match else set())
    if "external_id" not in present and not present & set(opts.dedupe.needs):
        wanted = opts.dedupe.needs_text.format(field_id=opts.field_id)
        raise InvalidContact(f"The contact has no {wanted} to deduplicate on "
                             f"(dedupeOn {opts.dedupe_on or 'not given'})")
    if opts.contact_fields is not None:
        _clear_unsent(raw, change, opts.contact_fields)
    change.lists = ([ListChange(title, "subscribed", SEGMENT_CHANNEL) for title in opts.groups]
                    + [ListChange(title, "removed", SEGMENT_CHANNEL) for title in opts.groups_exclude])
    return change


def _clear_unsent(raw: dict, change: ContactChange, names: tuple[str, ...]) -> None:
    """contactFields: "The fields will be updated with the 'null' value if no data … is transmitted"."""
    for name in names:
        for part in CONTACT_FIELDS[name]:
            if part in IDENTITY_KINDS:
                if part not in change.identities:
                    change.clear_identities += (part,)
            elif part in ("mobilepush", "webpush", "sms"):
                change.channels.setdefault(part, None)
            elif part not in change.attrs:
                change.attrs[part] = None


def command(items: list[ContactChange], opts: Options) -> UpsertCommand:
    update_only = None
    if opts.contact_fields is not None:
        update_only = frozenset(part for name in opts.contact_fields for part in CONTACT_FIELDS[name])
    return UpsertCommand(
        items=items,
        match=opts.dedupe.match,
        keep_identities=opts.dedupe.keep,
        update_only=update_only,
        # "The custom fields are updated if their IDs are in this list. This field is required
        # when a contact is updated": without it, an update leaves custom fields alone.
        update_fields=opts.custom_fields if opts.custom_fields is not None else frozenset(),
        field_key="number",
        strict_field_types=True,
        unknown_fields=UNKNOWN_FIELDS,
        create_missing_lists=True,
        new_list_kind="segment",
        on_deleted="restore" if opts.restore_deleted else "skip",
        keep_account_unsubscribes=True,  # an address on the account's unsubscribed list stays there
        default_email_status="active",
        default_confirmed=True,
        source="esputnik:contactsBulkUpdate",
        events=EventSpec(on_create=opts.event_key, key="email_or_phone",
                         params={"contactId": "contact_id", "EmailAddress": "email", "SMS": "phone"})
        if opts.event_key else None,
    )


def changes(opts: Options, contacts, require_channels: bool = True):
    """The changes raw contacts ask for, in order; one that cannot be read fails its own place in the report."""
    for raw in contacts:
        try:
            yield item_change(raw, opts, require_channels)
        except InvalidContact as exc:
            yield ContactChange(error=CoreError(core_errors.INVALID_VALUE, str(exc)))


def chunks(opts: Options, items, size: int):
    """(position, UpsertCommand) for the changes `items` yields, in order, `size` at a time."""
    batch: list[ContactChange] = []
    start = 0
    for change in items:
        batch.append(change)
        if len(batch) == size:
            yield start, command(batch, opts)
            start += len(batch)
            batch = []
    if batch:
        yield start, command(batch, opts)


# A checked contact as the job keeps it: what item_change made of it, without its segments (the
# request's, the same for every contact) and without what is empty. JSON keys are text, so field
# numbers and the custom match travel as pairs.
def stored(change: ContactChange) -> dict:
    kept = {}
    if change.identities:
        kept["i"] = change.identities
    if change.attrs:
        kept["a"] = change.attrs
    if change.fields:
        kept["f"] = list(change.fields.items())
    if change.channels:
        kept["c"] = change.channels
    if change.clear_identities:
        kept["x"] = change.clear_identities
    if change.custom_match is not None:
        kept["m"] = change.custom_match
    return kept


def restored(opts: Options, kept_changes):
    """The changes `stored` kept, as item_change made them (each with the request's segments)."""
    groups, excluded = opts.groups, opts.groups_exclude
    for kept in kept_changes:
        match = kept.get("m")
        yield ContactChange(
            identities=kept.get("i") or {}, attrs=kept.get("a") or {}, fields=dict(kept.get("f") or ()),
            channels=kept.get("c") or {}, clear_identities=tuple(kept.get("x") or ()),
            custom_match=tuple(match) if match is not None else None,
            lists=[ListChange(title, "subscribed", SEGMENT_CHANNEL) for title in groups]
            + [ListChange(title, "removed", SEGMENT_CHANNEL) for title in excluded])


def mapping_key(opts: Options):
    """key(item, outcome) for the job report: the value the contact was deduplicated on, as sent."""
    kinds = {"email": ("email",), "sms": ("phone",), "email_or_sms": ("phone", "email"), "id": ("id",),
             "externalCustomerId": ("external_id",), "fieldId": (), "": ("email", "phone")}[opts.dedupe_on]

    def key(item: ContactChange, outcome) -> str | None:
        for kind in kinds:
            if item.identities.get(kind) not in (None, ""):
                return str(item.identities[kind])[:320]
        if item.custom_match is not None:
            return str(item.custom_match[1])[:320]
        if item.identities.get("external_id"):
            return item.identities["external_id"]
        return str(outcome.contact_id) if outcome.contact_id else None
    return key


# -- POST /v1/contacts -----------------------------------------------------------------------
def parse(params: dict):
    body = params["body"]
    if isinstance(body, list):  # a bare array of contacts
        body = {"contacts": body}
    body = as_object(body, "The request body")
    if "contacts" not in body and "channels" in body:
        # The vendor's guide gives this URL for "Add contact" too: one Contact, answered like POST /v1/contact.
        from .contacts import parse_add

        return parse_add(params)
    contacts = as_list(body.get("contacts"))
    if not contacts:
        raise bad_request("contacts is required: from 1 to 3000 contacts")
    if len(contacts) > MAX_CONTACTS:
        raise bad_request(f"Too many contacts: {len(contacts)}, max. {MAX_CONTACTS}")
    opts = options(body)
    accepted, failed = [], []
    for raw in contacts:
        try:
            change = item_change(raw, opts)
        except InvalidContact as exc:
            failed.append({**(raw if isinstance(raw, dict) else {}), "error": str(exc)})
            continue
        accepted.append(stored(change))
    return StartJob(JOB_KIND, {"options": options_payload(body), "changes": accepted, "failed": failed},
                    total=len(accepted) + len(failed))


def render(result, params: dict, ctx: dict) -> Reply:
    command_ = ctx["command"]
    if not isinstance(command_, StartJob):
        from .contacts import render_add

        return render_add(result, params, ctx)
    body = {"asyncSessionId": result.id}
    failed = command_.payload["failed"]
    if failed:
        body["failedContacts"] = one_or_many(failed)
    return Reply(body, root="contactBulkUpdateResult")


CONTACTS_POST = Method(parse, render)


# -- GET /v1/importstatus/{sessionId} --------------------------------------------------------
SESSION_ID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
STATUS = {"queued": "STARTED", "running": "IMPORTING", "finished": "FINISHED", "failed": "ERROR"}


def parse_status(params: dict) -> GetJob:
    session = params["path"]["sessionId"]
    if not SESSION_ID.fullmatch(session):
        raise not_found("Import session not found")
    return GetJob(job_id=session, with_items=True)


def render_status(found, params: dict, ctx: dict) -> Reply:
    job, items = found.job, found.items or []
    if not job.kind.startswith("esputnik."):
        raise not_found("Import session not found")
    body = {"status": STATUS.get(job.state, "STARTED"), "timestamp": iso_time(job.updated_at)}
    description = describe(job, items)
    if description:
        body["description"] = description
    mapping, seen = [], set()
    for item in items:
        if item.outcome in ("created", "updated", "unchanged") and item.contact_id and item.key is not None:
            if (item.key, item.contact_id) not in seen:
                seen.add((item.key, item.contact_id))
                mapping.append({"dedupeValue": item.key, "contactId": item.contact_id})
    if mapping:
        body["mapping"] = mapping
    return Reply(body, root="importSessionStatus")


def iso_time(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def describe(job, items) -> str:
    """A short account of the session: counts, the first failures, or why it stopped."""
    if job.state == "failed":
        return job.error or "The import failed"
    progress = job.progress or {}
    if job.state != "finished":
        total = progress.get("total")
        done = progress.get("done", 0)
        return f"{done} of {total} contacts processed" if total is not None else f"{done} contacts processed"
    counts: dict[str, int] = {}
    for item in items:
        counts[item.outcome] = counts.get(item.outcome, 0) + 1
    plural = "" if len(items) == 1 else "s"
    text = (f"{len(items)} contact{plural}: {counts.get('created', 0)} created, "
            f"{counts.get('updated', 0) + counts.get('unchanged', 0)} updated")
    if counts.get("skipped"):
        text += f", {counts['skipped']} skipped (deleted contacts; restoreDeleted is false)"
    failed = [i for i in items if i.outcome == "failed"]
    if failed:
        shown = "; ".join(f"{i.key or f'#{i.position + 1}'}: {i.message}" for i in failed[:10])
        text += f", {len(failed)} failed ({shown}{'; …' if len(failed) > 10 else ''})"
    return text


IMPORT_STATUS = Method(parse_status, render_status)
