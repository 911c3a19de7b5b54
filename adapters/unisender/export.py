"""exportContacts (legacy, synchronous pages) and async/exportContacts + async/getTaskResult (CSV file)."""
from __future__ import annotations

import csv
import io

from core import scalars
from core.commands import GetJob, SearchContacts, StartJob
from core.contacts import ContactFilter

from ..common import Method
from .import_contacts import META_ATTRS, STATUSES
from .params import as_list, choice, integer, invalid, lists_of, shown, text, timestamp_text

MAX_PAGE = 1000
DEFAULT_COLUMNS = ["email", "email_status", "email_availability", "email_add_time", "email_list_ids",
                   "email_subscribe_times", "email_unsubscribed_list_ids", "email_excluded_list_ids", "phone",
                   "phone_status", "phone_list_ids", "tags"]
JOB_KIND = "unisender.export"
# Job states as getTaskResult prints them.
TASK_STATUS = {"queued": "new", "running": "processing", "finished": "completed", "failed": "failed"}


def _filter(params: dict) -> ContactFilter:
    flt = ContactFilter(list=integer(params, "list_id"), list_statuses=("subscribed", "unsubscribed", "excluded"))
    if text(params, "tag"):
        flt.tag_name = text(params, "tag").strip()
    for name in ("email", "phone"):
        if text(params, name):
            setattr(flt, name, text(params, name).strip())
    flt.email_status = choice(params, "email_status", STATUSES + ("invited", "blocked", "activation_requested"))
    flt.phone_status = choice(params, "phone_status", STATUSES + ("blocked",))
    return flt


def columns(params: dict) -> list[str]:
    names = [n.strip() for n in as_list(params.get("field_names")) if isinstance(n, str) and n.strip()]
    return names or list(DEFAULT_COLUMNS)


def row(view, names: list[str]) -> list[str]:
    """One contact as export cells, in the same column vocabulary importContacts reads."""
    return [_cell(view, name) for name in names]


def _cell(view, name: str) -> str:
    attrs = view.attrs
    if name in ("email", "phone"):
        return getattr(view, name) or ""
    if name in ("email_status", "phone_status"):
        return getattr(view, name) or ""
    channel, _, column = name.partition("_")
    if channel in ("email", "phone") and (column == "availability" or column in META_ATTRS):
        # Where importContacts keeps the column (one mapping, so the two cannot drift apart).
        stored = attrs.get(f"{channel}_{META_ATTRS.get(column, column)}")
        if stored:
            return stored
        if column == "add_time" and getattr(view, channel):
            return timestamp_text(view.created_at)
        return "available" if name == "email_availability" and view.email else ""
    if name == "tags":
        return ",".join(view.tags)
    if name == "id":
        return str(view.id)
    if channel in ("email", "phone") and column in ("list_ids", "subscribe_times", "unsubscribed_list_ids",
                                                    "excluded_list_ids"):
        status = {"list_ids": "subscribed", "subscribe_times": "subscribed",
                  "unsubscribed_list_ids": "unsubscribed", "excluded_list_ids": "excluded"}[column]
        chosen = [m for m in lists_of(view) if m.channel == channel and m.status == status]
        if column == "subscribe_times":
            return ",".join(timestamp_text(m.subscribed_at) or "" for m in chosen)
        return ",".join(str(m.list) for m in chosen)
    value = view.fields.get(name)
    return "" if value is None else str(value)


def parse_export(params: dict) -> SearchContacts:
    offset = integer(params, "offset", default=0, minimum=0)
    limit = integer(params, "limit", default=MAX_PAGE, minimum=1)
    if limit > MAX_PAGE:
        raise invalid(f"Argument \"limit\" is over {MAX_PAGE}: export in pages with offset and limit")
    return SearchContacts(_filter(params), offset=offset, limit=limit)


def render_export(found, params: dict, ctx: dict) -> dict:
    names = columns(params)
    return {"result": {"field_names": names, "data": [row(view, names) for view in found.contacts]}}


def parse_async_export(params: dict) -> StartJob:
    """Everything knowable now is refused now, not in the worker: bad filters, a notify_url that is
    no URL (an array, a NUL), a list that does not exist (core checks StartJob.lists)."""
    flt = _filter(params)
    notify_url = text(params, "notify_url")
    if notify_url is not None and notify_url.strip():
        try:
            scalars.link(notify_url)
        except scalars.ValueRefused:
            raise invalid(f'Argument "notify_url" must be an http or https URL, got "{shown(notify_url)}"') from None
    payload = {"params": {k: v for k, v in params.items() if k not in ("api_key",)}}
    return StartJob(kind=JOB_KIND, payload=payload, lists=[flt.list] if flt.list is not None else [])


def render_async_export(job, params: dict, ctx: dict) -> dict:
    return {"result": {"task_uuid": job.id, "status": "new"}}


def job_filter(payload: dict) -> tuple[ContactFilter, list[str]]:
    """What an export job reads, from the parameters saved with it."""
    params = payload["params"]
    return _filter(params), columns(params)


def csv_bytes(names: list[str], views) -> bytes:
    """The export file: UTF-8 CSV, header line first, comma-separated, quoted as needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for view in views:
        writer.writerow(row(view, names))
    return out.getvalue().encode("utf-8")


def task_result(job, file_url: str | None) -> dict:
    result = {"task_uuid": job.id, "status": TASK_STATUS.get(job.state, job.state), "task_type": "export_contacts"}
    if job.state == "finished" and file_url:
        result["file_to_download"] = file_url
    if job.state == "failed":
        result["error"] = job.error or "Export failed"
    return result


def parse_task_result(params: dict) -> GetJob:
    return GetJob(job_id=text(params, "task_uuid", required=True).strip())


def render_task_result(found, params: dict, ctx: dict) -> dict:
    job = found.job
    url = ctx["file_url"](job) if job.state == "finished" else None
    return {"result": task_result(job, url)}


EXPORT_CONTACTS = Method(parse_export, render_export)
ASYNC_EXPORT_CONTACTS = Method(parse_async_export, render_async_export)
GET_TASK_RESULT = Method(parse_task_result, render_task_result)
