"""Reading the account's asynchronous jobs of every dialect: state, progress and per-item report, paged."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import errors
from .errors import CoreError
from .schema import Job, JobItem

MAX_PAGE = 1000
# Everything but the payload, which holds a whole import's items and is no reader's business.
_COLUMNS = [Job.id, Job.kind, Job.dialect, Job.state, Job.progress, Job.error, Job.attempts, Job.created_at,
            Job.updated_at, Job.finished_at]


@dataclass
class ImportView:
    id: str
    kind: str
    dialect: str
    state: str  # queued | running | finished | failed
    done: int  # items committed so far
    total: int | None  # items in the job, when known
    counts: dict  # outcome -> items, over the whole report
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    items: list = field(default_factory=list)  # ItemView, a page of the report, when asked for
    next_item: int | None = None  # the position the next page of the report starts at; None: no more


@dataclass(frozen=True, slots=True)
class ItemView:
    position: int
    outcome: str
    contact_id: int | None
    key: str | None
    error: str | None
    message: str | None


@dataclass
class ImportPage:
    items: list[ImportView]
    next_before: tuple | None  # (created_at, id) of the last job shown; None: last page


def page(account_id: int, before: tuple | None = None, limit: int = 50) -> ImportPage:
    """The account's jobs, newest first; `before` is the previous page's next_before. Two queries."""
    limit = max(1, min(int(limit), MAX_PAGE))
    query = Job.select(*_COLUMNS).where(Job.account == account_id)
    if before is not None:
        at, job_id = before
        query = query.where((Job.created_at < at) | ((Job.created_at == at) & (Job.id < str(job_id))))
    rows = list(query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    counts = _counts([r.id for r in rows])
    views = [_view(r, counts.get(r.id, {})) for r in rows]
    return ImportPage(views, (rows[-1].created_at, rows[-1].id) if more else None)


def detail(account_id: int, job_id: str, items_from: int = 0, items_limit: int = 100) -> ImportView:
    """One job with a page of its per-item report (positions from `items_from`); three queries.

    Another account's job id is "not found".
    """
    job = Job.select(*_COLUMNS).where((Job.id == str(job_id)) & (Job.account == account_id)).first()
    if job is None:
        raise CoreError(errors.NOT_FOUND, f"Job {job_id} not found", job=str(job_id))
    items_limit = max(1, min(int(items_limit), MAX_PAGE))
    view = _view(job, _counts([job.id]).get(job.id, {}))
    rows = list(JobItem.select().where((JobItem.job == job.id) & (JobItem.position >= items_from))
                .order_by(JobItem.position).limit(items_limit + 1).namedtuples())
    view.items = [ItemView(r.position, r.outcome, r.contact_id, r.key, r.error, r.message) for r in rows[:items_limit]]
    view.next_item = rows[items_limit].position if len(rows) > items_limit else None
    return view


def _counts(job_ids: list[str]) -> dict[str, dict[str, int]]:
    """outcome -> items for each job, in one grouped query."""
    from peewee import fn

    result: dict[str, dict[str, int]] = {}
    if not job_ids:
        return result
    query = (JobItem.select(JobItem.job, JobItem.outcome, fn.COUNT(JobItem.position).alias("n"))
             .where(JobItem.job.in_(job_ids)).group_by(JobItem.job, JobItem.outcome).tuples())
    for job_id, outcome, n in query:
        result.setdefault(job_id, {})[outcome] = n
    return result


def _view(job: Job, counts: dict) -> ImportView:
    progress = job.progress or {}
    total = progress.get("total")
    return ImportView(id=job.id, kind=job.kind, dialect=job.dialect or job.kind.split(".", 1)[0],
                      state=job.state, done=int(progress.get("done", 0)), total=total, counts=counts,
                      error=job.error, attempts=job.attempts, created_at=job.created_at, updated_at=job.updated_at,
                      finished_at=job.finished_at)
