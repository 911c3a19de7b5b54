"""Icomm's StatusCode catalogue: what each code means, its Message, and the HTTP status it travels with.

Only 1 (saved), 2 (removed) and 101 (not found) are known from client code; every other code
is the gateway's choice, in the same style (see docs/dialects/icomm.md). Business answers are
HTTP 200 with a non-1 StatusCode, which is what clients check after `response.ok`; a request
the gateway cannot even read (no valid key, not JSON, too large, wrong path or method) gets a
4xx status as well, and its body carries `code` and `message` at the top level, which is where
one client looks on a non-2xx answer.
"""
from __future__ import annotations

from core import errors as core_errors

SAVED = 1
REMOVED = 2
NOT_FOUND = 101
INVALID_EMAIL = 102
UNKNOWN_FIELD = 103
INVALID_VALUE = 104
INVALID_PROFILE = 110
INVALID_REQUEST = 111
TOO_MANY_CONTACTS = 112
INVALID_API_KEY = 120
MALFORMED_JSON = 121
BODY_TOO_LARGE = 122
UNKNOWN_OPERATION = 123
METHOD_NOT_ALLOWED = 124
RATE_LIMITED = 125
INTERNAL_ERROR = 199

MESSAGES = {
    SAVED: "Contact saved",
    REMOVED: "Contact removed",
    NOT_FOUND: "Contact not found",
    INVALID_EMAIL: "Invalid email address",
    UNKNOWN_FIELD: "Unknown custom field",
    INVALID_VALUE: "Invalid custom field value",
    INVALID_PROFILE: "Invalid profile key",
    INVALID_REQUEST: "Invalid request",
    TOO_MANY_CONTACTS: "Too many contacts",
    INVALID_API_KEY: "Invalid API key",
    MALFORMED_JSON: "Malformed JSON",
    BODY_TOO_LARGE: "Request body too large",
    UNKNOWN_OPERATION: "Unknown operation",
    METHOD_NOT_ALLOWED: "Method not allowed",
    RATE_LIMITED: "Too many requests",
    INTERNAL_ERROR: "Internal error",
}

# Codes that are not business answers: the request never reached an operation.
HTTP_STATUS = {
    INVALID_API_KEY: 401,
    MALFORMED_JSON: 400,
    BODY_TOO_LARGE: 413,
    UNKNOWN_OPERATION: 404,
    METHOD_NOT_ALLOWED: 405,
    RATE_LIMITED: 429,
    INTERNAL_ERROR: 500,
}

CORE_CODES = {
    core_errors.UNAUTHORIZED: INVALID_API_KEY,
    core_errors.UNKNOWN_DATABASE: INVALID_PROFILE,
    core_errors.INVALID_EMAIL: INVALID_EMAIL,
    core_errors.MISSING_IDENTITY: INVALID_EMAIL,
    core_errors.INVALID_ARGUMENT: INVALID_REQUEST,
    core_errors.UNKNOWN_FIELD: UNKNOWN_FIELD,
    core_errors.INVALID_VALUE: INVALID_VALUE,
    core_errors.INVALID_DATE: INVALID_VALUE,
    core_errors.CONTACT_NOT_FOUND: NOT_FOUND,
    core_errors.NOT_FOUND: NOT_FOUND,
    core_errors.TOO_MANY_ITEMS: TOO_MANY_CONTACTS,
    core_errors.RATE_LIMITED: RATE_LIMITED,
}

PROBLEM_CODES = {
    "unauthorized": INVALID_API_KEY,
    "malformed": MALFORMED_JSON,
    "bad_encoding": MALFORMED_JSON,
    "unsupported_media_type": MALFORMED_JSON,
    "body_too_large": BODY_TOO_LARGE,
    "not_found": UNKNOWN_OPERATION,
    "method_not_allowed": METHOD_NOT_ALLOWED,
}

# Texts that would say more than the caller should learn (which keys or profiles exist).
FIXED_DETAILS = {
    INVALID_API_KEY: "The API key in the Authorization header is missing or not valid",
    INVALID_PROFILE: "The ProfileKey does not name a profile of this account",
    INTERNAL_ERROR: "The request could not be processed; try again later",
}


def http_status(code: int, array_result: bool = False) -> int:
    """The HTTP status of an answer; an operation whose result is a bare array has no StatusCode
    to carry a business error, so its errors need a 4xx status to be seen at all."""
    if code in HTTP_STATUS:
        return HTTP_STATUS[code]
    if array_result and code not in (SAVED, REMOVED):
        return 400
    return 200


def from_core(error) -> tuple[int, str]:
    """(StatusCode, MessageDetail) for a core error."""
    code = CORE_CODES.get(error.code, INVALID_REQUEST)
    if error.code == core_errors.INVALID_EMAIL and "value" in error.details:
        return code, f'"{error.details["value"]}" is not a valid email address'
    return code, FIXED_DETAILS.get(code, error.message)


def from_problem(problem) -> tuple[int, str]:
    """(StatusCode, MessageDetail) for a gateway RequestProblem (body, size, encoding)."""
    return PROBLEM_CODES.get(problem.kind, MALFORMED_JSON), problem.message


def from_http_status(status: int, text: str) -> tuple[int, str]:
    code = {404: UNKNOWN_OPERATION, 405: METHOD_NOT_ALLOWED, 413: BODY_TOO_LARGE}.get(status, MALFORMED_JSON)
    return code, text


def unexpected() -> tuple[int, str]:
    return INTERNAL_ERROR, FIXED_DETAILS[INTERNAL_ERROR]


def detail(code: int, text: str) -> str:
    return FIXED_DETAILS.get(code, text)
