"""Asynchronous jobs in the store: persisted payload, leases, resumable chunked imports, outputs.

The queue (huey) only carries job ids; the truth is the Job row. A worker claims a job with a
lease, renews it as it goes, and commits each chunk's contacts together with the chunk's report
and the progress marker, so a crash at any point resumes after the last committed chunk and no
contact is written twice.
"""
from __future__ import annotations

import io
import os
import threading
import uuid
from collections import namedtuple
from datetime import timedelta

from peewee import fn

from . import db as store
from . import errors, events
from .errors import CoreError
from .model import BatchResult, UpsertCommand
from .normalize import now
from .schema import Job, JobBlob, JobInput, JobItem
from .sql_bulk import insert_rows
from .upsert import upsert

# How long a worker's claim on a job lasts without renewal; a job whose worker died is picked up
# again once it runs out (JOB_LEASE_SECONDS; chunks renew it, so it only needs to outlast one chunk).
LEASE = timedelta(seconds=float(os.environ.get("JOB_LEASE_SECONDS") or 15))
# Set by the process that runs jobs when it is asked to stop: run_chunks ends after the chunk it is
# committing (raising Interrupted), so the job can be handed back instead of waiting for its lease.
STOP = threading.Event()
# A job's input is stored and read again in parts of this size: no statement, and no buffer a
# driver builds for one (psycopg2 quotes a bytea as text twice its size), holds the body whole.
INPUT_PART = 1 << 20
# Report rows are read back this many at a time, by position.
ITEMS_PAGE = 1000


class Interrupted(Exception):
    """A job stopped between two chunks because its process is shutting down; nothing is half-written."""


def create(account_id: int, kind: str, payload: dict, total: int | None = None, data: bytes | None = None) -> Job:
    """A queued job; it remembers the dialect of the request that made it (its events carry it).

    `data`: bytes the job reads again (`input`), stored with it; `total`: its items, when the payload
    does not list them.
    """
    progress = {"done": 0}
    if isinstance(payload.get("contacts"), list):  # the item list of an import, by convention
        progress["total"] = len(payload["contacts"]) + len(payload.get("failed") or ())
    elif total is not None:
        progress["total"] = total
    job = Job.create(id=str(uuid.uuid4()), account=account_id, kind=kind, dialect=events.origin(), payload=payload,
                     progress=progress, created_at=now(), updated_at=now())
    if data is not None:
        put_input(job.id, data)
    return job


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


# A report row as readers get it. Its columns need no conversion (text and integers as the driver
# returns them), so rows are read straight off the cursor, not through the model's per-field values.
ItemRow = namedtuple("ItemRow", ["position", "outcome", "contact_id", "key", "error", "message"])
_ITEM_COLUMNS = [JobItem.position, JobItem.outcome, JobItem.contact_id, JobItem.key, JobItem.error, JobItem.message]


def _item_rows(query) -> list:
    return list(map(ItemRow._make, store.database().execute_sql(*query.sql())))


def run_chunks(job: Job, chunks, key=None, recorded=None) -> None:
    """Run (position, UpsertCommand) chunks not yet done; each commits with its report and progress.

    `chunks` yields every chunk from the start; those before the saved progress are skipped,
    which is what makes a restarted job carry on instead of starting over. `key(item, outcome)`
    names an item in the report (default: its email, phone or external id). `recorded(position,
    rows)`, when given, is handed each chunk's report rows (ItemRow) in order as the chunk is done:
    those it committed, or for a chunk skipped, those it committed before (one read a chunk), so
    whoever renders the job's answer can do it chunk by chunk, from what it made of the items.
    """
    done = int((job.progress or {}).get("done", 0))
    for position, command in chunks:
        count = len(command.items)
        if position + count <= done:
            if recorded is not None:
                recorded(position, _item_rows(JobItem.select(*_ITEM_COLUMNS).where(
                    (JobItem.job == job.id) & (JobItem.position >= position) & (JobItem.position < position + count))
                    .order_by(JobItem.position)))
            continue
        if STOP.is_set():
            raise Interrupted(f"stopped after {done} items")
        with store.write_transaction(f"account:{job.account_id}"):
            result = upsert(job.account_id, command)
            rows = record_items(job.id, position, command, result, key)
            done = position + count
            progress = {**(job.progress or {}), "done": done}
            Job.update(progress=progress, lease_until=now() + LEASE, updated_at=now()).where(Job.id == job.id).execute()
            job.progress = progress
        if recorded is not None:
            recorded(position, rows)


def record_items(job_id: str, position: int, command: UpsertCommand, result: BatchResult, key_of=None) -> list:
    """Write a chunk's report; its rows (ItemRow), in order."""
    rows = []
    for offset, (item, outcome) in enumerate(zip(command.items, result.items)):
        key = key_of(item, outcome) if key_of is not None else _default_key(item, outcome)
        error = outcome.error
        rows.append(ItemRow(position + offset, outcome.outcome, outcome.contact_id, key,
                            error.code if error else None, error.message if error else None))
    columns = ["job", "position", "outcome", "contact_id", "key", "error", "message"]
    # The chunk's positions replace whatever report they had (a resumed job whose chunks were cut
    # differently re-runs part of one): a range delete that finds nothing in the everyday case, then
    # a plain bulk insert, which PostgreSQL takes by COPY straight into the table.
    # Nobody reads its answer: it rides on the transaction's next round trip.
    store.execute_later(*JobItem.delete().where((JobItem.job == job_id) & (JobItem.position >= position)
                                                & (JobItem.position < position + len(rows))).sql())
    insert_rows(JobItem, columns, [(job_id, *row) for row in rows])
    return rows


