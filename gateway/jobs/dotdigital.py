"""Dotdigital jobs (v3 and v2 imports, v3 bulk deletes): the stored contacts in resumable chunks, then the report once."""
from __future__ import annotations

from adapters.dotdigital import contacts_v3, import_v2, import_v3
from core import jobs

PLANS = {
    import_v3.KIND: import_v3.Plan,
    import_v2.KIND: import_v2.Plan,
    contacts_v3.DELETE_KIND: contacts_v3.DeletePlan,
}
CONTENT_TYPES = {import_v2.KIND: "text/csv; charset=utf-8"}


def run(job) -> None:
    plan = PLANS[job.kind](job.payload)
    jobs.run_chunks(job, plan.chunks())
    body, summary = plan.report(job.id, jobs.items(job.id))
    jobs.put_blob(job.id, CONTENT_TYPES.get(job.kind, "application/json"), body)
    jobs.finish(job.id, summary)
