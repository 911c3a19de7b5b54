"""Dotdigital jobs (v3 and v2 imports, v3 bulk deletes): the stored contacts in resumable chunks, the report made as they are done."""
from __future__ import annotations

from functools import partial

from adapters.dotdigital import contacts_v3, import_v2, import_v3
from core import jobs

from ..codecs import json_stream

PLANS = {
    import_v3.KIND: import_v3.Plan,
    import_v2.KIND: import_v2.Plan,
    contacts_v3.DELETE_KIND: contacts_v3.DeletePlan,
}
CONTENT_TYPES = {import_v2.KIND: "text/csv; charset=utf-8"}


def run(job) -> None:
    plan = PLANS[job.kind](job.payload, contacts(job))
    jobs.run_chunks(job, plan.chunks(), recorded=plan.recorded)  # the report is made as the chunks are done
    body, summary = plan.report(job.id)
    jobs.finish_with_output(job.id, CONTENT_TYPES.get(job.kind, "application/json"), body, summary)


def contacts(job):
    """The job's contacts: its payload's list, or (a v3 import) the items it names in the request body it keeps."""
    listed = job.payload["contacts"]
    if isinstance(listed, list):
        return listed
    return json_stream.reopen(partial(jobs.open_input, job.id), listed)
