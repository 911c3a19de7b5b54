"""Altcraft's error catalogue: every answer is {"error": code, "error_text": text, ...}.

Codes 0, 400, 401, 402 and 403 are Altcraft's own; the rest are chosen in the same HTTP-like
spirit (docs/dialects/altcraft.md lists them). Every answer but an internal failure is sent with
HTTP 200: the vendor's clients decide by `error`, and one public client only keeps a failed
request for a retry when it arrives as HTTP 200.
"""
from __future__ import annotations

from core import errors as core_errors

OK = 0
OK_TEXT = "Successful operation"

INCORRECT_REQUEST = 400
TOKEN_REQUIRED = 401
NOT_FOUND = 404
METHOD_NOT_ALLOWED = 405
CONFLICT = 409
TOO_LARGE = 413
TOO_MANY_REQUESTS = 429
INTERNAL = 500

# core error code -> Altcraft code (the text is the core's message unless TEXTS says otherwise)
CORE_CODES = {
    core_errors.UNAUTHORIZED: TOKEN_REQUIRED,
    core_errors.UNKNOWN_DATABASE: NOT_FOUND,
    core_errors.UNKNOWN_LIST: NOT_FOUND,
    core_errors.CONTACT_NOT_FOUND: NOT_FOUND,
    core_errors.NOT_FOUND: NOT_FOUND,
    core_errors.ALREADY_EXISTS: CONFLICT,
    core_errors.EMAIL_CONFLICT: CONFLICT,
    core_errors.PHONE_CONFLICT: CONFLICT,
    core_errors.EXTERNAL_ID_CONFLICT: CONFLICT,
    core_errors.RATE_LIMITED: TOO_MANY_REQUESTS,
}

TEXTS = {
    core_errors.UNKNOWN_DATABASE: "Database not found",
    core_errors.CONTACT_NOT_FOUND: "Profile not found",
    core_errors.ALREADY_EXISTS: "Profile already exists",
    core_errors.MISSING_IDENTITY: "Profile has no email, phone or subscription address",
}


def envelope(code: int, text: str) -> dict:
    return {"error": code, "error_text": text}


def from_core(error) -> tuple[int, str]:
    """(code, text) for a core error, whole-request or per profile."""
    code = CORE_CODES.get(error.code, INCORRECT_REQUEST)
    if error.code == core_errors.UNAUTHORIZED:
        return code, "API token required" if error.details.get("missing") else "Invalid API token"
    if error.code == core_errors.RATE_LIMITED:
        d = error.details
        return code, f"Too many requests: more than {d['limit']} in {d['seconds']} seconds; retry in {d['reset']} seconds"
    if error.code == core_errors.UNKNOWN_LIST:
        kind = "Segment" if error.details.get("kind") == "segment" else "Resource"
        ids = ", ".join(str(i) for i in error.details.get("ids") or ())
        return code, f"{kind} not found: {ids}" if ids else f"{kind} not found"
    if error.code == core_errors.CHANNEL_NOT_CARRIED:
        ids = ", ".join(str(i) for i in error.details.get("ids") or ())
        return code, f"Resource {ids} has no channel {error.details.get('channel')}"
    if code == CONFLICT and error.code != core_errors.ALREADY_EXISTS:
        # "The email x belongs to another contact" in Altcraft's words
        return code, error.message.replace("The email", "Email").replace("another contact", "another profile")
    return code, TEXTS.get(error.code, error.message)


def from_problem(problem) -> tuple[int, str]:
    """Gateway-level refusals: a body over the limit is 413, anything else an incorrect request."""
    if problem.kind == "body_too_large":
        return TOO_LARGE, problem.message
    return INCORRECT_REQUEST, f"Incorrect request: {problem.message}"


def unexpected() -> tuple[int, str]:
    return INTERNAL, "Internal error"
