"""Peewee models of the contact store; the same tables on SQLite and PostgreSQL."""
from __future__ import annotations

import orjson
import peewee as pw

from .db import proxy
from .normalize import now


class JSONField(pw.TextField):
    """JSON in a text column: identical on both backends, orjson-fast both ways."""

    def db_value(self, value):
        if value is None:
            return None
        if not value and value.__class__ is dict:
            return "{}"  # most rows carry some empty mapping; no need to serialise it
        return orjson.dumps(value, default=str).decode()

    def python_value(self, value):
        return None if value is None else orjson.loads(value)


class Base(pw.Model):
    class Meta:
        database = proxy
        legacy_table_names = False


class Account(Base):
    name = pw.CharField(max_length=200, unique=True)
    contact_limit = pw.IntegerField(null=True)  # tariff-style cap; over it imports warn, not fail
    live_contacts = pw.BigIntegerField(null=True)  # kept only under a limit (core.contact_limit)
    settings = JSONField(default=dict)
    # Which vendor rate limits the account's keys meet: {dialect: true | {rule: calls | false}};
    # None (the default) means none, as a self-hosted gateway owes no one a throttle.
    limits = JSONField(null=True)
    created_at = pw.DateTimeField(default=now)


class Credential(Base):
    """An API key of one account, stored as a SHA-256 digest (keys are high-entropy secrets)."""

    account = pw.ForeignKeyField(Account, backref="credentials", on_delete="CASCADE")
    key_hash = pw.CharField(max_length=64, unique=True)
    key_prefix = pw.CharField(max_length=12)  # shown in listings so an operator can tell keys apart
    dialect = pw.CharField(max_length=20, null=True)  # None: valid for every dialect
    username = pw.CharField(max_length=200, null=True)  # dialects that check a user name too
    label = pw.CharField(max_length=200, default="")
    created_at = pw.DateTimeField(default=now)
    revoked_at = pw.DateTimeField(null=True)


class Database(Base):
    """An audience (a numbered database, a profile); `number` lives in the account's id space."""

    account = pw.ForeignKeyField(Account, backref="databases", on_delete="CASCADE")
    number = pw.IntegerField()
    name = pw.CharField(max_length=200, default="")
    attrs = JSONField(default=dict)

    class Meta:
        indexes = ((("account", "number"), True),)


class FieldDef(Base):
    """A custom field of a database; values are keyed by `id` so renames keep data."""

    account = pw.ForeignKeyField(Account, on_delete="CASCADE")
    database = pw.ForeignKeyField(Database, backref="fields", on_delete="CASCADE")
    number = pw.IntegerField()
    name = pw.CharField(max_length=200)
    type = pw.CharField(max_length=20, default="string")
    public_name = pw.CharField(max_length=200, null=True)
    allowed_values = JSONField(null=True)
    attrs = JSONField(default=dict)

    class Meta:
        indexes = ((("account", "number"), True), (("database", "name"), True))


class ContactList(Base):
    """A list / segment / address book / resource, numbered in one of its account's id spaces.

    Lists, segments and address books share the "list" space (one dialect's list is another's
    segment); resources number themselves apart ("resource"), since a client can have resource 1
    and segment 1 at once.
    """

    account = pw.ForeignKeyField(Account, on_delete="CASCADE")
    database = pw.ForeignKeyField(Database, backref="lists", on_delete="CASCADE")
    space = pw.CharField(max_length=16, default="list")
    number = pw.IntegerField()
    title = pw.CharField(max_length=500)
    kind = pw.CharField(max_length=20, default="list")
    attrs = JSONField(default=dict)
    created_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("account", "space", "number"), True), (("database", "title"), False))


class Tag(Base):
    account = pw.ForeignKeyField(Account, on_delete="CASCADE")
    number = pw.IntegerField()
    name = pw.CharField(max_length=200)

    class Meta:
        indexes = ((("account", "number"), True), (("account", "name"), True))


class Contact(Base):
    """One person in one database.

    Identities are plain indexed columns, not unique constraints: some dialects keep
    several contacts with one address. Writers of one database are serialised instead
    (db.write_transaction), which is what keeps identities unique where a dialect wants it.
    """

    id = pw.BigAutoField()
    # Foreign keys without their own indexes: the composite indexes below start with them, and
    # every index is paid again on each of a batch's inserts.
    account = pw.ForeignKeyField(Account, on_delete="CASCADE", index=False)
    database = pw.ForeignKeyField(Database, on_delete="CASCADE", index=False)
    email = pw.CharField(max_length=320, null=True)
    phone = pw.CharField(max_length=32, null=True)
    external_id = pw.CharField(max_length=256, null=True)
    email_status = pw.CharField(max_length=24, null=True)
    phone_status = pw.CharField(max_length=24, null=True)
    confirmed = pw.BooleanField(default=True)
    attrs = JSONField(default=dict)  # system fields by canonical name (core.model.SYSTEM_ATTRS)
    fields = JSONField(default=dict)  # custom values by FieldDef.id
    channels = JSONField(default=dict)  # further channels (push tokens, messengers) by type
    source = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)
    deleted_at = pw.DateTimeField(null=True)



