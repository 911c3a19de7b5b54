"""List references of a batch, resolved once, and the membership rules applied per item."""
from __future__ import annotations

from datetime import datetime

from . import catalog, errors
from .contact_state import ContactState, Membership
from .errors import CoreError
from .model import ContactChange, UpsertCommand
from .schema import ContactList, Database


class ListResolver:
    """Maps list numbers (or titles) used by a batch to ContactList ids of its database."""

    def __init__(self, account_id: int, database: Database, cmd: UpsertCommand):
        self.account_id = account_id
        self.database = database
        self.cmd = cmd
        self.ids: dict = {}
        self.used = False

    def load(self, items: list[ContactChange]) -> None:
        refs = {change.list for item in items for change in item.lists}
        self.used = bool(refs) or self.cmd.lists_mode == "replace" or any(
            i.lists_mode == "replace" or i.replace_lists_of for i in items)
        if not refs:
            return
        numbers = {r for r in refs if isinstance(r, int)}
        titles = {r for r in refs if isinstance(r, str)}
        query = ContactList.select(ContactList.id, ContactList.number, ContactList.title).where(
            ContactList.database == self.database.id)
        condition = None
        if numbers:
            condition = ContactList.number.in_(sorted(numbers))
        if titles:
            by_title = ContactList.title.in_(sorted(titles))
            condition = by_title if condition is None else condition | by_title
        for row in query.where(condition):
            if row.number in numbers:
                self.ids[row.number] = row.id
            if row.title in titles:
                self.ids.setdefault(row.title, row.id)
        missing_numbers = sorted(n for n in numbers if n not in self.ids)
        if missing_numbers and self.cmd.invalid_lists == "fail_item":
            self._fail_items(items, set(missing_numbers))
            missing_numbers = []
        if missing_numbers:
            shown = ",".join(map(str, missing_numbers))
            raise CoreError(errors.UNKNOWN_LIST, f"List not found: {shown}", ids=missing_numbers)
        missing_titles = sorted(t for t in titles if t not in self.ids)
        if missing_titles and not self.cmd.create_missing_lists:
            raise CoreError(errors.UNKNOWN_LIST, f"List not found: {', '.join(missing_titles)}", titles=missing_titles)
        if missing_titles:
            self._create(missing_titles)

    @staticmethod
    def _fail_items(items: list[ContactChange], missing: set) -> None:
        """Each item that names a list the database lacks fails alone (before anything is applied)."""
        for item in items:
            if item.error is None:
                absent = sorted({c.list for c in item.lists if c.list in missing})
                if absent:
                    shown = ",".join(map(str, absent))
                    item.error = CoreError(errors.UNKNOWN_LIST, f"List not found: {shown}", ids=absent)

    def _create(self, titles: list[str]) -> None:
        number = catalog.next_number(ContactList, self.account_id)
        rows = [dict(account=self.account_id, database=self.database.id, number=number + i, title=title)
                for i, title in enumerate(titles)]
        ContactList.insert_many(rows).execute()
        created = ContactList.select(ContactList.id, ContactList.title).where(
            (ContactList.account == self.account_id) & (ContactList.number >= number))
        for row in created:
            self.ids.setdefault(row.title, row.id)


def apply_list_changes(state: ContactState, item: ContactChange, lists: ListResolver, cmd: UpsertCommand,
                       now: datetime, warnings: list) -> None:
    mode = item.lists_mode or cmd.lists_mode
    mentioned = set()
    for change in item.lists:
        key = (lists.ids[change.list], change.channel)
        mentioned.add(key)
        current = state.memberships.get(key)
        if change.status == "removed":
            _remove(state, key)
            continue
        if current is None:
            current = Membership(list_id=key[0], channel=change.channel, status="")
            state.memberships[key] = current
        at = change.at or now
        before = (current.status, current.subscribed_at, current.unsubscribed_at, current.excluded_at)
        if change.status == "subscribed":
            if current.status == "unsubscribed" and not cmd.resubscribe:
                warnings.append((errors.MEMBERSHIP_LOCKED, f"The contact unsubscribed from list {change.list}"))
            elif current.status != "subscribed" or change.at:
                current.status = "subscribed"
                current.subscribed_at = at
        elif change.status == "unsubscribed":
            if current.status != "unsubscribed":
                current.status = "unsubscribed"
                current.unsubscribed_at = at
        elif change.status == "excluded":
            if current.status != "excluded":
                current.status = "excluded"
                current.excluded_at = at
        elif change.status in ("suspended",):
            current.status = change.status
        else:
            raise CoreError(errors.INVALID_STATUS, f"Invalid membership status: {change.status}")
        if change.attrs:
            merged = {**current.attrs, **change.attrs}
            if merged != current.attrs:
                current.attrs = merged
                current.dirty = True
        if before != (current.status, current.subscribed_at, current.unsubscribed_at, current.excluded_at):
            current.dirty = True
    if mode == "replace" or item.replace_lists_of:
        channels = item.replace_lists_of or None
        for key, membership in list(state.memberships.items()):
            # Consent records survive a replace: an unsubscribe is the contact's decision, not data.
            if key in mentioned or membership.status == "unsubscribed":
                continue
            if channels is None or key[1] in channels:
                _remove(state, key)


def _remove(state: ContactState, key) -> None:
    membership = state.memberships.pop(key, None)
    if membership is not None and membership.row_id is not None:
        state.removed_memberships.append(membership.row_id)
