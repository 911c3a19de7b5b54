"""The Dotdigital route table: path template -> {HTTP verb: Method}, for the v3 contacts service and v2."""
from __future__ import annotations

from core.commands import GetAccount, GetFields

from . import contacts_v2 as c2
from . import contacts_v3 as c3
from . import import_v2, import_v3, job_status
from .errors import import_not_found, invalid_delete_id, invalid_id
from .wire import Method

V3_ROUTES: dict[str, dict[str, Method]] = {
    "/contacts/v3": {
        "GET": Method(c3.parse_list, c3.render_list, on_error=c3.list_not_found, body="none"),
        "POST": Method(c3.parse_create, c3.render_written),
    },
    "/contacts/v3/import": {
        "PUT": Method(import_v3.parse_import, import_v3.render_import, body="json_items"),
    },
    "/contacts/v3/import/{import_id}": {
        "GET": job_status.method(import_v3.KIND, "import_id", "importId", import_v3.STATUS,
                                 lambda value: invalid_id(value, "importId"), import_not_found),
    },
    "/contacts/v3/delete": {
        "POST": Method(c3.parse_bulk_delete, c3.render_bulk_delete, on_error=c3.bulk_delete_refused),
    },
    "/contacts/v3/delete/{delete_id}": {
        "GET": job_status.method(c3.DELETE_KIND, "delete_id", "deleteId", c3.DELETE_STATUS, invalid_delete_id,
                                 invalid_delete_id),
    },
    "/contacts/v3/{identifier}/{value}": {
        "GET": Method(c3.parse_get, c3.render_get, on_error=c3.get_not_found),
        "PATCH": Method(c3.parse_patch, c3.render_written, on_error=c3.not_found),
        "PUT": Method(c3.parse_put, c3.render_written, on_error=c3.not_found),
        "DELETE": Method(c3.parse_delete, c3.render_deleted, on_error=c3.not_found),
    },
}

_FILE_IMPORT = Method(import_v2.parse_file, import_v2.render_started, body="upload")
_BOOK_CONTACTS = {
    "POST": Method(c2.parse_book_add, c2.render_contact),
    "GET": Method(c2.parse_book_list, c2.render_list, body="none"),
}

V2_ROUTES: dict[str, dict[str, Method]] = {
    "/v2/account-info": {"GET": Method(lambda p: GetAccount(), c2.render_account, body="none")},
    "/v2/contacts": {
        "POST": Method(c2.parse_create, c2.render_created),
        "GET": Method(c2.parse_list, c2.render_list, body="none"),
    },
    "/v2/contacts/{contact_id}": {
        "GET": Method(c2.parse_get, c2.render_found, body="none"),
        "PUT": Method(c2.parse_update, c2.render_contact),
        "DELETE": Method(c2.parse_delete, c2.render_no_content, body="none"),
    },
    "/v2/contacts/unsubscribe": {"POST": Method(c2.parse_unsubscribe, c2.render_unsubscribed)},
    "/v2/contacts/resubscribe": {"POST": Method(c2.parse_resubscribe, c2.render_resubscribed)},
    "/v2/contacts/resubscribe-with-no-challenge": {
        "POST": Method(c2.parse_resubscribe_no_challenge, c2.render_resubscribed),
    },
    "/v2/contacts/import-collection": {
        "POST": Method(import_v2.parse_collection, import_v2.render_started, body="json_items"),
    },
    "/v2/contacts/import": {"POST": _FILE_IMPORT},
    "/v2/contacts/import/with-merge-option/{merge_option}": {"POST": _FILE_IMPORT},
    "/v2/contacts/import/{import_id}": {
        "GET": Method(import_v2.parse_status, import_v2.render_status, on_error=import_v2.status_unknown, body="none"),
    },
    "/v2/contacts/import/{import_id}/report": {
        "GET": Method(import_v2.parse_status, import_v2.render_report, on_error=import_v2.report_not_ready,
                      body="none"),
    },
    "/v2/contacts/import/{import_id}/report-faults": {
        "GET": Method(import_v2.parse_status, import_v2.render_faults, on_error=import_v2.report_not_ready,
                      body="none"),
    },
    "/v2/address-books": {
        "GET": Method(c2.parse_books, c2.render_books, body="none"),
        "POST": Method(c2.parse_create_book, c2.render_created_book, on_error=c2.book_exists),
    },
    "/v2/address-books/{book_id}": {"GET": Method(c2.parse_book, c2.render_book, body="none")},
    "/v2/address-books/{book_id}/contacts": _BOOK_CONTACTS,
    "/v2/address-books/{book_id}/contacts/{contact_id}": {
        "DELETE": Method(c2.parse_book_remove, c2.render_book_removed, body="none"),
    },
    "/v2/address-books/{book_id}/contacts/unsubscribe": {
        "POST": Method(c2.parse_book_unsubscribe, c2.render_book_unsubscribed),
    },
    "/v2/address-books/{book_id}/contacts/import": {"POST": _FILE_IMPORT},
    "/v2/address-books/{book_id}/contacts/import/with-merge-option/{merge_option}": {"POST": _FILE_IMPORT},
    "/v2/data-fields": {
        "GET": Method(lambda p: GetFields(), c2.render_fields, body="none"),
        "POST": Method(c2.parse_create_field, c2.render_created_field),
    },
    "/v2/data-fields/{name}": {
        "DELETE": Method(c2.parse_delete_field, c2.render_deleted_field, on_error=c2.field_not_found, body="none"),
    },
}
