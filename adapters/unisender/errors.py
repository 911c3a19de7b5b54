"""Unisender's error catalogue: every refusal becomes {"error": text, "code": code, "result": ""}.

Unisender answers API errors with HTTP 200 (its clients decide by the `error`/`code` keys and
several treat any other status as a transport failure), and its one published error example
carries `"result": ""` beside them.
"""
from __future__ import annotations

from core import errors as core_errors

# core error code -> Unisender code
CORE_CODES = {
    core_errors.UNAUTHORIZED: "invalid_api_key",
    core_errors.CONTACT_NOT_FOUND: "unspecified",
    core_errors.NOT_FOUND: "unspecified",
    core_errors.DUPLICATE_NAME: "invalid_arg",
    core_errors.UNKNOWN_LIST: "invalid_arg",
    core_errors.UNKNOWN_FIELD: "invalid_arg",
    core_errors.UNKNOWN_TAG: "invalid_arg",
    core_errors.UNKNOWN_DATABASE: "invalid_arg",
    core_errors.INVALID_ARGUMENT: "invalid_arg",
    core_errors.INVALID_VALUE: "invalid_arg",
    core_errors.INVALID_DATE: "invalid_arg",
    core_errors.INVALID_EMAIL: "invalid_arg",
    core_errors.INVALID_PHONE: "invalid_arg",
    core_errors.TOO_MANY_ITEMS: "invalid_arg",
    core_errors.EMAIL_CONFLICT: "unspecified",
    core_errors.PHONE_CONFLICT: "unspecified",
    core_errors.RATE_LIMITED: "api_call_limit_exceeded_for_api_key",
}

MESSAGES = {
    "invalid_api_key": "The specified API access key is invalid",
    # The vendor's own description of the code, in English (its Russian one: "Сработало ограничение по
    # вызову методов API в единицу времени. На данный момент это 1200 вызовов в минуту. Для метода
    # sendEmail — 60."); the same text whichever limit was met, as the vendor's is fixed.
    "api_call_limit_exceeded_for_api_key": "The limit on API method calls per unit of time has been reached. "
                                           "At the moment it is 1200 calls per minute. For the sendEmail method, 60.",
}


def body(code: str, message: str) -> dict:
    return {"error": message, "code": code, "result": ""}


def from_core(error) -> dict:
    code = CORE_CODES.get(error.code, "unspecified")
    if error.code in (core_errors.UNAUTHORIZED, core_errors.RATE_LIMITED):
        return body(code, MESSAGES[code])
    return body(code, error.message)


def from_problem(problem) -> dict:
    """Gateway-level refusals (size, encoding, malformed body) are invalid arguments to Unisender."""
    return body("invalid_arg", problem.message)


def unexpected() -> dict:
    return body("retry_later", "Temporary failure. Try again later.")
