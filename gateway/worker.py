"""Job execution: huey tasks that claim a job by id, run its handler, and recover forgotten jobs."""
from __future__ import annotations

import logging
import signal

from huey import crontab
from huey.consumer import Consumer as HueyConsumer

from core import db as store
from core import events, jobs
from core.commands import StartJob

from . import downloads, metrics
from .jobs import HANDLERS
from .observe import JobStep
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
    events.set_origin(job.dialect)  # the job's writes are its request's dialect's
    with JobStep(job.id, job.kind) as step:
        dialect = step.work.dialect
        log.info("job started", extra={"kind": job.kind, "attempt": job.attempts, "account_id": job.account_id,
                                       "done": int((job.progress or {}).get("done", 0))})
        handler = HANDLERS.get(job.kind)
        if handler is None:
            jobs.fail(job_id, f"No handler for job kind {job.kind}")
            _ended(dialect, "failed", job)
            return
        try:
            handler(job)
        except jobs.Interrupted as exc:
            # Shutting down: hand the job back at once (the next worker resumes after the last chunk).
            jobs.release(job_id)
            _ended(dialect, "interrupted", job, detail=str(exc))
            run_job(job_id)
            return
        except Exception as exc:  # noqa: BLE001 - recorded on the job; retried until MAX_ATTEMPTS
            log.exception("job failed", extra={"kind": job.kind, "attempt": job.attempts})
            if job.attempts >= MAX_ATTEMPTS:
                jobs.fail(job_id, str(exc))
                _ended(dialect, "failed", job)
            else:
                jobs.release(job_id)
                _ended(dialect, "retrying", job)
                raise
            return
        _ended(dialect, "finished", job)


def _ended(dialect: str, result: str, job, detail: str | None = None) -> None:
    metrics.JOB_RUNS.labels(dialect, result).inc()
    row = jobs.get(job.account_id, job.id)
    extra = {"kind": job.kind, "result": result, "state": row.state, "done": int((row.progress or {}).get("done", 0))}
    if detail:
        extra["detail"] = detail
    log.info("job ended", extra=extra)


@huey.task(retries=MAX_ATTEMPTS, retry_delay=2)
def run_job(job_id: str) -> None:
    store.database().connect(reuse_if_open=True)
    execute(job_id)


@huey.periodic_task(crontab(minute="*"))
def recover_jobs() -> None:
    """Re-enqueue jobs the queue lost or whose worker died (their lease ran out)."""
    for job_id in jobs.stale():
        run_job(job_id)


class Consumer(HueyConsumer):
    """huey's consumer, whose stop and restart signals (SIGTERM, SIGHUP) also tell running jobs to end
    after their current chunk (core.jobs.STOP), so a graceful stop takes one chunk, not a whole import.

    A second SIGTERM does not cut the graceful stop short, as huey's own handler makes it do (it
    raises KeyboardInterrupt wherever the worker is): a SIGTERM to the server's process group reaches
    the worker, and `serve` sends it its own when its web workers are done, so a slow stop always
    saw two. SIGINT still stops at once.
    """

    def _handle_signal(self, signum, frame):
        if signum == signal.SIGTERM and self._signum == signal.SIGTERM:
            return  # stopping already (no logging here: a handler may run inside a logging call)
        super()._handle_signal(signum, frame)
        if signum == signal.SIGTERM:
            signal.signal(signal.SIGTERM, self._handle_signal)
        if self._graceful:
            jobs.STOP.set()


@huey.on_startup()
def _startup() -> None:
    store.open_database()
    recover_jobs()
    # A job that ran when the last worker died still holds a lease: look again once it has lapsed.
    recover_jobs.schedule(delay=int(jobs.LEASE.total_seconds()) + 2)
