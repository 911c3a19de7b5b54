"""The core's one entry point: execute(account, command) -> result, in the command's own transaction."""
from __future__ import annotations

from dataclasses import dataclass

from . import accounts, batch_start, catalog, catalog_cache, consent, contact_reads, contacts, deletion, errors
from . import events, imports, jobs, list_members, memberships
from . import commands as c
from . import db as store
from .errors import CoreError
from .lookups import delete_located, locate, locate_row
from .model import UpsertCommand
from .schema import Contact, ContactList
from .upsert import addresses, upsert


@dataclass
class SearchResult:
    contacts: list
    total: int | None


@dataclass
class JobResult:
    job: object
    items: list | None = None
    output: object = None  # the JobBlob, when asked for and present


def _search(account_id: int, cmd: c.SearchContacts) -> SearchResult:
    found = contacts.search(account_id, cmd.filter, cmd.offset, cmd.limit, cmd.with_details)
    total = contacts.count(account_id, cmd.filter) if cmd.with_total else None
    return SearchResult(found, total)


def _job(account_id: int, cmd: c.GetJob) -> JobResult:
    job = jobs.get(account_id, cmd.job_id)
    return JobResult(job, jobs.items(job.id) if cmd.with_items else None,
                     jobs.blob(job.id) if cmd.with_output else None)


@dataclass
class UpsertReadResult:
    batch: object  # BatchResult
    contacts: dict  # contact id -> ContactView, for every item that ended with a contact


def _upsert_and_read(account_id: int, cmd: c.UpsertAndRead) -> UpsertReadResult:
    with store.write_transaction(f"account:{account_id}"):
        account = batch_start.read(account_id, addresses(cmd.upsert), cmd.upsert.keep_account_unsubscribes)
        located = _locate(account_id, cmd, catalog_cache.catalog(account)) if cmd.lookups else None
        batch = upsert(account_id, cmd.upsert, account, located)
        # The rows the batch wrote as it wrote them (reading them back returns the same values);
        # the contacts of items it did not write (failed, skipped) are read.
        wanted = sorted({i.contact_id for i in batch.items if i.contact_id})
        unread = [i for i in wanted if i not in batch.rows]
        read = {row["id"]: row for row in Contact.select().where(Contact.id.in_(unread)).dicts()} if unread else {}
        rows = [batch.rows.get(i) or read[i] for i in wanted if i in batch.rows or i in read]
        views = contacts.views(account_id, rows, known=batch.catalog, details=batch.details)
        return UpsertReadResult(batch, {v.id: v for v in views})


# Why `locate` may find no contact: none holds the identity, or it cannot be one (an unknown field, an
# email that is not one) -- then the item goes on as it is, or the call fails with "not found".
NAMES_NO_ONE = (errors.CONTACT_NOT_FOUND, errors.UNKNOWN_FIELD, errors.INVALID_EMAIL, errors.INVALID_PHONE,
                errors.INVALID_VALUE)


def _locate(account_id: int, cmd: c.UpsertAndRead, known) -> list[dict] | None:
    """Point the item at the contact its lookups find; that contact's row, for the batch not to read it again."""
    item = cmd.upsert.items[0]
    try:
        found = locate_row(account_id, cmd.upsert.database, cmd.lookups, cmd.custom_match,
                       include_deleted=cmd.locate_deleted, field_key=cmd.upsert.field_key, known=known)
    except CoreError as exc:
        if exc.code not in NAMES_NO_ONE:
            raise
        if cmd.if_missing == "fail":
            value = cmd.lookups[0].value if cmd.lookups[0].kind != "field" else cmd.custom_match[1]
            raise CoreError(errors.CONTACT_NOT_FOUND, f'Contact "{value}" not found', value=value) from None
        return None
    item.identities = {**item.identities, "id": found["id"]}
    item.match = ("id",)
    return [found]


def _start_job(account_id: int, cmd: c.StartJob):
    """Persist a job, after the checks that refuse it whole: its lists exist, the account is under its cap."""
    with store.write_transaction(f"account:{account_id}"):
        wanted = sorted({int(n) for n in cmd.lists})
        if wanted:
            found = {r.number: r.attrs for r in ContactList.select(ContactList.number, ContactList.attrs).where(
                (ContactList.account == account_id) & (ContactList.space == "list") & ContactList.number.in_(wanted))}
            missing = [n for n in wanted if n not in found]
            if missing:
                raise CoreError(errors.UNKNOWN_LIST, f"List not found: {','.join(map(str, missing))}", ids=missing)
            refused = [n for n in wanted if catalog.read_only(found[n])]
            if refused:
                raise CoreError(errors.LIST_READ_ONLY, f"List {','.join(map(str, refused))} cannot be written to",
                                ids=refused)
        if cmd.max_active is not None and jobs.active(account_id, cmd.active_kinds or (cmd.kind,)) >= cmd.max_active:
            raise CoreError(errors.TOO_MANY_ACTIVE_JOBS, f"{cmd.max_active} jobs are already queued or running",
                            limit=cmd.max_active)
        return jobs.create(account_id, cmd.kind, cmd.payload, total=cmd.total, data=cmd.input)


