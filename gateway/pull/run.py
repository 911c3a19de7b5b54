"""Running one pull: the vendor's catalogue as a setup file would write it, then its contacts page by page.

Each page is committed with the cursor after it (core/pulls.py), so a pull stopped at any moment
goes on where it stopped when run again. `plan` runs the very same pull inside one transaction
that is rolled back at the end: its counts are exactly what a real pull would do, and nothing stays.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

from core import accounts, legacy_ids, pulls, setup
from core import db as store

from . import altcraft, dotdigital, esputnik, icomm, unisender

READERS = {"unisender": unisender.UnisenderReader, "dotdigital": dotdigital.DotdigitalReader,
           "esputnik": esputnik.EsputnikReader, "icomm": icomm.IcommReader, "altcraft": altcraft.AltcraftReader}


class PullRefused(Exception):
    """A pull that cannot start or go on (no stopped pull to resume, a catalogue conflict, …)."""


@dataclass
class Summary:
    contacts: dict
    lists: int
    fields: int
    catalog: dict = field(default_factory=dict)  # setup's created/updated/unchanged counts
    failures: list = field(default_factory=list)
    resumed: bool = False
    plan: bool = False
    requests: int = 0

    def line(self) -> dict:
        """The one summary line of `--json`."""
        return {"contacts": self.contacts, "lists": self.lists, "fields": self.fields}


def reader_for(dialect: str, base_url: str, key=None, user=None, password=None, **options):
    kind = READERS.get(dialect)
    if kind is None:
        raise PullRefused(f"No pull from {dialect!r}: one of {', '.join(sorted(READERS))}")
    if kind.takes == "key":
        if not key:
            raise PullRefused(f"A pull from {dialect} needs the API key (--key or PULL_API_KEY)")
        return kind(base_url, key, **({"user": user} if user else {}), **options)
    if not user or not password:
        raise PullRefused(f"A pull from {dialect} needs --user and --password (or PULL_USER, PULL_PASSWORD)")
    return kind(base_url, user, password, **options)


def source_of(reader, base_url: str) -> str:
    return f"{reader.dialect} {base_url.rstrip('/')}"


def run(reader, account_name: str, base_url: str, plan: bool = False, resume: bool = False,
        progress=None) -> Summary:
    account = accounts.find_account(account_name)
    source = source_of(reader, base_url)
    if resume and not pulls.stopped(account.id, source):
        raise PullRefused(f"No stopped pull from {source} to resume for account {account.name}")
    if not plan:
        return _run(reader, account, source, False, progress)
    with store.write_transaction(f"account:{account.id}") as txn:
        summary = _run(reader, account, source, True, progress)
        txn.rollback()
    return summary


def _run(reader, account, source: str, plan: bool, progress) -> Summary:
    found = reader.catalog()
    written = _write_catalog(account, found)
    pull = pulls.begin(account.id, source, plan)
    lists, fields = _names(found)
    for page in reader.pages(pull.cursor, pull.since):
        if page.catalog is not None:
            _write_catalog(account, page.catalog)
            more_lists, more_fields = _names(page.catalog)
            lists, fields = lists | more_lists, fields | more_fields
        pulls.commit_page(account.id, pull, page.command, page.cursor, page.keys,
                          on_written=_vendor_ids(account.id, page), counted=page.counted)
        if progress is not None:
            progress(len(page.keys))
    if not plan:
        pulls.finish(account.id, pull)
    return Summary(dict(pull.counts), len(lists), len(fields), written, pull.failures, pull.resumed,
                   plan, reader.http.requests)


def _names(found) -> tuple[set, set]:
    """The lists and fields a catalogue names (a reader may name one again on later pages)."""
    return ({(item.get("kind"), item["id"]) for item in found.lists},
            {(str(item.get("database", item.get("database_attrs"))), item.get("id", item["name"])) for item in found.fields})


def _write_catalog(account, found) -> dict:
    """The vendor's lists, fields and databases written as a setup file would (core/setup.py)."""
    doc = setup.with_catalog(setup.export(account.id), found.lists, found.fields, found.databases)
    if found.settings:
        doc["accounts"][0]["settings"] = {**doc["accounts"][0].get("settings", {}), **found.settings}
    try:
        return setup.apply(doc).as_dict()
    except setup.SetupInvalid as exc:
        raise PullRefused("The vendor's lists and fields clash with the account here; nothing more was written:\n  "
                          + "\n  ".join(map(str, exc.problems[:10]))) from None


def _vendor_ids(account_id: int, page):
    """After a page's upsert, in its transaction: each contact's id at the vendor, for id-addressed calls."""
    if not any(page.vendor_ids):
        return None

    def record(result) -> None:
        legacy_ids.record(account_id, [(vendor, item.contact_id) for vendor, item in zip(page.vendor_ids, result.items)
                                       if vendor is not None and item.contact_id])
    return record


def progress_bar(total: int | None = None, enabled: bool | None = None):
    """A tqdm bar on a terminal (stderr), nothing elsewhere; returns (update, close)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="contact", file=sys.stderr, dynamic_ncols=True)
    return bar.update, bar.close



