"""Setup files: a migrating client's accounts, keys, databases, lists and fields, with their own ids.

`apply` validates the whole file first (schema, duplicates, references, clashes with the store)
and reports every problem with its location before writing anything; then it creates or updates
in one transaction. Applying the same file twice changes nothing; `export` writes the store back
in the same format, so export -> apply on an empty store -> export gives the same file.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml

from . import accounts as account_ops
from . import catalog, contact_limit, key_cache, webhooks
from . import db as store
from .schema import Account, ContactList, Credential, Database, FieldDef, Webhook

SCHEMA = json.loads((Path(__file__).with_name("setup_schema.json")).read_text())
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@dataclass
class Problem:
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class SetupInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class Summary:
    created: dict = field(default_factory=lambda: defaultdict(int))
    updated: dict = field(default_factory=lambda: defaultdict(int))
    unchanged: dict = field(default_factory=lambda: defaultdict(int))

    def as_dict(self) -> dict:
        return {"created": dict(self.created), "updated": dict(self.updated), "unchanged": dict(self.unchanged)}


def load(text: str) -> dict:
    """A setup document from YAML or JSON text (JSON is YAML)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SetupInvalid([Problem("file", f"not valid YAML/JSON: {exc}")]) from None
    if not isinstance(doc, dict):
        raise SetupInvalid([Problem("file", "the top level must be a mapping with `version` and `accounts`")])
    return doc