def _delete_field(account_id: int, cmd: c.DeleteField) -> None:
    number = cmd.number if cmd.name is None else catalog.field_named(account_id, cmd.name, cmd.database).number
    return catalog.delete_field(account_id, number)


HANDLERS = {
    UpsertCommand: lambda a, cmd: upsert(a, cmd),
    c.ChangeMemberships: lambda a, cmd: memberships.change(a, cmd.kind, cmd.value, cmd.status, cmd.lists,
                                                           cmd.channel, cmd.database),
    c.FindContact: lambda a, cmd: contacts.find(a, cmd.kind, cmd.value, cmd.database, cmd.include_deleted),
    c.FindContacts: lambda a, cmd: contacts.find_many(a, cmd.kind, cmd.values, cmd.database, cmd.include_deleted),
    c.LocateContact: lambda a, cmd: contacts.contact_view(a, locate(a, cmd.database, cmd.lookups, cmd.custom_match,
                                                                   field_key=cmd.field_key)),
    c.DeleteLocated: lambda a, cmd: delete_located(a, cmd.database, cmd.lookups, cmd.custom_match, cmd.erase),
    c.DeleteContacts: lambda a, cmd: deletion.delete(a, cmd.kind, cmd.values, cmd.database, cmd.erase),
    c.UnsubscribeEverywhere: lambda a, cmd: consent.unsubscribe_everywhere(a, cmd.emails, cmd.database,
                                                                          cmd.remember_unknown, cmd.source),
    c.SearchContacts: _search,
    c.CountContacts: lambda a, cmd: contacts.count(a, cmd.filter),
    c.GetAccount: lambda a, cmd: accounts.find_account(a),
    c.GetDatabases: lambda a, cmd: catalog.databases(a),
    c.GetLists: lambda a, cmd: catalog.lists(a, cmd.database, cmd.kind, cmd.number, cmd.with_counts),
    c.CreateList: lambda a, cmd: catalog.create_list(a, cmd.title, cmd.database, cmd.kind, cmd.attrs,
                                                     unique_title=cmd.unique_title),
    c.UpdateList: lambda a, cmd: catalog.update_list(a, cmd.number, cmd.title, cmd.attrs, kind=cmd.kind),
    c.DeleteList: lambda a, cmd: catalog.delete_list(a, cmd.number, cmd.kind),
    c.GetFields: lambda a, cmd: catalog.fields(a, cmd.database),
    c.CreateField: lambda a, cmd: catalog.create_field(a, cmd.name, cmd.type, cmd.database, cmd.public_name,
                                                       cmd.allowed_values, cmd.attrs),
    c.UpdateField: lambda a, cmd: catalog.update_field(a, cmd.number, cmd.name, cmd.public_name, cmd.attrs),
    c.DeleteField: _delete_field,
    c.GetTags: lambda a, cmd: catalog.tags(a),
    c.DeleteTag: lambda a, cmd: catalog.delete_tag(a, cmd.number),
    c.AttachToList: lambda a, cmd: list_members.attach(a, cmd.list, cmd.kind, cmd.values),
    c.DetachFromList: lambda a, cmd: list_members.detach(a, cmd.list, cmd.kind, cmd.values),
    c.ResubscribeEverywhere: lambda a, cmd: consent.resubscribe_everywhere(a, cmd.emails, cmd.status),
    c.StartJob: _start_job,
    c.UpsertAndRead: _upsert_and_read,
    c.GetJob: _job,
    c.GetContactDetail: lambda a, cmd: contact_reads.detail(a, cmd.contact_id),
    c.SearchContactPage: lambda a, cmd: contact_reads.search(a, cmd.email, cmd.phone, cmd.external_id, cmd.after,
                                                             cmd.limit),
    c.ReadEvents: lambda a, cmd: events.feed(a, cmd.after, cmd.limit, cmd.types),
    c.ListImports: lambda a, cmd: imports.page(a, cmd.before, cmd.limit),
    c.ReadImport: lambda a, cmd: imports.detail(a, cmd.job_id, cmd.items_from, cmd.items_limit),
}


def execute(account_id: int, command, dry_run: bool = False):
    """Run one command for an account; with dry_run everything is computed and then rolled back.

    A tuple of commands (reads an answer combines) gives the tuple of their results.
    """
    if isinstance(command, tuple):
        return tuple(execute(account_id, part, dry_run) for part in command)
    handler = HANDLERS[type(command)]
    if not dry_run:
        return handler(account_id, command)
    with store.write_transaction(f"account:{account_id}") as txn:
        result = handler(account_id, command)
        txn.rollback()
    return result


def authenticate(secret: str | None, dialect: str | None, username: str | None = None, usage=()) -> int:
    """The account a key belongs to (accounts.authenticate, rate limits included); the request is
    from now on `dialect`'s (its events say so)."""
    account_id = accounts.authenticate(secret, dialect, username, usage)
    events.set_origin(dialect)
    return account_id
