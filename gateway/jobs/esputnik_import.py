"""eSputnik imports: the saved contacts of POST /v1/contacts, or the CSV file of POST /v1/contacts/upload.

Both run through core.jobs.run_chunks: each chunk of contacts commits with its report (the
importstatus mapping) and the progress marker, so a worker killed mid-import resumes after the
last committed chunk and no contact is written twice. A file is fetched once and kept with the
job until it ends, so a resumed file import reads the same bytes; a file that cannot be fetched
or read fails the session (importstatus ERROR) before anything is written.
"""
from __future__ import annotations

import time

from adapters.esputnik import bulk, file_import
from core import jobs, service
from core.commands import GetFields

from ..config import Settings
from ..outbound import OutboundRefused, download

BULK = bulk.JOB_KIND
FILE = file_import.JOB_KIND


def run_bulk(job) -> None:
    settings = Settings()
    opts = bulk.options(job.payload["options"])
    if "changes" in job.payload:
        kept = job.payload["changes"]
        items = bulk.restored(opts, kept)
    else:  # a job saved before the request kept its contacts' changes: its raw contacts
        kept = job.payload["contacts"]
        items = bulk.changes(opts, kept)
    _set_total(job, len(kept))
    jobs.run_chunks(job, bulk.chunks(opts, items, settings.import_chunk_size), key=bulk.mapping_key(opts))
    jobs.finish(job.id, {"contacts": len(kept)})


def run_file(job) -> None:
    settings = Settings()
    opts = bulk.options(job.payload["options"])
    if jobs.has_input(job.id):
        data = jobs.read_input(job.id)
    else:
        try:
            data = download(job.payload["link"], settings.fetch_max_bytes, settings.fetch_timeout,
                            on_progress=_renewer(job))
        except OutboundRefused as exc:
            jobs.fail(job.id, str(exc))
            return
        jobs.put_input(job.id, data)
    fields = service.execute(job.account_id, GetFields(database=1))
    try:
        total = file_import.check(data, fields, tick=_renewer(job))
    except file_import.FileInvalid as exc:
        jobs.drop_input(job.id)
        jobs.fail(job.id, str(exc))
        return
    _set_total(job, total)
    contacts = file_import.contacts(data, fields)
    jobs.run_chunks(job, bulk.chunks(opts, bulk.changes(opts, contacts, require_channels=False),
                                     settings.import_chunk_size), key=bulk.mapping_key(opts))
    jobs.drop_input(job.id)
    jobs.finish(job.id, {"contacts": total})


def _set_total(job, total: int) -> None:
    jobs.update_progress(job.id, total=total)
    job.progress = {**(job.progress or {}), "total": total}


def _renewer(job, every: float = 2.0):
    """A callback that renews the job's lease at most every `every` seconds (long downloads and checks)."""
    last = [time.monotonic()]

    def tick(*_):
        if time.monotonic() - last[0] >= every:
            jobs.renew(job.id)
            last[0] = time.monotonic()
    return tick
