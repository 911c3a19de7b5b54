"""importContacts log codes: core item errors and warnings in Unisender's `e_*` / `w_*` vocabulary.

The seed document fixes e_email_invalid, e_phone_not_unique and w_common_overlimit with their
texts; the rest follow the same style and are listed in docs/dialects/unisender.md.
"""
from __future__ import annotations

from core import errors as core_errors

ERRORS = {
    core_errors.INVALID_EMAIL: ("e_email_invalid", "Invalid email format"),
    core_errors.INVALID_PHONE: ("e_phone_invalid", "Invalid phone number format"),
    core_errors.PHONE_CONFLICT: ("e_phone_not_unique", "Duplicate telephone number"),
    core_errors.EMAIL_CONFLICT: ("e_email_not_unique", "Duplicate email address"),
    core_errors.MISSING_IDENTITY: ("e_email_and_phone_empty", "Neither email nor phone is specified"),
    core_errors.TOO_MANY_TAGS: ("e_tags_overlimit", None),
    core_errors.INVALID_STATUS: ("e_status_invalid", None),
    core_errors.INVALID_DATE: ("e_date_invalid", None),
    core_errors.INVALID_VALUE: ("e_value_invalid", None),
}

WARNINGS = {
    core_errors.OVER_LIMIT: (
        "w_common_overlimit",
        "The number of contacts for the current tariff plan has been exceeded (but the string has been added)",
    ),
    core_errors.SUPPRESSED_WARNING: (
        "w_email_blocked", "The address is on the global bounce list; it was imported with status blocked",
    ),
}


def log_entries(index: int, item) -> list[dict]:
    """Log entries of one row: its error, then its warnings (those the dialect reports)."""
    entries = []
    if item.error is not None:
        code, message = ERRORS.get(item.error.code, ("e_unspecified", None))
        entries.append({"index": index, "code": code, "message": message or item.error.message})
    for warning, text in item.warnings:
        if warning in WARNINGS:
            code, message = WARNINGS[warning]
            entries.append({"index": index, "code": code, "message": message})
    return entries
