"""List references of a batch, resolved once, and the membership rules applied per item."""
from __future__ import annotations

from datetime import datetime

from . import catalog, errors
from . import db as store
from .contact_state import ContactState, Membership
from .errors import CoreError
from .model import MEMBERSHIP_ADDRESS, ContactChange, ListChange, UpsertCommand
from .schema import ContactList, Database
from .sql_bulk import select_where_in


class ListResolver:
    """Maps list numbers (or titles) used by a batch to ContactList ids of its database."""

    def __init__(self, account_id: int, database: Database, cmd: UpsertCommand):
        self.account_id = account_id
        self.database = database
        self.cmd = cmd
        self.ids: dict = {}
        self.kinds: dict[int, tuple[str, tuple]] = {}  # list id -> (kind, channels it carries; () any)
        self.dropped: set[int] = set()  # ids of optional ListChanges that name a list they may not use
        self.used = False
        self.replaces = False
        self.apart: set[int] = set()  # ids of the contacts' lists outside the shared "list" id space
        self.known = None  # the account's remembered catalogue (core.catalog_cache), when the batch has it
        self.read_only: set[int] = set()  # ids of the batch's lists that take no change (catalog.READ_ONLY)

    @staticmethod
    def key(change: ListChange) -> tuple[str, int | str]:
        """A list reference within its id space: the same number names different lists in two spaces."""
        return catalog.space_of(change.kind), change.list

    def id_of(self, change: ListChange) -> int:
        return self.ids[self.key(change)]

    def load(self, items: list[ContactChange], known=None) -> None:
        """Resolve the batch's list references, against `known` (a catalog_cache.Catalog) when given."""
        self.known = known
        refs = {self.key(change) for item in items for change in item.lists}
        self.replaces = self.cmd.lists_mode == "replace" or any(
            i.lists_mode == "replace" or i.replace_lists_of for i in items)
        self.used = bool(refs) or self.replaces
        if not refs:
            return
        numbers = {r for r in refs if isinstance(r[1], int)}
        titles = {r for r in refs if isinstance(r[1], str)}
        conditions = [("number", sorted({n for _, n in numbers})), ("title", sorted({t for _, t in titles}))]
        if known is None:
            rows = select_where_in(ContactList, conditions, where='"database_id" = ' + store.database().param,
                                   params=[self.database.id], columns=["id", "space", "number", "title", "kind", "attrs"])
        else:
            wanted_numbers, wanted_titles = set(conditions[0][1]), set(conditions[1][1])
            rows = [row for row in known.lists.get(self.database.id, ())
                    if row["number"] in wanted_numbers or row["title"] in wanted_titles]
        for row in rows:
            list_id, space = row["id"], row["space"]
            self.kinds[list_id] = (row["kind"], tuple((row["attrs"] or {}).get("channels") or ()))
            if catalog.read_only(row["attrs"]):
                self.read_only.add(list_id)
            if (space, row["number"]) in numbers:
                self.ids[(space, row["number"])] = list_id
            if (space, row["title"]) in titles:
                self.ids.setdefault((space, row["title"]), list_id)
        missing_numbers = sorted(n for space, n in numbers if (space, n) not in self.ids)
        if missing_numbers and self.cmd.invalid_lists == "error":
            shown = ",".join(map(str, missing_numbers))
            raise CoreError(errors.UNKNOWN_LIST, f"List not found: {shown}", ids=missing_numbers)
        missing_titles = sorted(r for r in titles if r not in self.ids)
        if missing_titles and not self.cmd.create_missing_lists:
            shown = ", ".join(t for _, t in missing_titles)
            raise CoreError(errors.UNKNOWN_LIST, f"List not found: {shown}", titles=[t for _, t in missing_titles])
        # Taking a contact out of a list that does not exist changes nothing: no list is created for it.
        wanted = {self.key(change) for item in items for change in item.lists if change.status != "removed"}
        for ref in missing_titles:
            if ref not in wanted:
                self.ids[ref] = 0  # names no list, so the removal finds no membership
        missing_titles = [r for r in missing_titles if r in wanted]
        if missing_titles:
            self._create([t for _, t in missing_titles])

    def load_spaces(self, list_ids: set[int]) -> None:
        """Which of the contacts' current lists a replace must leave alone (one query, and only
        for a batch that replaces)."""
        if self.replaces and list_ids:
            shared = catalog.space_of(None)
            if self.known is not None:
                rows = [self.known.list_by_id[i] for i in list_ids if i in self.known.list_by_id]
            else:
                rows = select_where_in(ContactList, [("id", sorted(list_ids))], columns=["id", "space"])
            self.apart = {row["id"] for row in rows if row["space"] != shared}

    def check(self, item: ContactChange) -> CoreError | None:
        """The error that fails `item` for a list it may not use (unknown, of another kind, read-only,
        or not carrying the channel); an optional change with such a list is dropped instead."""
        for change in item.lists:
            problem = self._problem(change)
            if problem is None:
                continue
            if change.optional:
                self.dropped.add(id(change))
            elif self.cmd.invalid_lists == "error":
                raise problem
            else:
                return problem
        return None

    def _problem(self, change: ListChange) -> CoreError | None:
        list_id = self.ids.get(self.key(change))
        kind, channels = self.kinds.get(list_id, ("", ()))
        if list_id is None or (change.kind is not None and kind != change.kind):
            return CoreError(errors.UNKNOWN_LIST, f"List not found: {change.list}", ids=[change.list],
                             kind=change.kind)
        if list_id in self.read_only:
            return CoreError(errors.LIST_READ_ONLY, f"List {change.list} cannot be written to", ids=[change.list])
        if channels and change.channel not in channels:
            return CoreError(errors.CHANNEL_NOT_CARRIED, f"List {change.list} does not carry channel {change.channel}",
                             ids=[change.list], channel=change.channel)
        return None

    def resolved(self, item: ContactChange, state: ContactState) -> list[ListChange]:
        """The item's list changes in the plain form apply_list_changes takes: optional changes
        `check` dropped left out, a status of None made the membership's own (subscribed when new),
        the address written into attrs, and dict attrs merged into the stored ones key by key (so a
        subscription's custom fields not mentioned keep their values)."""
        if not self.dropped and all(self._plain(change) for change in item.lists):
            return item.lists
        changes = []
        for change in item.lists:
            if id(change) in self.dropped:
                continue
            current = state.memberships.get((self.id_of(change), change.channel))
            status = change.status
            if status is None:
                status = current.status if current is not None else "subscribed"
            attrs = change.attrs
            if change.address is not None:
                attrs = {**(attrs or {}), MEMBERSHIP_ADDRESS: change.address}
            if attrs and current is not None:
                attrs = {key: {**current.attrs[key], **value}
                         if isinstance(value, dict) and isinstance(current.attrs.get(key), dict) else value
                         for key, value in attrs.items()}
            changes.append(ListChange(list=change.list, status=status, channel=change.channel, at=change.at,
                                      attrs=attrs, kind=change.kind))
        return changes

    @staticmethod
    def _plain(change: ListChange) -> bool:
        return change.status is not None and change.address is None and not (
            change.attrs and any(isinstance(value, dict) for value in change.attrs.values()))

    def _create(self, titles: list[str]) -> None:
        """Lists named by a title nobody has yet, created in the shared "list" space."""
        kind = self.cmd.new_list_kind
        space = catalog.space_of(kind)
        number = catalog.next_number(ContactList, self.account_id, space)
        rows = [dict(account=self.account_id, database=self.database.id, space=space, number=number + i, title=title,
                     kind=kind) for i, title in enumerate(titles)]
        ContactList.insert_many(rows).execute()
        created = ContactList.select(ContactList.id, ContactList.title).where(
            (ContactList.account == self.account_id) & (ContactList.space == space) & (ContactList.number >= number))
        for row in created:
            self.ids.setdefault((space, row.title), row.id)