def _default_key(item, outcome) -> str | None:
    key = outcome.email or outcome.phone or outcome.external_id
    if key is None:
        key = next((str(v) for v in item.identities.values() if v not in (None, "")), None)
    return key


def items(job_id: str) -> list:
    """The job's per-item report in position order, as light rows (ItemRow)."""
    return _item_rows(JobItem.select(*_ITEM_COLUMNS).where(JobItem.job == job_id).order_by(JobItem.position))


def each_item(job_id: str):
    """The same rows one page at a time (by position, ITEMS_PAGE a query): a report of any size, never all held."""
    after = -1
    while True:
        page = _item_rows(JobItem.select(*_ITEM_COLUMNS).where((JobItem.job == job_id) & (JobItem.position > after))
                          .order_by(JobItem.position).limit(ITEMS_PAGE))
        yield from page
        if len(page) < ITEMS_PAGE:
            return
        after = page[-1].position


def finish(job_id: str, result: dict | None = None) -> None:
    moment = now()
    Job.update(state="finished", result=result, lease_until=None, updated_at=moment, finished_at=moment).where(
        Job.id == job_id).execute()


def finish_with_output(job_id: str, content_type: str, data: bytes, result: dict | None = None) -> None:
    """Store the output, drop the input and finish, in one transaction: a crash leaves the job to run
    again from its input, never finished without its answer."""
    with store.database().atomic():
        put_blob(job_id, content_type, data)
        drop_input(job_id)
        finish(job_id, result)


def fail(job_id: str, message: str) -> None:
    moment = now()
    Job.update(state="failed", error=message, lease_until=None, updated_at=moment, finished_at=moment).where(
        Job.id == job_id).execute()


def update_progress(job_id: str, **values) -> None:
    progress = Job.select(Job.progress).where(Job.id == job_id).get().progress  # not the payload, maybe big
    Job.update(progress={**(progress or {}), **values}, updated_at=now()).where(Job.id == job_id).execute()


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
    if store.is_sqlite():  # sqlite3 binds the bytes as they are
        (JobBlob.insert(job=job_id, content_type=content_type, data=data)
         .on_conflict(conflict_target=[JobBlob.job], preserve=[JobBlob.content_type, JobBlob.data]).execute())
        return
    # psycopg2 would quote the bytes into the statement as hex text, twice their size and copied more
    # than once (six times the report of a big import); COPY streams that text a slice at a time.
    with store.database().atomic():
        JobBlob.delete().where(JobBlob.job == job_id).execute()
        row = f"{_copy_text(job_id)}\t{_copy_text(content_type)}\t\\\\x".encode()
        store.database().cursor().copy_expert('COPY "job_blob" ("job_id", "content_type", "data") FROM STDIN',
                                              _Chunks(_hex_row(row, data)))


def _copy_text(value: str) -> str:
    """A value in COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _hex_row(head: bytes, data: bytes):
    yield head
    view = memoryview(data)
    for start in range(0, len(view), 1 << 16):
        yield view[start:start + (1 << 16)].hex().encode()
    yield b"\n"


class _Chunks:
    """The file COPY reads: each read answers the next chunk (psycopg2 sends what it is given)."""

    def __init__(self, chunks):
        self.chunks = chunks

    def read(self, size: int = -1) -> bytes:
        return next(self.chunks, b"")


def blob(job_id: str) -> JobBlob | None:
    return JobBlob.get_or_none(JobBlob.job == job_id)


def put_input(job_id: str, data: bytes) -> None:
    """Keep bytes the job will read again, INPUT_PART at a time (one statement a part)."""
    view = memoryview(data)
    for part, start in enumerate(range(0, len(view), INPUT_PART)):
        JobInput.insert(job=job_id, part=part, data=bytes(view[start:start + INPUT_PART])).execute()


def has_input(job_id: str) -> bool:
    return JobInput.select(JobInput.part).where(JobInput.job == job_id).limit(1).exists()


def open_input(job_id: str) -> io.BufferedReader:
    """The job's input as a file, fetched a part at a time as it is read."""
    return io.BufferedReader(_InputParts(job_id), buffer_size=64 * 1024)


def read_input(job_id: str) -> bytes:
    with open_input(job_id) as stream:
        return stream.read()


def drop_input(job_id: str) -> None:
    JobInput.delete().where(JobInput.job == job_id).execute()


class _InputParts(io.RawIOBase):
    """A raw reader over a job's input parts, one SELECT per part; holds at most one part."""

    def __init__(self, job_id: str):
        self.job_id, self.part, self.left, self.at = job_id, 0, b"", 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.at >= len(self.left):
            row = JobInput.select(JobInput.data).where((JobInput.job == self.job_id)
                                                       & (JobInput.part == self.part)).first()
            if row is None:
                return 0
            self.left, self.at, self.part = bytes(row.data), 0, self.part + 1
        count = min(len(buffer), len(self.left) - self.at)
        buffer[:count] = self.left[self.at:self.at + count]
        self.at += count
        return count


def release(job_id: str) -> None:
    """Give a job back to the queue after a failed attempt (the retry claims it again)."""
    Job.update(state="queued", lease_until=None, updated_at=now()).where(Job.id == job_id).execute()
