"""Job output files (exports) behind an unguessable per-job token, so clients fetch them without a key."""
from __future__ import annotations

import hmac
import secrets

import falcon

from core import jobs
from core.schema import Job

PATH = "/downloads/{job_id}/{token}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def url(base_url: str, job) -> str:
    return f"{base_url.rstrip('/')}/downloads/{job.id}/{job.payload.get('download_token', '')}"


class Downloads:
    def on_get(self, req, resp, job_id, token):
        job = Job.get_or_none(Job.id == job_id)
        expected = (job.payload or {}).get("download_token", "") if job else ""
        if not job or not expected or not hmac.compare_digest(expected, token):
            raise falcon.HTTPNotFound()
        blob = jobs.blob(job.id)
        if blob is None:
            raise falcon.HTTPNotFound(description="The file is not ready yet")
        resp.content_type = blob.content_type
        resp.data = bytes(blob.data)
        resp.set_header("Content-Disposition", f'attachment; filename="{job.id}.csv"')
