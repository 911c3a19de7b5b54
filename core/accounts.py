"""Accounts and their API keys: create, register a vendor's existing key, list, revoke, authenticate."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from peewee import fn

import orjson

from . import db as store
from . import errors, key_cache, listeners, rate_limits, scalars
from .errors import CoreError
from .normalize import now
from .schema import Account, Credential, Database


def key_hash(secret: str) -> str:
    # Keys are long random secrets, so a plain digest is enough to make a stolen table useless.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> str:
    """32 lower-case hex characters: a shape every dialect's clients accept as a key."""
    return secrets.token_hex(16)


def create_account(name: str, contact_limit: int | None = None, settings: dict | None = None) -> Account:
    """A new account with its default database (db_id 1)."""
    name = (name or "").strip()
    if not name:
        raise CoreError(errors.INVALID_ARGUMENT, "The account name is empty")
    with store.write_transaction("accounts"):
        if Account.get_or_none(Account.name == name):
            raise CoreError(errors.DUPLICATE_NAME, f"Account {name!r} already exists", name=name)
        account = Account.create(name=name, contact_limit=contact_limit, settings=settings or {},
                                 live_contacts=None if contact_limit is None else 0)
        Database.create(account=account, number=1, name="Main")
    return account


def find_account(ref) -> Account:
    """An account by id or by name."""
    query = Account.select()
    row = None
    number = scalars.digits(str(ref))
    if number is not None:
        row = query.where(Account.id == number).first()
    if row is None:
        row = query.where(Account.name == str(ref)).first()
    if row is None:
        raise CoreError(errors.NOT_FOUND, f"Account {ref!r} not found")
    return row


def add_key(account_id: int, secret: str | None = None, dialect: str | None = None, username: str | None = None,
            label: str = "") -> tuple[Credential, str]:
    """Store a key for an account: a new random one, or a vendor key registered as-is."""
    secret = secret if secret is not None else new_key()
    if not secret:
        raise CoreError(errors.INVALID_ARGUMENT, "The key is empty")
    digest = key_hash(secret)
    with store.write_transaction("accounts"):
        clash = Credential.get_or_none(Credential.key_hash == digest)
        if clash is not None:
            if clash.account_id != account_id:
                raise CoreError(errors.DUPLICATE_NAME, "This key already belongs to another account")
            clash.update(dialect=dialect, username=username, label=label or clash.label, revoked_at=None).where(
                Credential.id == clash.id).execute()
            key_cache.changed()
            return Credential.get_by_id(clash.id), secret
        credential = Credential.create(account=account_id, key_hash=digest, key_prefix=secret[:6], dialect=dialect,
                                       username=username, label=label)
    return credential, secret


def keys(account_id: int) -> list[Credential]:
    return list(Credential.select().where(Credential.account == account_id).order_by(Credential.id))


def revoke_key(account_id: int, credential_id: int) -> None:
    with store.write_transaction("accounts"):
        updated = (Credential.update(revoked_at=now())
                   .where((Credential.account == account_id) & (Credential.id == credential_id)).execute())
        if not updated:
            raise CoreError(errors.NOT_FOUND, f"Key {credential_id} not found")
        key_cache.changed()


def authenticate(secret: str | None, dialect: str | None, username: str | None = None, usage=()) -> int:
    """The account id a key opens for a dialect (None: any key of the account); raises CoreError(unauthorized) otherwise.

    usage: the rate_limits.Rule entries of the dialect this call counts against; counted only if
    the account's `limits` switch them on, so an account without limits costs nothing more than
    its key look-up (which brings the switches along).
    """
    if not secret:
        raise CoreError(errors.UNAUTHORIZED, "API key is missing", missing=True)
    found = key_cache.lookup(key_hash(secret), _load_key)
    if found is None or (dialect is not None and found[1] not in (None, dialect)):
        raise CoreError(errors.UNAUTHORIZED, "Invalid API key")
    account_id, _, key_username, limits = found
    if key_username is not None and username is not None and key_username != username:
        raise CoreError(errors.UNAUTHORIZED, "Invalid API user")
    listeners.authenticated(account_id)
    if limits is not None and usage:
        rate_limits.count(account_id, dialect, rate_limits.applicable(orjson.loads(limits), dialect, usage))
    return account_id


def _load_key(digest: str) -> tuple | None:
    """(account id, dialect, user name, the account's rate-limit switches as JSON text) of a live key, or None."""
    db = store.database()
    rows = db.execute_sql(_AUTH_SQL.format(p=db.param), (digest,)).fetchall()
    return tuple(rows[0]) if rows else None


_AUTH_SQL = ('SELECT c."account_id", c."dialect", c."username", a."limits" FROM "credential" c '
             'JOIN "account" a ON a."id" = c."account_id" WHERE c."key_hash" = {p} AND c."revoked_at" IS NULL')


@dataclass
class AccountView:
    id: int
    name: str
    contacts: int
    keys: list  # Credential rows, revoked ones included
    last_activity: datetime | None  # the newest contact change or job of the account


def overview() -> list[AccountView]:
    """Every account with its contact count, keys and last activity; five queries whatever the number."""
    from .schema import Contact, Job

    rows = list(Account.select().order_by(Account.id))
    counts = dict(Contact.select(Contact.account, fn.COUNT(Contact.id)).where(Contact.deleted_at.is_null())
                  .group_by(Contact.account).tuples())
    touched = dict(Contact.select(Contact.account, fn.MAX(Contact.updated_at)).group_by(Contact.account).tuples())
    for account_id, at in Job.select(Job.account, fn.MAX(Job.updated_at)).group_by(Job.account).tuples():
        touched[account_id] = max(filter(None, (touched.get(account_id), at)), default=None)
    keys_of: dict = {}
    for credential in Credential.select().order_by(Credential.id):
        keys_of.setdefault(credential.account_id, []).append(credential)
    return [AccountView(a.id, a.name, counts.get(a.id, 0), keys_of.get(a.id, []), touched.get(a.id)) for a in rows]
