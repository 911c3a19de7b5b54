"""async/exportContacts: page through the contacts, write one CSV, store it, notify the client."""
from __future__ import annotations

from dataclasses import replace

from adapters.unisender import export
from core import contacts, jobs

from .. import downloads
from ..outbound import post_json

KIND = export.JOB_KIND
PAGE = 1000


def run(job) -> None:
    flt, names = export.job_filter(job.payload)
    views = []
    while True:
        # By key, not by a growing OFFSET: each page starts after the last id seen, so it costs the
        # same however deep the export is, and a contact added meanwhile shifts nothing.
        page = contacts.search(job.account_id, flt, limit=PAGE)
        views.extend(page)
        jobs.renew(job.id)
        if len(page) < PAGE:
            break
        flt = replace(flt, id_after=page[-1].id)
    jobs.put_blob(job.id, "text/csv; charset=utf-8", export.csv_bytes(names, views))
    jobs.finish(job.id, {"rows": len(views)})
    notify_url = job.payload["params"].get("notify_url")
    if notify_url:
        job = jobs.get(job.account_id, job.id)
        post_json(notify_url, {"result": export.task_result(job, downloads.url(job.payload["base_url"], job))})
