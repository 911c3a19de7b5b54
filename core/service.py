"""The core's one entry point: execute(account, command) -> result, in the command's own transaction."""
from __future__ import annotations

from dataclasses import dataclass

from . import accounts, catalog, consent, contacts, deletion, jobs, list_members, memberships
from . import commands as c
from . import db as store
from .lookups import delete_located, locate
from .model import UpsertCommand
from .schema import Account
from .upsert import upsert


@dataclass
class SearchResult:
    contacts: list
    total: int | None


@dataclass
class JobResult:
    job: object
    items: list | None = None


def _search(account_id: int, cmd: c.SearchContacts) -> SearchResult:
    found = contacts.search(account_id, cmd.filter, cmd.offset, cmd.limit, cmd.with_details)
    total = contacts.count(account_id, cmd.filter) if cmd.with_total else None
    return SearchResult(found, total)


def _job(account_id: int, cmd: c.GetJob) -> JobResult:
    job = jobs.get(account_id, cmd.job_id)
    return JobResult(job, jobs.items(job.id) if cmd.with_items else None)


HANDLERS = {
    UpsertCommand: lambda a, cmd: upsert(a, cmd),
    c.ChangeMemberships: lambda a, cmd: memberships.change(a, cmd.kind, cmd.value, cmd.status, cmd.lists,
                                                           cmd.channel, cmd.database),
    c.FindContact: lambda a, cmd: contacts.find(a, cmd.kind, cmd.value, cmd.database, cmd.include_deleted),
    c.FindContacts: lambda a, cmd: contacts.find_many(a, cmd.kind, cmd.values, cmd.database, cmd.include_deleted),
    c.LocateContact: lambda a, cmd: locate(a, cmd.database, cmd.lookups, cmd.custom_match),
    c.DeleteLocated: lambda a, cmd: delete_located(a, cmd.database, cmd.lookups, cmd.custom_match, cmd.erase),
    c.DeleteContacts: lambda a, cmd: deletion.delete(a, cmd.kind, cmd.values, cmd.database, cmd.erase),
    c.UnsubscribeEverywhere: lambda a, cmd: consent.unsubscribe_everywhere(a, cmd.emails, cmd.database,
                                                                          cmd.remember_unknown, cmd.source),
    c.SearchContacts: _search,
    c.CountContacts: lambda a, cmd: contacts.count(a, cmd.filter),
    c.GetLists: lambda a, cmd: catalog.lists(a, cmd.database, cmd.kind),
    c.CreateList: lambda a, cmd: catalog.create_list(a, cmd.title, cmd.database, cmd.kind, cmd.attrs,
                                                     unique_title=cmd.unique_title),
    c.UpdateList: lambda a, cmd: catalog.update_list(a, cmd.number, cmd.title, cmd.attrs),
    c.DeleteList: lambda a, cmd: catalog.delete_list(a, cmd.number),
    c.GetFields: lambda a, cmd: catalog.fields(a, cmd.database),
    c.CreateField: lambda a, cmd: catalog.create_field(a, cmd.name, cmd.type, cmd.database, cmd.public_name,
                                                       cmd.allowed_values, cmd.attrs),
    c.UpdateField: lambda a, cmd: catalog.update_field(a, cmd.number, cmd.name, cmd.public_name, cmd.attrs),
    c.DeleteField: lambda a, cmd: catalog.delete_field(a, cmd.number),
    c.GetTags: lambda a, cmd: catalog.tags(a),
    c.DeleteTag: lambda a, cmd: catalog.delete_tag(a, cmd.number),
    c.AttachToList: lambda a, cmd: list_members.attach(a, cmd.list, cmd.kind, cmd.values),
    c.DetachFromList: lambda a, cmd: list_members.detach(a, cmd.list, cmd.kind, cmd.values),
    c.ResubscribeEverywhere: lambda a, cmd: consent.resubscribe_everywhere(a, cmd.emails, cmd.status),
    c.GetAccount: lambda a, cmd: Account.get_by_id(a),
    c.StartJob: lambda a, cmd: jobs.create(a, cmd.kind, cmd.payload),
    c.GetJob: _job,
}


def execute(account_id: int, command, dry_run: bool = False):
    """Run one command for an account; with dry_run everything is computed and then rolled back."""
    handler = HANDLERS[type(command)]
    if not dry_run:
        return handler(account_id, command)
    with store.write_transaction(f"account:{account_id}") as txn:
        result = handler(account_id, command)
        txn.rollback()
    return result


authenticate = accounts.authenticate
