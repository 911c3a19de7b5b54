"""The bulk upsert: an ordered batch in, one result per item in input order, a constant number of queries.

Items apply in input order, as if sent one after another: a later item that matches a contact an
earlier item created or changed sees that change (it is "updated", never a second contact). Every
read happens once for the whole batch, the rules run in memory, and the writes go out in bulk in
the same transaction, so a request-level error leaves nothing written.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from operator import attrgetter

from . import batch_start, catalog_cache, contact_limit, errors, identity, listeners, normalize, unsubscribed
from . import db as store
from .bulk_write import write_batch
from .contact_state import ContactState, apply_identities, merge_map, merge_nested, new_status
from .contact_state import Membership as MembershipState
from .errors import CoreError
from .field_values import FieldResolver, match_text
from .list_changes import ListResolver, apply_list_changes
from .model import CHANNEL_STATUSES, BatchResult, ContactChange, ItemResult, UpsertCommand
from .schema import Contact, ContactTag, Membership, Suppression, Tag
from .sql_bulk import select_where_in
from .lookups import BatchLookups
from .update_scope import scope_update, scoped


_row = attrgetter("row")  # a ContactState's stored row, as identity.winner ranks it
_WRITTEN_KINDS = frozenset({"email", "phone", "external_id"})  # the identities a new contact can be stored by


def upsert(account_id: int, cmd: UpsertCommand, account: batch_start.AccountRow | None = None,
           read: list[dict] | None = None) -> BatchResult:
    """Apply `cmd` in one transaction; raises CoreError for request-level failures.

    `account`: the account's row as read in the same write transaction, when the caller has it;
    `read`: contact rows (every column) the caller read in it, which the batch then does not ask for.
    """
    with store.write_transaction(f"account:{account_id}"):
        result = _Batch(account_id, cmd, account, read).run()
    listeners.items(account_id, Counter(item.outcome for item in result.items))
    return result


def addresses(cmd: UpsertCommand) -> list[str]:
    """The stored form of the emails the command's items name (those that are emails), for
    batch_start.read when a caller reads the account before the batch does."""
    found = []
    for item in cmd.items:
        raw = item.identities.get("email")
        if raw:
            try:
                found.append(identity.stored("email", raw))
            except CoreError:
                pass
    return found


def _touched(state: ContactState) -> bool:
    """Did the batch change anything of the contact beyond its own row (memberships, tags)?"""
    return state.tags_dirty or bool(state.removed_memberships) or any(m.dirty for m in state.memberships.values())


class _Batch:
    def __init__(self, account_id: int, cmd: UpsertCommand, account: batch_start.AccountRow | None = None,
                 read: list[dict] | None = None):
        self.account_id = account_id
        self.account = account
        self.read = read or ()
        self.cmd = cmd
        self.scoped = scoped(cmd)  # asked once: the command's update scope is the same for every item
        self.now = normalize.now()
        self.results: list[ItemResult | None] = [None] * len(cmd.items)
        self.index: dict[str, dict] = defaultdict(lambda: defaultdict(list))
        self.states: dict[int, ContactState] = {}  # by id, loaded from the store
        self.created: list[ContactState] = []
        self.item_states: list[ContactState | None] = [None] * len(cmd.items)
        self.live_at_load: set[int] = set()  # ids of the loaded contacts that were not deleted

    # -- reading -----------------------------------------------------------------------------
    def run(self) -> BatchResult:
        cmd = self.cmd
        identities = [self._normalise(i, item) for i, item in enumerate(cmd.items)]
        emails = [ids["email"] for ids in identities if "email" in ids]
        account = self.account or batch_start.read(self.account_id, emails, cmd.keep_account_unsubscribes)
        self.known = known = catalog_cache.catalog(account)
        self.database = known.database(cmd.database)
        self.fields = FieldResolver(self.database, cmd)
        self.fields.load(cmd.items, known.fields.get(self.database.id, ()))
        self.lists = ListResolver(self.account_id, self.database, cmd)
        self.lists.load(cmd.items, known)
        for position, item in enumerate(cmd.items):
            if item.custom_match is not None and self.results[position] is None:
                self._match_field(position, item, identities[position])
        self.lookups = BatchLookups(self.database.id, cmd.default_phone_region)
        self.lookups.prepare(cmd.items, self.results)
        self._hold(self.read)
        self._load_contacts(identities + self.lookups.wanted())
        self._load_memberships()
        self._load_tags()
        suppressed = self._suppressed(account, emails)
        self.unsubscribed = frozenset()
        if cmd.keep_account_unsubscribes:
            self.unsubscribed = self._unsubscribed(account, emails)
        over_limit_from, self.counted = contact_limit.room(self.account_id, account)
        for position, item in enumerate(cmd.items):
            if self.results[position] is None:
                self.results[position] = self._apply(position, item, identities[position], suppressed)
        new_count = sum(1 for r in self.results if r.outcome == "created")
        self._limit_warnings(over_limit_from, new_count)
        write_batch(self)
        if self.counted:
            contact_limit.adjust(self.account_id, self._live_delta())
        rows, details = {}, {}
        members_read = self.lists.used or self.lookups.uses_members  # _load_memberships read them all
        results = self.results
        for position, state in enumerate(self.item_states):
            if state is not None:
                row = state.row
                contact_id = results[position].contact_id = row["id"]
                rows[contact_id] = row
                fresh = state.is_new or state.wiped
                details[contact_id] = (list(state.memberships.values()) if fresh or members_read else None,
                                       sorted(state.tags or ()) if fresh or state.tags is not None else None)
        return BatchResult(self.results, rows, known, details)

    def _normalise(self, position: int, item: ContactChange) -> dict:
        """Normalised identities of an item; a bad one fails the item now."""
        if item.error is not None:
            self.results[position] = ItemResult("failed", error=item.error, warnings=list(item.warnings))
            return {}
        ids = {}
        try:
            for kind, raw in item.identities.items():
                if raw is None or raw == "":
                    continue
                ids[identity.column(kind)] = identity.stored(kind, raw, self.cmd.default_phone_region)
        except (CoreError, ValueError) as exc:
            self._refuse(position, item, exc)
            return {}
        return ids

    def _match_field(self, position: int, item: ContactChange, ids: dict) -> None:
        """The custom field an item matches by, once the database's fields are known."""
        ref, value = item.custom_match
        try:
            ids["field"] = (self.fields.key(ref), match_text(value))
        except (CoreError, ValueError) as exc:
            self._refuse(position, item, exc)
            ids.clear()

    def _refuse(self, position: int, item: ContactChange, exc: Exception) -> None:
        error = exc if isinstance(exc, CoreError) else CoreError(errors.INVALID_VALUE, str(exc))
        self.results[position] = ItemResult("failed", error=error, warnings=list(item.warnings))

    def _load_contacts(self, identities: list[dict]) -> None:
        """Every stored contact any item could name: one query per identity kind at most.

        Kinds are read in turn, and values already held by a contact read before are not asked
        again: on a re-import the phones all belong to contacts found by their emails, so the
        second query is not even sent.
        """
        wanted = defaultdict(set)
        for ids in identities:
            for kind, value in ids.items():
                wanted[kind].add(value)
        where = '"database_id" = ' + store.database().param
        for kind in ("id", "email", "phone", "external_id"):
            values = wanted.get(kind)
            if values:
                values = values - self.index[kind].keys()
            if values:
                self._read_states([(kind, sorted(values))], where)
        by_field = defaultdict(set)
        for key, value in wanted.get("field", ()):
            by_field[key].add(value)
        if by_field:
            self._read_states([(store.json_text_sql("fields", key), sorted(values))
                               for key, values in by_field.items()], where)

    def _read_states(self, conditions: list, where: str) -> None:
        self._hold(select_where_in(Contact, conditions, where=where, params=[self.database.id]))

    def _hold(self, rows) -> None:
        """Take stored contact rows into the batch: its states, and the index items are matched by."""
        for row in rows:
            if row["id"] not in self.states:
                state = ContactState(row)
                if row["deleted_at"] is None:
                    self.live_at_load.add(row["id"])
                self.states[row["id"]] = state
                self._index(state)

    def _index(self, state: ContactState) -> None:
        row = state.row
        index = self.index
        for kind in ("id", "email", "phone", "external_id"):
            value = row[kind]
            if value is not None:
                holders = index[kind][value]
                if state not in holders:
                    holders.append(state)
        for key in self.fields.match_keys():
            stored = row["fields"].get(key)
            if stored is not None:
                holders = index["field"][(key, match_text(stored))]
                if state not in holders:
                    holders.append(state)

    def _unindex(self, state: ContactState, kind: str, value) -> None:
        holders = self.index[kind].get(value)
        if holders and state in holders:
            holders.remove(state)

    def _load_memberships(self) -> None:
        if not self.states or not (self.lists.used or self.lookups.uses_members):
            return
        columns = ["id", "contact", "list", "channel", "status", "subscribed_at", "unsubscribed_at", "excluded_at",
                   "attrs"]
        for row in select_where_in(Membership, [("contact", list(self.states))], columns=columns):
            self.states[row["contact"]].memberships[(row["list"], row["channel"])] = _membership(row)
        for state in self.states.values():
            state.original_memberships = {key: m.status for key, m in state.memberships.items()}
        self.lists.load_spaces({key[0] for state in self.states.values() for key in state.memberships})
        if self.lookups.uses_members:
            for state in self.states.values():
                self.lookups.index(state)

    def _load_tags(self) -> None:
        self.tag_ids: dict[str, int] = {}
        names = {t for item in self.cmd.items if item.tags for t in item.tags}
        if not names and not (self.cmd.tags_mode == "replace" and any(i.tags is not None for i in self.cmd.items)):
            return
        if names:
            query = Tag.select(Tag.id, Tag.name).where((Tag.account == self.account_id) & Tag.name.in_(sorted(names)))
            self.tag_ids = {row.name: row.id for row in query}
        for state in self.states.values():
            state.tags = set()
        if self.states:
            query = (ContactTag.select(ContactTag.contact, Tag.id, Tag.name).join(Tag)
                     .where(ContactTag.contact.in_(list(self.states))).tuples())
            for contact_id, tag_id, name in query:
                self.states[contact_id].tags.add(name)
                self.tag_ids[name] = tag_id
        for state in self.states.values():
            state.original_tags = frozenset(state.tags)

    @staticmethod
    def _suppressed(account: batch_start.AccountRow, emails: list[str]) -> set[str]:
        """The batch's addresses on the suppression list: as the batch's first read found them, the
        rest (none, unless the batch was too big to fold or its caller read the account) asked now."""
        found = set(account.suppressed)
        rest = sorted(set(emails) - account.checked)
        if rest:
            found |= {row["email"] for row in select_where_in(Suppression, [("email", rest)], columns=["email"])}
        return found

    def _unsubscribed(self, account: batch_start.AccountRow, emails: list[str]) -> frozenset:
        if account.unsubscribed is None:
            return frozenset(unsubscribed.unsubscribed(self.account_id, emails))
        rest = set(emails) - account.checked
        return account.unsubscribed | (unsubscribed.unsubscribed(self.account_id, rest) if rest else frozenset())

    def _live_delta(self) -> int:
        """How many live contacts the batch added (created, brought back) less those it deleted."""
        delta = sum(1 for state in self.created if not state.deleted)
        for contact_id, state in self.states.items():
            delta += (not state.deleted) - (contact_id in self.live_at_load)
        return delta

    # -- the rules ---------------------------------------------------------------------------
    def _match(self, item: ContactChange, ids: dict) -> ContactState | None:
        order = item.match or self.cmd.match
        external = ids.get("external_id")
        for kind in order:
            if kind not in ids:
                continue
            candidates = self.index[kind].get(ids[kind]) or []
            if kind != "external_id" and external is not None and "external_id" in order:
                # A contact that already carries another external id is another person.
                candidates = [c for c in candidates if c.row["external_id"] in (None, external)]
            if candidates:
                return identity.winner(candidates, _row)
            if not self.cmd.match_fallback:
                return None
        return None

    def _apply(self, position: int, item: ContactChange, ids: dict, suppressed: set[str]) -> ItemResult:
        cmd = self.cmd
        if item.lookups:
            candidates = self.lookups.candidates(position, ids, self.index)
            state = identity.winner(candidates, _row)
        else:
            state = self._match(item, ids)
        warnings = list(item.warnings) if item.warnings else []
        restored = False
        if state is not None and state.deleted:
            if item.delete:
                return self._result("deleted", state, warnings)
            if cmd.on_deleted == "skip":
                return ItemResult("skipped", contact_id=state.id, error=CoreError(errors.CONTACT_DELETED, "Contact is deleted"), warnings=warnings)
            if cmd.mode == "create" and cmd.on_deleted != "recreate":
                return self._fail(errors.ALREADY_EXISTS, "Contact already exists", warnings)
            restored = cmd.on_deleted == "restore"
        if state is None:
            if not ids and not item.lookups and not _reachable(item):
                return self._fail(errors.MISSING_IDENTITY, "No email, phone or external id given", warnings)
            if item.delete:
                return ItemResult("deleted", warnings=warnings)
            if cmd.mode == "update":
                return self._fail(errors.CONTACT_NOT_FOUND, "Contact not found", warnings)
            if ids.keys().isdisjoint(_WRITTEN_KINDS) and not _reachable(item):
                return self._fail(errors.MISSING_IDENTITY, "No email, phone or external id given", warnings)
        elif cmd.mode == "create" and not state.deleted:
            return self._fail(errors.ALREADY_EXISTS, "Contact already exists", warnings, state)
        if state is not None and self.scoped and (not state.deleted or restored):
            item, ids = scope_update(item, ids, state, cmd, self.fields.key)
        if cmd.unique:
            conflict = self._conflict(state, ids)
            if conflict is not None:
                return conflict
        if state is not None and state.row["email_status"] in cmd.skip_statuses:
            return ItemResult("skipped", contact_id=state.id, warnings=warnings, email=state.row["email"],
                              email_status=state.row["email_status"],
                              error=CoreError(errors.STATUS_LOCKED, f"Contact is {state.row['email_status']}"))
        email = ids.get("email")
        if email in suppressed and cmd.on_suppressed == "fail":
            return self._fail(errors.SUPPRESSED, "Address is globally suppressed", warnings, state)
        for requested in (item.email_status, item.phone_status):
            if requested is not None and requested not in CHANNEL_STATUSES:
                return self._fail(errors.INVALID_STATUS, f"Invalid status: {requested}", warnings, state)
        if item.tags is not None and cmd.max_tags is not None and len(item.tags) > cmd.max_tags:
            return self._fail(errors.TOO_MANY_TAGS, f"Too many tags: {len(item.tags)}, the limit is {cmd.max_tags}",
                              warnings, state)
        field_changes, field_error = self.fields.changes(item) if item.fields else (None, None)
        if field_error is not None:
            return self._fail(field_error.code, field_error.message, warnings, state)
        list_error = self.lists.check(item) if item.lists else None
        if list_error is not None:
            return self._fail(list_error.code, list_error.message, warnings, state, **list_error.details)

        # Nothing below can fail: the item is valid, so it is applied.
        if state is None:
            state = ContactState.create(self.account_id, self.database.id, cmd.source, self.now)
            self.created.append(state)
            outcome = "created"
        elif state.deleted:
            if restored:
                state.restore()
                outcome = "updated"
            else:
                state.wipe(self.now)
                outcome = "created"
        else:
            outcome = "updated"
        if item.delete:
            state.soft_delete(self.now)
            self._remember(position, state)
            return self._result("deleted", state, warnings)
        fresh = state.is_new or state.wiped
        changed = apply_identities(state, item, ids)
        for kind, (old, new) in changed.items():
            if old is not None:
                self._unindex(state, kind, old)
        self._apply_statuses(state, item, changed, fresh, email in suppressed, warnings)
        if email in self.unsubscribed and (fresh or "email" in changed) and email not in suppressed:
            state.set("email_status", "unsubscribed")  # cmd.keep_account_unsubscribes
            warnings.append((errors.STATUS_LOCKED, "Address is unsubscribed in this account; kept so"))
        if item.confirmed is not None:
            state.set("confirmed", item.confirmed)
        elif fresh:
            state.set("confirmed", cmd.default_confirmed)
        if item.attrs:
            state.set("attrs", merge_map(state.row["attrs"], item.attrs, cmd.field_merge))
        if item.merge_attrs:
            state.set("attrs", merge_nested(state.row["attrs"], item.merge_attrs))
        if item.replace_fields:
            state.set("fields", merge_map({}, field_changes or {}, "overwrite"))
        elif field_changes:
            if fresh and not state.row["fields"]:
                state.row["fields"] = {k: v for k, v in field_changes.items() if v is not None}
            else:
                state.set("fields", merge_map(state.row["fields"], field_changes, cmd.field_merge))
        self._index(state)
        if item.channels:
            state.set("channels", merge_map(state.row["channels"], item.channels, "overwrite"))
        if item.tags is not None:
            self._apply_tags(state, item.tags)
        if item.lists or item.replace_lists_of or item.lists_mode or cmd.lists_mode == "replace":
            apply_list_changes(state, item, self.lists, cmd, self.now, warnings, self.lists.resolved(item, state))
            if self.lookups.uses_members:
                self.lookups.index(state)
        if state.dirty:
            state.row["updated_at"] = self.now
        elif outcome == "updated" and cmd.report_unchanged and not _touched(state):
            outcome = "unchanged"
        self._remember(position, state)
        result = self._result(outcome, state, warnings)
        result.restored = restored
        return result

    def _conflict(self, state: ContactState | None, ids: dict) -> ItemResult | None:
        for kind in self.cmd.unique:
            value = ids.get(kind)
            if value is None:
                continue
            holders = self.index[kind].get(value)
            if holders and any(c is not state and not c.deleted for c in holders):
                code = errors.CONFLICT_BY_IDENTITY.get(kind, errors.INVALID_VALUE)
                return self._fail(code, f"The {kind} {value} belongs to another contact", [], state, kind=kind)
        return None

    def _apply_statuses(self, state, item, changed, fresh, suppressed, warnings) -> None:
        cmd = self.cmd
        row = state.row
        if fresh and not suppressed:  # a new contact: the requested status or the default, no rules
            if row["email"] is not None:
                row["email_status"] = item.email_status or cmd.default_email_status
            if row["phone"] is not None:
                row["phone_status"] = item.phone_status or cmd.default_phone_status
            return
        if state.row["email"] is not None:
            status, warning = new_status(state, "email_status", item.email_status, cmd.default_email_status,
                                         cmd, fresh or "email" in changed)
            if suppressed:
                status = "blocked"
                warnings.append((errors.SUPPRESSED_WARNING, "Address is globally suppressed; stored as blocked"))
            state.set("email_status", status)
            if warning:
                warnings.append((warning, f"Email status stays {state.row['email_status']}"))
        elif "email" in changed:
            state.set("email_status", None)
        if state.row["phone"] is not None:
            status, warning = new_status(state, "phone_status", item.phone_status, cmd.default_phone_status,
                                         cmd, fresh or "phone" in changed)
            state.set("phone_status", status)
            if warning:
                warnings.append((warning, f"Phone status stays {state.row['phone_status']}"))
        elif "phone" in changed:
            state.set("phone_status", None)

    def _apply_tags(self, state: ContactState, tags: list[str]) -> None:
        wanted = {t for t in tags if t}
        current = state.tags or set()
        result = wanted if self.cmd.tags_mode == "replace" else current | wanted
        if result != current:
            state.tags = result
            state.tags_dirty = True

    def _limit_warnings(self, room: int | None, created: int) -> None:
        if room is None or created <= room:
            return
        seen = 0
        for result in self.results:
            if result.outcome == "created":
                seen += 1
                if seen > room:
                    result.warnings.append((errors.OVER_LIMIT, "The contact limit of the account is exceeded"))

    # -- helpers -----------------------------------------------------------------------------
    def _remember(self, position: int, state: ContactState) -> None:
        self.item_states[position] = state

    def _result(self, outcome: str, state: ContactState | None, warnings) -> ItemResult:
        if state is None:
            return ItemResult(outcome, warnings=warnings)
        row = state.row
        return ItemResult(outcome, contact_id=state.id, warnings=warnings,
                          email=row["email"], phone=row["phone"], external_id=row["external_id"],
                          email_status=row["email_status"])

    def _fail(self, code, message, warnings, state=None, **details) -> ItemResult:
        result = ItemResult("failed", error=CoreError(code, message, **details), warnings=warnings)
        if state is not None and not state.is_new:
            result.contact_id = state.id
        return result


def _reachable(item: ContactChange) -> bool:
    """Can a contact without email, phone or external id still be reached (a channel, a membership address)?"""
    return bool(item.channels) or any(change.address for change in item.lists)


def _membership(row: dict) -> MembershipState:
    return MembershipState(list_id=row["list"], channel=row["channel"], status=row["status"],
                 subscribed_at=row["subscribed_at"], unsubscribed_at=row["unsubscribed_at"],
                 excluded_at=row["excluded_at"], attrs=row["attrs"] or {}, row_id=row["id"])

