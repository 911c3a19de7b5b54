"""GET of a v3 job by its id (an import, a bulk delete): the stored answer once finished, else its status."""
from __future__ import annotations

import re

from core import errors as core_errors
from core.commands import GetJob

from .wire import Method, Reply, path

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def method(kind: str, name: str, key: str, statuses: dict, malformed, unknown) -> Method:
    """The call for /…/{name}: `malformed(id)` when the id is no UUID, `unknown(id)` when the account has no
    such job of `kind`; while it runs, `{key: id, "status": statuses[state]}`."""

    def parse(params: dict) -> GetJob:
        job_id = path(params, name)
        if not UUID.fullmatch(job_id):
            raise malformed(job_id)
        return GetJob(job_id.lower(), with_output=True)

    def not_found(error, params: dict):
        return unknown(path(params, name)) if error.code == core_errors.NOT_FOUND else None

    def render(found, params: dict, ctx: dict) -> Reply:
        job = found.job
        if job.kind != kind:
            raise unknown(path(params, name))
        if job.state == "finished" and found.output is not None:
            return Reply(bytes(found.output.data))
        return Reply({key: job.id, "status": statuses.get(job.state, "NotFinished")})

    return Method(parse, render, on_error=not_found, body="none")
