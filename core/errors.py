"""Core errors with stable codes; adapters map each code to their vendor's code and text."""
from __future__ import annotations


class CoreError(Exception):
    """A failure the core reports by code; `details` carries machine-readable context."""

    def __init__(self, code: str, message: str = "", **details):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.details = details

    def __repr__(self) -> str:
        return f"CoreError({self.code!r}, {self.message!r})"


# Request-level codes (the whole command fails, nothing is written).
UNKNOWN_DATABASE = "unknown_database"
UNKNOWN_LIST = "unknown_list"
UNKNOWN_FIELD = "unknown_field"
UNKNOWN_TAG = "unknown_tag"
DUPLICATE_NAME = "duplicate_name"
INVALID_ARGUMENT = "invalid_argument"
NOT_FOUND = "not_found"
UNAUTHORIZED = "unauthorized"
TOO_MANY_ITEMS = "too_many_items"
TOO_MANY_ACTIVE_JOBS = "too_many_active_jobs"
RATE_LIMITED = "rate_limited"  # details: rule, limit, seconds (window), reset (seconds until it ends)

# Item-level codes (one item fails, the rest of the batch goes on).
INVALID_EMAIL = "invalid_email"
INVALID_PHONE = "invalid_phone"
MISSING_IDENTITY = "missing_identity"
EMAIL_CONFLICT = "email_conflict"
PHONE_CONFLICT = "phone_conflict"
EXTERNAL_ID_CONFLICT = "external_id_conflict"
FIELD_CONFLICT = "field_conflict"  # a custom field used as an identifier (custom_match) holds another contact's value
ALREADY_EXISTS = "already_exists"
CONTACT_NOT_FOUND = "contact_not_found"
CONTACT_DELETED = "contact_deleted"
INVALID_STATUS = "invalid_status"
INVALID_VALUE = "invalid_value"
INVALID_DATE = "invalid_date"
TOO_MANY_TAGS = "too_many_tags"
SUPPRESSED = "globally_suppressed"
CHANNEL_NOT_CARRIED = "channel_not_carried"  # a list that does not carry the membership's channel
LIST_READ_ONLY = "list_read_only"  # a list marked read_only (catalog.READ_ONLY): no API write changes its members

# Warning codes (the item succeeds).
OVER_LIMIT = "over_limit"
SUPPRESSED_WARNING = "globally_suppressed"
STATUS_LOCKED = "status_locked"
MEMBERSHIP_LOCKED = "membership_locked"

CONFLICT_BY_IDENTITY = {
    "email": EMAIL_CONFLICT,
    "phone": PHONE_CONFLICT,
    "external_id": EXTERNAL_ID_CONFLICT,
    "field": FIELD_CONFLICT,
}
