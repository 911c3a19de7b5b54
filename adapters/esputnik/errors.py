"""eSputnik's error catalogue: every refusal is an HTTP 4xx status with a short text body.

eSputnik answers errors with text, not JSON ("at status 400 and above the error text is returned"
— its Node client); the statuses are those its OpenAPI spec lists per method, plus 404 for an id
the account does not have, which its PHP clients rely on.
"""
from __future__ import annotations

from core import errors as core_errors

from ..common import DialectError

STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
}

# core error code -> HTTP status (anything else a request can get wrong is 400)
CORE_STATUS = {
    core_errors.UNAUTHORIZED: 401,
    core_errors.CONTACT_NOT_FOUND: 404,
    core_errors.NOT_FOUND: 404,
    core_errors.UNKNOWN_LIST: 404,
    core_errors.UNKNOWN_DATABASE: 404,
    core_errors.RATE_LIMITED: 429,
}

PROBLEM_STATUS = {
    "body_too_large": 413,  # what the nginx in front of eSputnik answers
    "unsupported_media_type": 415,
    "not_found": 404,
    "method_not_allowed": 405,
    "unauthorized": 401,
}


def item_error(error) -> DialectError:
    """A single-contact method whose one item failed: the request fails with the item's reason."""
    return DialectError(error.code, error.message, CORE_STATUS.get(error.code, 400))


def from_dialect(error: DialectError) -> tuple[int, str]:
    status = error.status or 400
    return status, error.message or STATUS_TEXT.get(status, "")


def from_core(error) -> tuple[int, str]:
    status = CORE_STATUS.get(error.code, 400)
    if status == 429:  # the wording of the vendor's spec for its 429 ("… per 1 second.")
        seconds = error.details["seconds"]
        window = "1 second" if seconds == 1 else f"{seconds} seconds"
        return status, f"Too many requests: More than {error.details['limit']} requests per {window}."
    return status, STATUS_TEXT[401] if status == 401 else error.message


def from_problem(kind: str, message: str) -> tuple[int, str]:
    """Gateway-level refusals (body, media type, route); the fixed statuses get their fixed text."""
    status = PROBLEM_STATUS.get(kind, 400)
    return status, STATUS_TEXT[status] if status in (401, 405, 415) else message


def from_status(status: int, description: str | None = None) -> tuple[int, str]:
    return status, description or STATUS_TEXT.get(status, "")


def unexpected() -> tuple[int, str]:
    return 500, STATUS_TEXT[500]
