"""The Dotdigital route table: path template -> {HTTP verb: Method}, for the v3 contacts service and v2."""
from __future__ import annotations

from . import contacts_v3 as c3
from . import import_v3
from .wire import Method

V3_ROUTES: dict[str, dict[str, Method]] = {
    "/contacts/v3": {
        "GET": Method(c3.parse_list, c3.render_list, on_error=c3.list_not_found, body="none"),
        "POST": Method(c3.parse_create, c3.render_written),
    },
    "/contacts/v3/import": {
        "PUT": Method(import_v3.parse_import, import_v3.render_import, job=True),
    },
    "/contacts/v3/import/{import_id}": {
        "GET": Method(import_v3.parse_status, import_v3.render_status, on_error=import_v3.status_not_found),
    },
    "/contacts/v3/delete": {
        "POST": Method(c3.parse_bulk_delete, c3.render_bulk_delete, job=True, on_error=c3.bulk_delete_refused),
    },
    "/contacts/v3/delete/{delete_id}": {
        "GET": Method(c3.parse_delete_status, c3.render_delete_status, on_error=c3.delete_status_not_found),
    },
    "/contacts/v3/{identifier}/{value}": {
        "GET": Method(c3.parse_get, c3.render_get, on_error=c3.not_found),
        "PATCH": Method(c3.parse_patch, c3.render_written, on_error=c3.not_found),
        "PUT": Method(c3.parse_put, c3.render_written, on_error=c3.not_found),
        "DELETE": Method(c3.parse_delete, c3.render_deleted, on_error=c3.not_found),
    },
}

V2_ROUTES: dict[str, dict[str, Method]] = {}
