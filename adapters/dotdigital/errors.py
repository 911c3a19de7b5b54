"""Dotdigital's error catalogues: v3 `{"errorCode", "description", "details"}` and v2 `{"message": "… ERROR_*"}`.

Texts marked "documented" are copied from the vendor's specs or official clients, typos included
(clients compare them); the rest follow the same patterns and are listed as choices in
docs/dialects/dotdigital.md.
"""
from __future__ import annotations

from core import errors as core_errors

from ..common import DialectError
from .limits import SCOPES

# -- v3 ------------------------------------------------------------------------------------------
BAD_JSON = ("contacts:badJson", "The request JSON is badly formed", 400)  # documented
TOO_MANY_IMPORTS = ("contacts:tooManyActiveImports",  # documented
                    "Your import request cannot be accepted as too many imports are being processed for you account. "
                    "Please wait for an import to complete and then resubmit.", 429)
TOO_MANY_DELETES = ("contacts:tooManyBulkDeleteJobs",  # documented
                    "Your bulk delete request cannot be accepted as too many bulk delete jobs are being processed for "
                    "you account. Please wait for a bulk delete job to complete and then resubmit.", 429)
RATE_LIMITED_V3 = ("contacts:tooManyRequests", "Too Many Requests", 429)  # status documented, body a choice
NO_CONTACTS = ("contacts:noContactsSpecified", "You must specifiy 1 or more contacts to be deleted!", 400)  # documented
UNAUTHORIZED_V3 = ("contacts:unauthorized", "Authorization has been denied for this request.", 401)
TOO_LARGE_V3 = ("contacts:requestTooLarge", "The request body is larger than the limit of {limit} bytes", 413)
NOT_FOUND_V3 = ("contacts:notFound", "No resource was found that matches the request URI '{path}'", 404)
NOT_ALLOWED_V3 = ("contacts:methodNotAllowed", "The requested resource does not support http method '{method}'", 405)
INTERNAL_V3 = ("contacts:internalError", "An unexpected error occurred. Please try again later.", 500)

ACTIVE_IMPORTS = 25  # documented: "Active contact imports are limited to 25"
ACTIVE_DELETES = 10  # (choice) bulk delete jobs queued or running per account
RETRY_AFTER = "5"  # seconds a client refused with 429 is asked to wait (choice)


def too_many(entry: tuple, limit: int, scope: str, reset: int | None = None) -> DialectError:
    """A 429: the limit, its scope and the seconds until it resets travel with it for the X-RateLimit-* headers."""
    message, status = (entry[1], entry[2]) if len(entry) == 3 else entry
    return DialectError(entry[0] if len(entry) == 3 else "v2", message, status, limit=limit, scope=scope,
                        reset=reset)


def rate_limited(entry: tuple, error) -> DialectError:
    """A tier's calls-per-minute limit met: 429, the tier named in X-RateLimit-Scope."""
    return too_many(entry, error.details["limit"], SCOPES.get(error.details["rule"], error.details["rule"]),
                    error.details["reset"])


def v3(entry: tuple, details: list | None = None, **values) -> DialectError:
    """The error of a catalogue entry; `values` fill its text (those it does not name are ignored)."""
    code, text, status = entry
    return DialectError(code, text.format(**values) if values else text, status, items=details)


def bad_request(description: str, where: str | None = None) -> DialectError:
    """A request whose structure does not fit the schema: refused whole, nothing is written."""
    details = [{"item": where, "description": description}] if where else None
    return DialectError("contacts:badRequest", description, 400, items=details)


def invalid_id(value, identifier: str) -> DialectError:  # documented text
    return DialectError("contacts:invalidId", f"The id value '{value}' is invalid for the identifier '{identifier}'",
                        400)


def contact_not_found(value, identifier: str) -> DialectError:  # documented text and details
    return DialectError("contacts:contactNotFound", "The following contacts could not be found", 404,
                        items=[{"item": str(value), "description": f"Not found using the identifier '{identifier}'"}])


def id_already_exists(value, identifier: str) -> DialectError:  # documented text, its missing quote included
    return DialectError("contacts:idAlreadyExists", f"The id value '{value} for the identifier '{identifier}' already "
                        "exists. All identifiers must be unique!", 409)


def import_not_found(import_id) -> DialectError:  # documented text
    return DialectError("contacts:importNotFound", f"The import request '{import_id}' could not be found!", 404)


def invalid_filter(value) -> DialectError:  # documented text
    return DialectError("contacts:invalidFilter", f"The filter value '{value}' is invalid", 400)


def invalid_delete_id(value) -> DialectError:  # documented text
    return DialectError("contacts:invalidDeleteId", f"The id value '{value}' is not a recognized deletion job "
                        "identifier", 400)


def v3_body(error: DialectError) -> dict:
    body = {"errorCode": error.code, "description": error.message}
    if error.details.get("items"):
        body["details"] = error.details["items"]
    return body


# Core errors that reach a v3 call whole (not as an item failure).
V3_CORE = {
    core_errors.UNAUTHORIZED: UNAUTHORIZED_V3,
}