def apply_list_changes(state: ContactState, item: ContactChange, lists: ListResolver, cmd: UpsertCommand,
                       now: datetime, warnings: list, changes: list[ListChange] | None = None) -> None:
    """Apply `changes` (default: the item's own, already in plain form) to the state's memberships."""
    mode = item.lists_mode or cmd.lists_mode
    mentioned = set()
    memberships = state.memberships
    for change in item.lists if changes is None else changes:
        status = change.status
        key = (lists.id_of(change), change.channel)
        mentioned.add(key)
        if status == "removed":
            _remove(state, key)
            continue
        if status not in _STAMPS:
            raise CoreError(errors.INVALID_STATUS, f"Invalid membership status: {status}")
        current = memberships.get(key)
        at = change.at or now
        if current is None:  # first time in this list: nothing to weigh against
            current = memberships[key] = Membership(list_id=key[0], channel=change.channel, status=status, dirty=True)
            if _STAMPS[status]:
                setattr(current, _STAMPS[status], at)
        elif status == "subscribed":
            if current.status == "unsubscribed" and not cmd.resubscribe:
                warnings.append((errors.MEMBERSHIP_LOCKED, f"The contact unsubscribed from list {change.list}"))
            elif current.status != "subscribed" or (change.at and change.at != current.subscribed_at):
                current.status, current.subscribed_at, current.dirty = "subscribed", at, True
        elif current.status != status:
            current.status, current.dirty = status, True
            if _STAMPS[status]:
                setattr(current, _STAMPS[status], at)
        if change.attrs:
            merged = {**current.attrs, **change.attrs}
            if merged != current.attrs:
                current.attrs, current.dirty = merged, True
    if mode == "replace" or item.replace_lists_of:
        channels = item.replace_lists_of or None
        for key, membership in list(memberships.items()):
            # Consent records survive a replace: an unsubscribe is the contact's decision, not data.
            # So do memberships in lists numbered apart (resources): a replace
            # speaks of the shared list space only.
            if key in mentioned or membership.status == "unsubscribed" or key[0] in lists.apart:
                continue
            if channels is None or key[1] in channels:
                _remove(state, key)


# The time column each membership status stamps.
_STAMPS = {"subscribed": "subscribed_at", "unsubscribed": "unsubscribed_at", "excluded": "excluded_at",
           "suspended": None}


def _remove(state: ContactState, key) -> None:
    membership = state.memberships.pop(key, None)
    if membership is not None and membership.row_id is not None:
        state.removed_memberships.append(membership.row_id)
