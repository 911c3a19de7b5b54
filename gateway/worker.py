"""Job execution: huey tasks that claim a job by id, run its handler, and recover forgotten jobs."""
from __future__ import annotations

import logging

from huey import crontab

from core import db as store
from core import jobs
from core.commands import StartJob

from . import downloads
from .jobs import HANDLERS
from .queue import huey

log = logging.getLogger("contact_gateway.worker")
MAX_ATTEMPTS = 5


def with_download(command: StartJob, base_url: str) -> StartJob:
    """Give a job the token and base URL under which its output file will be served."""
    command.payload = {**command.payload, "download_token": downloads.new_token(), "base_url": base_url}
    return command


def enqueue_started(command, result) -> None:
    """The one rule of every dialect: a request whose command is a StartJob hands the job it created to the queue."""
    if isinstance(command, StartJob):
        enqueue(result.id)


def enqueue(job_id: str) -> None:
    try:
        run_job(job_id)
    except Exception:  # noqa: BLE001 - the job row is saved; the recovery sweep will enqueue it again
        log.exception("could not enqueue job %s; recovery will pick it up", job_id)


def execute(job_id: str) -> None:
    job = jobs.claim(job_id)
    if job is None:
        return  # finished, or another worker holds a live lease on it
    handler = HANDLERS.get(job.kind)
    if handler is None:
        jobs.fail(job_id, f"No handler for job kind {job.kind}")
        return
    try:
        handler(job)
    except Exception as exc:  # noqa: BLE001 - recorded on the job; retried until MAX_ATTEMPTS
        log.exception("job %s (%s) failed on attempt %s", job_id, job.kind, job.attempts)
        if job.attempts >= MAX_ATTEMPTS:
            jobs.fail(job_id, str(exc))
        else:
            jobs.release(job_id)
            raise


@huey.task(retries=MAX_ATTEMPTS, retry_delay=2)
def run_job(job_id: str) -> None:
    store.database().connect(reuse_if_open=True)
    execute(job_id)


@huey.periodic_task(crontab(minute="*"))
def recover_jobs() -> None:
    """Re-enqueue jobs the queue lost or whose worker died (their lease ran out)."""
    for job_id in jobs.stale():
        run_job(job_id)


@huey.on_startup()
def _startup() -> None:
    store.open_database()
    recover_jobs()
    # A job that ran when the last worker died still holds a lease: look again once it has lapsed.
    recover_jobs.schedule(delay=int(jobs.LEASE.total_seconds()) + 2)