def _where(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "file"


def validate(doc: dict, dialects=None, limit_rules=None, presets: dict | None = None) -> list[Problem]:
    """Every problem of the document, each with its location; empty when it can be applied.

    `dialects`: the dialect names a key may be limited to (the gateway's); None: any name.
    `limit_rules`: {dialect: the names of its rate-limit rules} (the gateway's); None: any names.
    `presets`: the fresh-account objects a caller offers by name (see with_defaults).
    """
    problems = [Problem(_where(e.absolute_path), e.message)
                for e in sorted(_VALIDATOR.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]
    if problems:
        return problems
    presets = presets or {}
    for a, account in enumerate(doc["accounts"]):
        for d, name in enumerate(account.get("defaults", [])):
            if name not in presets:
                problems.append(Problem(f"accounts[{a}].defaults[{d}]", f"unknown defaults {name!r} "
                                                                         f"(known: {', '.join(presets) or 'none'})"))
    if problems:
        return problems
    doc = with_defaults(doc, presets)
    names: dict[str, str] = {}
    key_owner: dict[str, str] = {}
    for a, account in enumerate(doc["accounts"]):
        here = f"accounts[{a}]"
        if account["name"] in names:
            problems.append(Problem(f"{here}.name", f"duplicate account name {account['name']!r} "
                                                    f"(also at {names[account['name']]})"))
        names[account["name"]] = here
        existing = Account.get_or_none(Account.name == account["name"])
        problems += _check_account(here, account, existing, key_owner)
        for i, key in enumerate(account.get("keys", [])):
            if dialects is not None and key.get("dialect") is not None and key["dialect"] not in dialects:
                problems.append(Problem(f"{here}.keys[{i}].dialect", f"{key['dialect']!r} is not one of "
                                                                     f"{', '.join(sorted(dialects))}"))
        if limit_rules is not None:
            problems += _check_limits(f"{here}.limits", account.get("limits") or {}, limit_rules)
    return problems


def _check_limits(here: str, limits: dict, rules: dict) -> list[Problem]:
    problems = []
    for dialect, switch in limits.items():
        if dialect not in rules:
            problems.append(Problem(f"{here}.{dialect}", f"{dialect!r} is not one of {', '.join(sorted(rules))}"))
        elif isinstance(switch, dict):
            problems += [Problem(f"{here}.{dialect}.{name}", f"{name!r} is not a rule of {dialect}: "
                                                             f"{', '.join(rules[dialect])}")
                         for name in switch if name not in rules[dialect]]
    return problems


def _check_account(here: str, account: dict, existing: Account | None, key_owner: dict) -> list[Problem]:
    problems = []
    problems += _duplicates(here, "databases", account.get("databases", []), "id")
    problems += _duplicate_attrs(here, account.get("databases", []))
    problems += _duplicates(here, "lists", account.get("lists", []), "id",
                            scope=lambda item: catalog.space_of(item.get("kind")))
    problems += _duplicates(here, "fields", account.get("fields", []), "id")
    problems += _duplicates(here, "webhooks", account.get("webhooks", []), "id")
    declared = {d["id"] for d in account.get("databases", [])} | {1}
    if existing is not None:
        declared |= {d.number for d in Database.select(Database.number).where(Database.account == existing.id)}
    for kind in ("lists", "fields"):
        for i, item in enumerate(account.get(kind, [])):
            if item.get("database", 1) not in declared:
                problems.append(Problem(f"{here}.{kind}[{i}].database",
                                        f"database {item['database']} is not declared in this account"))
    problems += _duplicate_names(here, "lists", account.get("lists", []), "title", "title")
    problems += _duplicate_names(here, "fields", account.get("fields", []), "name", "field name")
    for i, item in enumerate(account.get("fields", [])):
        if item.get("allowed_values") and item.get("type", "string") != "enum":
            problems.append(Problem(f"{here}.fields[{i}].allowed_values", "allowed_values needs type enum"))
    for i, key in enumerate(account.get("keys", [])):
        digest = key.get("key_sha256") or account_ops.key_hash(key["key"])
        spot = f"{here}.keys[{i}]"
        if digest in key_owner:
            problems.append(Problem(spot, f"the same key is also at {key_owner[digest]}"))
        key_owner[digest] = spot
        holder = Credential.get_or_none(Credential.key_hash == digest)
        if holder is not None and (existing is None or holder.account_id != existing.id):
            problems.append(Problem(spot, "this key already belongs to another account in the store"))
    return problems


def _duplicate_names(here: str, kind: str, items: list, attribute: str, label: str) -> list[Problem]:
    """Two lists (or fields) of one database with the same title (or name)."""
    seen, problems = {}, []
    for i, item in enumerate(items):
        spot = (item.get("database", 1), item[attribute])
        if spot in seen:
            problems.append(Problem(f"{here}.{kind}[{i}].{attribute}", f"duplicate {label} {item[attribute]!r} in "
                                                                       f"database {spot[0]} (also at {seen[spot]})"))
        seen[spot] = f"{here}.{kind}[{i}]"
    return problems


def _duplicate_attrs(here: str, databases: list) -> list[Problem]:
    """Two databases named alike: an attribute value finds one database (catalog.find_database with a DatabaseRef)."""
    seen, problems = {}, []
    for i, item in enumerate(databases):
        for name, value in (item.get("attrs") or {}).items():
            if (name, value) in seen:
                problems.append(Problem(f"{here}.databases[{i}].attrs.{name}", f"duplicate {name} {value!r} "
                                        f"(also at {here}.databases[{seen[name, value]}])"))
            else:
                seen[name, value] = i
    return problems


def _duplicates(here: str, kind: str, items: list, attribute: str, scope=None) -> list[Problem]:
    """Items with the same `attribute` (within the same `scope(item)`, when given: an id space)."""
    seen, problems = {}, []
    for i, item in enumerate(items):
        value = item.get(attribute)
        if value is None:
            continue
        key = (scope(item) if scope else None, value)
        if key in seen:
            problems.append(Problem(f"{here}.{kind}[{i}].{attribute}",
                                    f"duplicate {attribute} {value!r} (also at {here}.{kind}[{seen[key]}])"))
        else:
            seen[key] = i
    return problems


def with_defaults(doc: dict, presets: dict) -> dict:
    """The document with each account that is not in the store yet given its fresh-account objects.

    A new account starts as a new account at its vendor would: `defaults` names the presets whose
    lists, fields and databases it gets (omitted: every preset offered; `[]`: none). The file's own
    objects win: a default whose id, or name within its database, the file also uses is left out,
    so a file renames a default by its id and replaces one by its name.
    """
    accounts = []
    for account in doc["accounts"]:
        if Account.get_or_none(Account.name == account["name"]) is None:
            account = dict(account)
            for name in account.get("defaults", list(presets)):
                for kind, objects in presets[name].items():
                    account[kind] = list(account.get(kind, [])) + [
                        item for item in objects if not _taken(kind, item, account.get(kind, []))]
        accounts.append(account)
    return {**doc, "accounts": accounts}


def _taken(kind: str, item: dict, present: list) -> bool:
    label = {"lists": "title", "fields": "name"}.get(kind)
    for other in present:
        same_space = kind != "lists" or catalog.space_of(other.get("kind")) == catalog.space_of(item.get("kind"))
        if same_space and other["id"] == item["id"]:
            return True
        if label and other.get("database", 1) == item.get("database", 1) and other[label] == item[label]:
            return True
    return False


def apply(doc: dict, dialects=None, limit_rules=None, presets: dict | None = None) -> Summary:
    """Validate, then create or update everything in one transaction; raises SetupInvalid first."""
    problems = validate(doc, dialects, limit_rules, presets)
    if problems:
        raise SetupInvalid(problems)
    doc = with_defaults(doc, presets or {})
    summary = Summary()
    with store.write_transaction("accounts"):
        for account in doc["accounts"]:
            _apply_account(account, summary)
    return summary


def _apply_account(spec: dict, summary: Summary) -> Account:
    account = Account.get_or_none(Account.name == spec["name"])
    if account is None:
        account = Account.create(name=spec["name"], contact_limit=spec.get("contact_limit"),
                                 settings=spec.get("settings", {}), limits=spec.get("limits") or None)
        summary.created["accounts"] += 1
    else:
        if account.limits != (spec.get("limits") or None):
            key_cache.changed()  # workers remember the rate limits with the account's keys
        _update(account, {"contact_limit": spec.get("contact_limit"), "settings": spec.get("settings", {}),
                          "limits": spec.get("limits") or None}, "accounts", summary)
    contact_limit.track(account.id)  # takes the account's lock; a limit set or changed here counts anew
    for key in spec.get("keys", []):
        _apply_key(account, key, summary)
    databases = {d.number: d for d in Database.select().where(Database.account == account.id)}
    if 1 not in databases:
        databases[1] = Database.create(account=account, number=1, name="Main")
    for item in spec.get("databases", []):
        row = databases.get(item["id"])
        values = {"name": item.get("name", "Main" if item["id"] == 1 else ""), "attrs": item.get("attrs", {})}
        if row is None:
            databases[item["id"]] = Database.create(account=account, number=item["id"], **values)
            summary.created["databases"] += 1
        else:
            _update(row, values, "databases", summary)
    for item in spec.get("lists", []):
        attrs = dict(item.get("attrs", {}))
        if item.get("channels"):
            attrs["channels"] = item["channels"]
        kind = item.get("kind", "list")
        values = {"title": item["title"], "kind": kind, "attrs": attrs, "database": databases[item.get("database", 1)].id}
        space = catalog.space_of(kind)
        _upsert_numbered(ContactList, account, item["id"], {**values, "space": space}, "lists", summary,
                         ContactList.space == space)
    for item in spec.get("fields", []):
        values = {"name": item["name"], "type": item.get("type", "string"), "public_name": item.get("public_name"),
                  "allowed_values": item.get("allowed_values"), "attrs": item.get("attrs", {}),
                  "database": databases[item.get("database", 1)].id}
        _upsert_numbered(FieldDef, account, item["id"], values, "fields", summary)
    for item in spec.get("webhooks", []):
        values = {"url": item["url"], "secret": item["secret"], "events": sorted(set(item["events"])) if item.get(
            "events") else None}
        if Webhook.get_or_none((Webhook.account == account.id) & (Webhook.number == item["id"])) is None:
            webhooks.add(account.id, number=item["id"], types=values["events"], url=values["url"],
                         secret=values["secret"])
            summary.created["webhooks"] += 1
        else:
            _upsert_numbered(Webhook, account, item["id"], values, "webhooks", summary)
    return account


def _apply_key(account: Account, spec: dict, summary: Summary) -> None:
    digest = spec.get("key_sha256") or account_ops.key_hash(spec["key"])
    values = {"dialect": spec.get("dialect"), "username": spec.get("username"), "label": spec.get("label", ""),
              "key_prefix": spec.get("prefix") or (spec["key"][:6] if "key" in spec else digest[:6])}
    row = Credential.get_or_none(Credential.key_hash == digest)
    if row is None:
        Credential.create(account=account, key_hash=digest, **values)
        summary.created["keys"] += 1
    else:
        _update(row, values, "keys", summary)
        key_cache.changed()  # its dialect or user name may have changed: no worker keeps the old one


def _upsert_numbered(model, account: Account, number: int, values: dict, kind: str, summary: Summary,
                     where=True) -> None:
    row = model.get_or_none((model.account == account.id) & (model.number == number) & where)
    if row is None:
        model.create(account=account, number=number, **values)
        summary.created[kind] += 1
    else:
        _update(row, values, kind, summary)


def _update(row, values: dict, kind: str, summary: Summary) -> None:
    current = {name: (getattr(row, f"{name}_id") if name == "database" else getattr(row, name)) for name in values}
    if current == values:
        summary.unchanged[kind] += 1
        return
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    summary.updated[kind] += 1


def export(account_ref) -> dict:
    """One account as a setup document (keys by digest: the secrets themselves are not kept)."""
    account = account_ops.find_account(account_ref)
    numbers = {d.id: d.number for d in Database.select().where(Database.account == account.id)}
    # Its fresh-account objects are written out below like any other, so the file starts bare.
    doc = {"name": account.name, "defaults": []}
    if account.contact_limit is not None:
        doc["contact_limit"] = account.contact_limit
    if account.settings:
        doc["settings"] = account.settings
    if account.limits:
        doc["limits"] = account.limits
    doc["keys"] = [_export_key(k) for k in Credential.select().where(
        (Credential.account == account.id) & Credential.revoked_at.is_null()).order_by(Credential.id)]
    doc["databases"] = [_compact({"id": d.number, "name": d.name, "attrs": d.attrs or None})
                        for d in Database.select().where(Database.account == account.id).order_by(Database.number)]
    doc["lists"] = []
    for row in ContactList.select().where(ContactList.account == account.id).order_by(ContactList.number):
        attrs = dict(row.attrs or {})
        channels = attrs.pop("channels", None)
        doc["lists"].append(_compact({"id": row.number, "title": row.title, "database": numbers[row.database_id],
                                      "kind": row.kind, "channels": channels, "attrs": attrs or None}))
    doc["fields"] = [_compact({"id": row.number, "name": row.name, "type": row.type,
                               "database": numbers[row.database_id], "public_name": row.public_name,
                               "allowed_values": row.allowed_values, "attrs": row.attrs or None})
                     for row in FieldDef.select().where(FieldDef.account == account.id).order_by(FieldDef.number)]
    doc["webhooks"] = [_compact({"id": row.number, "url": row.url, "secret": row.secret, "events": row.events})
                       for row in Webhook.select().where(Webhook.account == account.id).order_by(Webhook.number)]
    return {"version": 1, "accounts": [doc]}


def _export_key(row: Credential) -> dict:
    return _compact({"key_sha256": row.key_hash, "prefix": row.key_prefix, "dialect": row.dialect,
                     "username": row.username, "label": row.label or None})


def _compact(values: dict) -> dict:
    return {k: v for k, v in values.items() if v is not None}


def dump(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)



def with_catalog(doc: dict, lists: list, fields: list, databases: list = ()) -> dict:
    """The one-account document `doc` with a pull's `lists`, `fields` and `databases` put in.

    A list replaces the one with its id in its id space (one without a title keeps the title it has
    here, or is named after its kind and id). A database without an id is the one with the same
    attrs, else the next free number. A field without an id (vendors that name fields
    only) is the one of its name in its database (any case), else the next free number; a field
    may name its database by its attrs (`database_attrs`) instead of its number (`database`). What an entry leaves out (a type
    the vendor does not say) stays as the account has it.
    """
    account = doc["accounts"][0]
    by_id = {(catalog.space_of(item.get("kind")), item["id"]): item for item in account.get("lists", [])}
    for item in lists:
        key = (catalog.space_of(item.get("kind")), item["id"])
        held = by_id.get(key, {})
        by_id[key] = {**held, **item, "title": item.get("title") or held.get("title")
                      or f"{str(item.get('kind') or 'list').replace('_', ' ').capitalize()} {item['id']}"}
    account["lists"] = list(by_id.values())
    account["databases"] = _numbered(account.get("databases", []), databases,
                                     lambda item: _attr_key(item.get("attrs")))
    by_attrs = {_attr_key(d.get("attrs")): d["id"] for d in account["databases"] if d.get("attrs")}
    placed = []
    for item in fields:
        item = dict(item)
        if "database_attrs" in item:
            item["database"] = by_attrs[_attr_key(item.pop("database_attrs"))]
        placed.append(item)
    account["fields"] = _numbered(account.get("fields", []), placed,
                                  lambda item: (item.get("database", 1), item["name"].lower()))
    return doc


def _attr_key(attrs) -> tuple | None:
    """What names a database apart from its number: its attrs, or None."""
    return tuple(sorted(attrs.items())) if attrs else None


def _numbered(current: list, incoming: list, identity) -> list:
    """`incoming` entries merged into `current` by id, or by `identity` when they have none (new: next id)."""
    numbers = {item["id"]: item for item in current}
    known = {identity(item): item["id"] for item in current if identity(item) is not None}
    next_free = max(numbers, default=0) + 1
    for item in incoming:
        item = dict(item)
        if "id" not in item:
            item["id"] = known.get(identity(item), next_free)
        next_free = max(next_free, item["id"] + 1)
        numbers[item["id"]] = {**numbers.get(item["id"], {}), **item}
        if identity(item) is not None:
            known[identity(item)] = item["id"]
    return sorted(numbers.values(), key=lambda item: item["id"])
