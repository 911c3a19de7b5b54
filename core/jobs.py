"""Asynchronous jobs in the store: persisted payload, leases, resumable chunked imports, outputs.

The queue (huey) only carries job ids; the truth is the Job row. A worker claims a job with a
lease, renews it as it goes, and commits each chunk's contacts together with the chunk's report
and the progress marker, so a crash at any point resumes after the last committed chunk and no
contact is written twice.
"""
from __future__ import annotations

import os
import threading
import uuid
from datetime import timedelta

from peewee import fn

from . import db as store
from . import errors, events
from .errors import CoreError
from .model import BatchResult, UpsertCommand
from .normalize import now
from .schema import Job, JobBlob, JobItem
from .sql_bulk import insert_rows
from .upsert import upsert

# How long a worker's claim on a job lasts without renewal; a job whose worker died is picked up
# again once it runs out (JOB_LEASE_SECONDS; chunks renew it, so it only needs to outlast one chunk).
LEASE = timedelta(seconds=float(os.environ.get("JOB_LEASE_SECONDS") or 15))
# Set by the process that runs jobs when it is asked to stop: run_chunks ends after the chunk it is
# committing (raising Interrupted), so the job can be handed back instead of waiting for its lease.
STOP = threading.Event()


class Interrupted(Exception):
    """A job stopped between two chunks because its process is shutting down; nothing is half-written."""


def create(account_id: int, kind: str, payload: dict) -> Job:
    """A queued job; it remembers the dialect of the request that made it (its events carry it)."""
    progress = {"done": 0}
    if isinstance(payload.get("contacts"), list):  # the item list of an import, by convention
        progress["total"] = len(payload["contacts"]) + len(payload.get("failed") or ())
    return Job.create(id=str(uuid.uuid4()), account=account_id, kind=kind, dialect=events.origin(), payload=payload,
                      progress=progress, created_at=now(), updated_at=now())


def active(account_id: int, kinds) -> int:
    """How many jobs of these kinds the account has queued or running."""
    return Job.select().where((Job.account == account_id) & Job.kind.in_(list(kinds))
                              & Job.state.in_(("queued", "running"))).count()


def get(account_id: int, job_id: str) -> Job:
    """A job of this account; another account's job id is "not found", never a leak."""
    row = Job.get_or_none((Job.id == str(job_id)) & (Job.account == account_id))
    if row is None:
        raise CoreError(errors.NOT_FOUND, f"Job {job_id} not found", job=str(job_id))
    return row


def claim(job_id: str) -> Job | None:
    """Take the job for this worker if nobody holds a live lease on it."""
    moment = now()
    claimed = (Job.update(state="running", lease_until=moment + LEASE, attempts=Job.attempts + 1, updated_at=moment)
               .where((Job.id == job_id)
                      & ((Job.state == "queued") | ((Job.state == "running") & (Job.lease_until < moment))))
               .execute())
    return Job.get_by_id(job_id) if claimed else None


def renew(job_id: str) -> None:
    moment = now()
    Job.update(lease_until=moment + LEASE, updated_at=moment).where(Job.id == job_id).execute()


def run_chunks(job: Job, chunks, key=None) -> None:
    """Run (position, UpsertCommand) chunks not yet done; each commits with its report and progress.

    `chunks` yields every chunk from the start; those before the saved progress are skipped,
    which is what makes a restarted job carry on instead of starting over. `key(item, outcome)`
    names an item in the report (default: its email, phone or external id).
    """
    done = int((job.progress or {}).get("done", 0))
    for position, command in chunks:
        count = len(command.items)
        if position + count <= done:
            continue
        if STOP.is_set():
            raise Interrupted(f"stopped after {done} items")
        with store.write_transaction(f"account:{job.account_id}"):
            result = upsert(job.account_id, command)
            record_items(job.id, position, command, result, key)
            done = position + count
            progress = {**(job.progress or {}), "done": done}
            Job.update(progress=progress, lease_until=now() + LEASE, updated_at=now()).where(Job.id == job.id).execute()
            job.progress = progress


def record_items(job_id: str, position: int, command: UpsertCommand, result: BatchResult, key_of=None) -> None:
    rows = []
    for offset, (item, outcome) in enumerate(zip(command.items, result.items)):
        key = key_of(item, outcome) if key_of is not None else _default_key(item, outcome)
        rows.append((job_id, position + offset, outcome.outcome, outcome.contact_id, key,
                     outcome.error.code if outcome.error else None,
                     outcome.error.message if outcome.error else None))
    columns = ["job", "position", "outcome", "contact_id", "key", "error", "message"]
    insert_rows(JobItem, columns, rows, conflict=["job", "position"], update=columns[2:])


def _default_key(item, outcome) -> str | None:
    key = outcome.email or outcome.phone or outcome.external_id
    if key is None:
        key = next((str(v) for v in item.identities.values() if v not in (None, "")), None)
    return key


def items(job_id: str) -> list:
    """The job's per-item report in position order, as light rows (position, outcome, contact_id, key, error, …)."""
    return list(JobItem.select().where(JobItem.job == job_id).order_by(JobItem.position).namedtuples())


def finish(job_id: str, result: dict | None = None) -> None:
    moment = now()
    Job.update(state="finished", result=result, lease_until=None, updated_at=moment, finished_at=moment).where(
        Job.id == job_id).execute()


def fail(job_id: str, message: str) -> None:
    moment = now()
    Job.update(state="failed", error=message, lease_until=None, updated_at=moment, finished_at=moment).where(
        Job.id == job_id).execute()


def update_progress(job_id: str, **values) -> None:
    job = Job.get_by_id(job_id)
    Job.update(progress={**(job.progress or {}), **values}, updated_at=now()).where(Job.id == job_id).execute()


def stale(older_than: timedelta = timedelta(seconds=10)) -> list[str]:
    """Jobs a worker should pick up: queued and forgotten by the queue, or running on a dead lease."""
    moment = now()
    query = Job.select(Job.id).where(
        ((Job.state == "queued") & (Job.updated_at < moment - older_than))
        | ((Job.state == "running") & (Job.lease_until < moment)))
    return [row.id for row in query.order_by(Job.created_at)]


def counts() -> list[tuple[str, str, int]]:
    """(kind, state, how many) over every job in the store."""
    query = Job.select(Job.kind, Job.state, fn.COUNT(Job.id).alias("n")).group_by(Job.kind, Job.state)
    return [(row.kind, row.state, row.n) for row in query.namedtuples()]


def put_blob(job_id: str, content_type: str, data: bytes) -> None:
    (JobBlob.insert(job=job_id, content_type=content_type, data=data)
     .on_conflict(conflict_target=[JobBlob.job], preserve=[JobBlob.content_type, JobBlob.data]).execute())


def blob(job_id: str) -> JobBlob | None:
    return JobBlob.get_or_none(JobBlob.job == job_id)


def drop_blob(job_id: str) -> None:
    JobBlob.delete().where(JobBlob.job == job_id).execute()


def release(job_id: str) -> None:
    """Give a job back to the queue after a failed attempt (the retry claims it again)."""
    Job.update(state="queued", lease_until=None, updated_at=now()).where(Job.id == job_id).execute()
