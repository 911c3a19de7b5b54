"""Pulls from a client's old vendor: each page's upsert and the cursor after it in one transaction.

A pull is resumable because the cursor a page ends at is committed with that page's contacts: a
pull killed at any moment restarts at the first page it had not committed. A finished pull
remembers when it started (`since`), so the next one may ask the vendor only for what changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import db as store
from .model import BatchResult, UpsertCommand
from .normalize import now
from .schema import PullState
from .upsert import upsert

OUTCOMES = ("created", "updated", "unchanged", "failed")
MAX_FAILURES_KEPT = 10


@dataclass
class Pull:
    """One pull as it stands: where to go on from, what it has done so far."""

    source: str
    cursor: object = None
    counts: dict = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    failures: list = field(default_factory=list)  # the first few failed items: (key, code, message)
    since: datetime | None = None  # only contacts changed after this (None: everything)
    resumed: bool = False


def begin(account_id: int, source: str, plan: bool = False) -> Pull:
    """The pull to run: the stopped one of `source`, else a new one after the last finished one."""
    with store.write_transaction(f"account:{account_id}"):
        row = PullState.get_or_none((PullState.account == account_id) & (PullState.source == source))
        if plan:  # a plan looks at the whole way, from where the last finished pull left off
            return Pull(source, since=(row.since if row.finished_at is None else row.started_at) if row else None)
        if row is not None and row.finished_at is None:
            counts = row.counts or {}
            return Pull(source, row.cursor, {k: int(counts.get(k, 0)) for k in OUTCOMES},
                        list(counts.get("failures", [])), row.since, resumed=True)
        since = row.started_at if row is not None else None
        values = {"cursor": None, "counts": {}, "since": since, "started_at": now(), "updated_at": now(),
                  "finished_at": None}
        if row is None:
            PullState.create(account=account_id, source=source, **values)
        else:
            PullState.update(**values).where(PullState.id == row.id).execute()
        return Pull(source, since=since)


def commit_page(account_id: int, pull: Pull, command: UpsertCommand, cursor, keys: list, on_written=None,
                counted: bool = True) -> BatchResult:
    """Write one page and the cursor after it in one transaction.

    `keys` names each item (an address) for the failure list; `on_written(result)` runs inside the
    same transaction after the upsert (a pull records the vendor's contact ids there). A page that
    is not `counted` reads contacts a pull has seen already (for their memberships): only its
    failures and the contacts it creates count.
    """
    with store.write_transaction(f"account:{account_id}"):
        result = upsert(account_id, command) if command.items else BatchResult([])
        if on_written is not None:
            on_written(result)
        _count(pull, result, keys, counted)
        pull.cursor = cursor
        PullState.update(cursor=cursor, counts={**pull.counts, "failures": pull.failures}, updated_at=now()) \
            .where((PullState.account == account_id) & (PullState.source == pull.source)).execute()
    return result


def _count(pull: Pull, result: BatchResult, keys: list, counted: bool) -> None:
    for item, key in zip(result.items, keys):
        outcome = item.outcome if item.outcome in OUTCOMES else "unchanged"  # skipped: left as it is here
        if not counted and outcome in ("updated", "unchanged"):
            continue
        pull.counts[outcome] += 1
        if outcome == "failed" and len(pull.failures) < MAX_FAILURES_KEPT:
            pull.failures.append([key, item.error.code if item.error else "", item.error.message if item.error else ""])


def finish(account_id: int, pull: Pull) -> None:
    with store.write_transaction(f"account:{account_id}"):
        PullState.update(finished_at=now(), updated_at=now(), cursor=None) \
            .where((PullState.account == account_id) & (PullState.source == pull.source)).execute()


def stopped(account_id: int, source: str) -> bool:
    """Is there a pull of `source` that was stopped before it finished?"""
    row = PullState.get_or_none((PullState.account == account_id) & (PullState.source == source))
    return row is not None and row.finished_at is None