def v3_from_core(error) -> DialectError:
    if error.code == core_errors.RATE_LIMITED:
        return rate_limited(RATE_LIMITED_V3, error)
    if error.code == core_errors.TOO_MANY_ACTIVE_JOBS:
        return too_many(TOO_MANY_IMPORTS, error.details.get("limit", ACTIVE_IMPORTS), "activeImports")
    entry = V3_CORE.get(error.code)
    if entry is not None:
        return v3(entry)
    if error.code == core_errors.CONTACT_NOT_FOUND:
        return contact_not_found(error.details.get("value", ""), error.details.get("identifier", "contactId"))
    status = 404 if error.code in (core_errors.NOT_FOUND, core_errors.UNKNOWN_LIST) else 400
    return DialectError("contacts:badRequest", error.message, status)


# -- v2 ------------------------------------------------------------------------------------------
UNAUTHORIZED_V2 = ("Authorization has been denied for this request.", 401)  # documented ([M2])
CONTACT_NOT_FOUND = ("Error: ERROR_CONTACT_NOT_FOUND", 404)  # documented text ([M1]); status inferred
ADDRESSBOOK_NOT_FOUND = ("Error: ERROR_ADDRESSBOOK_NOT_FOUND", 404)  # documented text ([M2]); status inferred
# The text as PyPI dotmailer 0.4.2 quotes the vendor's answer (connection.py); the status is inferred.
ADDRESSBOOK_NOT_WRITABLE = ("Address book cannot be written to via the API. ERROR_ADDRESSBOOK_NOTWRITABLE", 400)
CONTACT_SUPPRESSED = ("Contact is suppressed. ERROR_CONTACT_SUPPRESSED", 400)  # documented text ([M2])
DATAFIELD_EXISTS = ("Field already exists. ERROR_NON_UNIQUE_DATAFIELD", 400)  # documented text ([M2])
REPORT_NOT_READY = ("Import is not processed yet or completed with error. ERROR_IMPORT_REPORT_NOT_FOUND", 404)
FILE_INVALID = ("file must be valid", 400)  # documented with its status ([BULK])
BAD_BODY = ("The request body is not valid JSON. ERROR_BODY_DOES_NOT_MATCH_CONTENT_TYPE", 400)
TOO_MANY_IMPORTS_V2 = ("Too many imports are being processed for this account. ERROR_IMPORT_TOOMANYACTIVEIMPORTS", 429)
RATE_LIMITED_V2 = ("Too Many Requests", 429)  # status documented, body a choice
TOO_LARGE_V2 = ("Maximum request length exceeded.", 413)
NOT_FOUND_V2 = ("No HTTP resource was found that matches the request URI '{path}'.", 404)
NOT_ALLOWED_V2 = ("The requested resource does not support http method '{method}'.", 405)
INTERNAL_V2 = ("An error has occurred.", 500)


def v2(entry: tuple, **values) -> DialectError:
    text, status = entry
    return DialectError("v2", text.format(**values) if values else text, status)


def v2_invalid(detail: str, code: str = "ERROR_CONTACT_INVALID", status: int = 400) -> DialectError:
    """`<detail> ERROR_CODE`: one sentence, then the code, as the documented v2 messages are built."""
    return DialectError("v2", f"{detail.rstrip('.')}. {code}", status)


def v2_from_core(error) -> DialectError:
    code = error.code
    if code == core_errors.RATE_LIMITED:
        return rate_limited(RATE_LIMITED_V2, error)
    if code == core_errors.UNAUTHORIZED:
        return v2(UNAUTHORIZED_V2)
    if code == core_errors.CONTACT_NOT_FOUND:
        return v2(CONTACT_NOT_FOUND)
    if code == core_errors.UNKNOWN_LIST:
        return v2(ADDRESSBOOK_NOT_FOUND)
    if code == core_errors.LIST_READ_ONLY:
        return v2(ADDRESSBOOK_NOT_WRITABLE)
    if code == core_errors.SUPPRESSED:
        return v2(CONTACT_SUPPRESSED)
    if code == core_errors.DUPLICATE_NAME:
        return v2(DATAFIELD_EXISTS)
    if code == core_errors.TOO_MANY_ACTIVE_JOBS:
        return too_many(TOO_MANY_IMPORTS_V2, error.details.get("limit", ACTIVE_IMPORTS), "activeImports")
    if code == core_errors.UNKNOWN_FIELD:
        fields = error.details.get("fields") or [error.details.get("field", "")]
        return v2_invalid(f"Data field {', '.join(map(str, fields))} does not exist", "ERROR_DATAFIELD_NOTFOUND")
    if code == core_errors.INVALID_EMAIL:
        return v2_invalid("Email is not valid", "ERROR_CONTACT_INVALID")
    if code in (core_errors.EMAIL_CONFLICT, core_errors.ALREADY_EXISTS):
        return v2_invalid("The email address belongs to another contact", "ERROR_CONTACT_INVALID")
    if code in (core_errors.INVALID_VALUE, core_errors.INVALID_DATE):
        return v2_invalid(error.message.replace(".", ""), "ERROR_DATAFIELD_INVALID")
    if code == core_errors.INVALID_ARGUMENT:
        return v2_invalid(error.message.replace(".", ""), "ERROR_DATAFIELD_INVALID")
    return v2_invalid(error.message.replace(".", ""), "ERROR_CONTACT_INVALID")