# Partial indexes: most contacts have no phone or external id, and an index entry nobody looks up
# still costs every insert of a batch.
Contact.add_index(Contact.index(Contact.database, Contact.email))
Contact.add_index(Contact.index(Contact.database, Contact.phone).where(Contact.phone.is_null(False)))
Contact.add_index(Contact.index(Contact.database, Contact.external_id).where(Contact.external_id.is_null(False)))
Contact.add_index(Contact.index(Contact.account, Contact.deleted_at))


class ContactTag(Base):
    contact = pw.ForeignKeyField(Contact, on_delete="CASCADE", index=False)
    tag = pw.ForeignKeyField(Tag, on_delete="CASCADE", index=False)

    class Meta:
        primary_key = pw.CompositeKey("contact", "tag")
        indexes = ((("tag",), False),)


class Membership(Base):
    """A contact's place in a list for one channel, with its own status and times."""

    contact = pw.ForeignKeyField(Contact, on_delete="CASCADE", index=False)
    list = pw.ForeignKeyField(ContactList, on_delete="CASCADE", index=False)
    channel = pw.CharField(max_length=16, default="email")
    status = pw.CharField(max_length=16)  # subscribed | unsubscribed | excluded | suspended
    subscribed_at = pw.DateTimeField(null=True)
    unsubscribed_at = pw.DateTimeField(null=True)
    excluded_at = pw.DateTimeField(null=True)
    updated_at = pw.DateTimeField(default=now)
    attrs = JSONField(default=dict)  # dialect-visible extras: priority, custom fields, categories

    class Meta:
        indexes = ((("contact", "list", "channel"), True), (("list", "status"), False))


class Suppression(Base):
    """The platform-wide bounce / complaint list consulted by every import."""

    email = pw.CharField(max_length=320, primary_key=True)
    reason = pw.CharField(max_length=64, default="bounce")
    created_at = pw.DateTimeField(default=now)


class Job(Base):
    """An asynchronous job; its payload is persisted so a crash loses nothing."""

    id = pw.CharField(max_length=36, primary_key=True)
    account = pw.ForeignKeyField(Account, on_delete="CASCADE")
    kind = pw.CharField(max_length=64)
    dialect = pw.CharField(max_length=20, default="")  # the dialect whose request created it
    state = pw.CharField(max_length=16, default="queued")  # queued | running | finished | failed
    payload = JSONField(default=dict)
    progress = JSONField(default=dict)
    result = JSONField(null=True)
    error = pw.TextField(null=True)
    attempts = pw.IntegerField(default=0)
    lease_until = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)
    finished_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("state", "lease_until"), False), (("account", "created_at"), False))


class JobItem(Base):
    """Per-item report of an import job, written with the chunk that produced it."""

    job = pw.ForeignKeyField(Job, on_delete="CASCADE")
    position = pw.IntegerField()
    outcome = pw.CharField(max_length=16)
    contact_id = pw.BigIntegerField(null=True)
    key = pw.CharField(max_length=320, null=True)
    error = pw.CharField(max_length=64, null=True)
    message = pw.TextField(null=True)

    class Meta:
        primary_key = pw.CompositeKey("job", "position")


class JobInput(Base):
    """The bytes a job reads again (an import's request body), in parts so no statement carries them whole.

    Kept from the request that made the job until the job ends; a resumed job reads the same bytes.
    """

    job = pw.ForeignKeyField(Job, on_delete="CASCADE")
    part = pw.IntegerField()
    data = pw.BlobField()

    class Meta:
        primary_key = pw.CompositeKey("job", "part")


class JobBlob(Base):
    """A job's output file (exports), kept in the store so every machine can serve it."""

    job = pw.ForeignKeyField(Job, primary_key=True, on_delete="CASCADE")
    content_type = pw.CharField(max_length=100)
    data = pw.BlobField()


class Event(Base):
    """The outbox: vendor triggers and canonical changes, written in the write's own transaction.

    Ids increase in commit order within an account (events are only written under the account's
    write lock, core.events), so a reader that remembers the last id it saw never skips one.
    """

    id = pw.BigAutoField()
    account = pw.ForeignKeyField(Account, on_delete="CASCADE", index=False)
    contact = pw.ForeignKeyField(Contact, null=True, on_delete="SET NULL")
    name = pw.CharField(max_length=200)  # the event type: a vendor's own name or contact.* / list.*
    key = pw.CharField(max_length=320, default="")
    params = JSONField(default=dict)
    dialect = pw.CharField(max_length=20, default="")
    created_at = pw.DateTimeField(default=now)
    delivered_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("account", "id"), False),)


class RateWindow(Base):
    """One rate limit's fixed window of one account: calls counted since `window_start` (epoch s).

    A single row per (account, scope), rewritten in place when the next window begins, so the
    table never grows with time and needs no clean-up.
    """

    account = pw.ForeignKeyField(Account, on_delete="CASCADE")
    scope = pw.CharField(max_length=64)
    window_start = pw.BigIntegerField()
    count = pw.IntegerField()

    class Meta:
        indexes = ((("account", "scope"), True),)


class LegacyId(Base):
    """The id a contact had at the client's old vendor (core/legacy_ids.py), so calls that name it still find it."""

    account = pw.ForeignKeyField(Account, on_delete="CASCADE", index=False)
    value = pw.BigIntegerField()
    contact = pw.ForeignKeyField(Contact, on_delete="CASCADE")

    class Meta:
        primary_key = pw.CompositeKey("account", "value")


class PullState(Base):
    """Where a pull from a client's old vendor stands (core/pulls.py): its cursor, counters and times.

    `source` names the old account (a dialect and a base URL); the cursor is the reader's own and
    opaque to the core. A row whose `finished_at` is empty is a pull that was stopped and resumes.
    """

    account = pw.ForeignKeyField(Account, on_delete="CASCADE")
    source = pw.CharField(max_length=500)
    cursor = JSONField(null=True)
    counts = JSONField(default=dict)
    since = pw.DateTimeField(null=True)  # when the last finished pull started: a later one may read only changes
    started_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)
    finished_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("account", "source"), True),)


class Webhook(Base):
    """An endpoint of an account that receives its events; numbered in the account's id space."""

    account = pw.ForeignKeyField(Account, on_delete="CASCADE")
    number = pw.IntegerField()
    url = pw.CharField(max_length=2000)
    secret = pw.CharField(max_length=200)  # kept as is: every delivery is signed with it
    events = JSONField(null=True)  # event types it wants; None: every type
    cursor = pw.BigIntegerField(default=0)  # the last event id already put into one of its deliveries
    created_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("account", "number"), True),)


class Delivery(Base):
    """A batch of events for one webhook: sent until an endpoint takes it, or dead after the max age.

    The body is rendered once, so every attempt sends the same bytes under the same id and a
    receiver can tell a repeat from a new batch.
    """

    id = pw.CharField(max_length=36, primary_key=True)
    webhook = pw.ForeignKeyField(Webhook, on_delete="CASCADE", index=False)
    first_event = pw.BigIntegerField()
    last_event = pw.BigIntegerField()
    count = pw.IntegerField()
    body = pw.TextField()
    state = pw.CharField(max_length=16, default="pending")  # pending | delivered | dead
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(default=now)
    lease_until = pw.DateTimeField(null=True)
    lease_owner = pw.CharField(max_length=36, null=True)
    last_error = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=now)
    finished_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("state", "next_attempt_at"), False), (("webhook", "state"), False))


class IdCounter(Base):
    """SQLite's high-water mark of ids handed out in bulk (PostgreSQL uses the sequences)."""

    name = pw.CharField(max_length=64, primary_key=True)
    value = pw.BigIntegerField()


class OperatorToken(Base):
    """A token that opens the admin view (the operator's, not an account's); stored hashed."""

    token_hash = pw.CharField(max_length=64, unique=True)
    label = pw.CharField(max_length=200, default="")
    created_at = pw.DateTimeField(default=now)
    revoked_at = pw.DateTimeField(null=True)


class SchemaVersion(Base):
    version = pw.IntegerField(primary_key=True)
    applied_at = pw.DateTimeField(default=now)


MODELS = [
    Account, Credential, Database, FieldDef, ContactList, Tag, Contact, ContactTag, Membership,
    Suppression, Job, JobItem, JobInput, JobBlob, Event, Webhook, Delivery, RateWindow, LegacyId, PullState, IdCounter,
    OperatorToken,
    SchemaVersion,
]
