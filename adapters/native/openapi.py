"""The OpenAPI 3.1 document of the native API (GET /native/v1/openapi.json), beside the shapes it describes."""
from __future__ import annotations

from functools import lru_cache

import orjson

_TIME = {"type": ["string", "null"], "format": "date-time"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_INT_OR_NULL = {"type": ["integer", "null"]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, extra: bool = False) -> dict:
    return {"type": "object", "required": sorted(properties), "properties": properties,
            "additionalProperties": extra}


SCHEMAS = {
    "Membership": _object({
        "list": {"type": "integer"}, "space": {"type": "string", "description": "the id space the number is in"},
        "kind": {"type": "string"}, "title": {"type": "string"}, "channel": {"type": "string"},
        "status": {"enum": ["subscribed", "unsubscribed", "excluded", "suspended"]},
        "subscribed_at": _TIME, "unsubscribed_at": _TIME, "excluded_at": _TIME}),
    "Contact": _object({
        "id": {"type": "integer"}, "profile_id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
        "database": {"type": "integer"},
        "identities": _object({"email": _TEXT_OR_NULL, "phone": _TEXT_OR_NULL, "external_id": _TEXT_OR_NULL}),
        "statuses": _object({"email": _TEXT_OR_NULL, "phone": _TEXT_OR_NULL}),
        "confirmed": {"type": "boolean"},
        "attributes": {"type": "object", "description": "system fields by canonical name (first_name, …)"},
        "fields": {"type": "object", "description": "custom fields by name"},
        "channels": {"type": "object", "description": "further channels (push tokens, messengers) by type"},
        "lists": {"type": "array", "items": _ref("Membership")},
        "tags": {"type": "array", "items": {"type": "string"}},
        "source": {"type": "string", "description": "dialect:method that created the contact"},
        "source_dialect": _TEXT_OR_NULL,
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}, "deleted_at": _TIME}),
    "ContactPage": _object({"contacts": {"type": "array", "items": _ref("Contact")},
                            "next_cursor": _TEXT_OR_NULL}),
    "Event": _object({
        "id": {"type": "integer", "description": "increasing per account, in commit order"},
        "type": {"type": "string", "description": "contact.* / list.*, or the dialect's own trigger name"},
        "occurred_at": {"type": "string", "format": "date-time"}, "dialect": {"type": "string"},
        "contact_id": _INT_OR_NULL, "params": {"type": "object"}}),
    "EventPage": _object({"events": {"type": "array", "items": _ref("Event")},
                          "next_after": {"type": "integer", "description": "pass as `after` for the next page"}}),
    "Import": _object({
        "id": {"type": "string"}, "kind": {"type": "string"}, "dialect": {"type": "string"},
        "state": {"enum": ["queued", "running", "finished", "failed"]},
        "progress": _object({"done": {"type": "integer"}, "total": _INT_OR_NULL}),
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "error": _TEXT_OR_NULL, "attempts": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}, "finished_at": _TIME}),
    "ImportItem": _object({
        "position": {"type": "integer"}, "outcome": {"type": "string"}, "contact_id": _INT_OR_NULL,
        "key": _TEXT_OR_NULL, "error": _TEXT_OR_NULL, "message": _TEXT_OR_NULL}),
    "ImportPage": _object({"imports": {"type": "array", "items": _ref("Import")}, "next_cursor": _TEXT_OR_NULL}),
    "Problem": {"type": "object", "required": ["type", "title", "status", "detail"],
                "description": "RFC 9457 problem details",
                "properties": {"type": {"type": "string", "format": "uri-reference"}, "title": {"type": "string"},
                               "status": {"type": "integer"}, "detail": {"type": "string"},
                               "parameter": {"type": "string"}}},
}
SCHEMAS["ImportDetail"] = _object({**SCHEMAS["Import"]["properties"], "items": {"type": "array", "items": _ref("ImportItem")},
                                   "next_items_cursor": _TEXT_OR_NULL})


def _param(name: str, description: str, schema: dict | None = None, where: str = "query") -> dict:
    return {"name": name, "in": where, "required": where == "path", "description": description,
            "schema": schema or {"type": "string"}}


_LIMIT = _param("limit", "page size, 1 to 1000", {"type": "integer", "minimum": 1, "maximum": 1000})
_PROBLEM = {"content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _get(summary: str, schema: str, parameters: list, not_found: bool = False) -> dict:
    responses = {"200": {"description": "OK", "content": {"application/json": {"schema": _ref(schema)}}},
                 "400": {"description": "A bad cursor, limit or parameter", **_PROBLEM},
                 "401": {"description": "No key, or not a key of any account", **_PROBLEM}}
    if not_found:
        responses["404"] = {"description": "No such object in this account", **_PROBLEM}
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "contact-gateway native API", "version": "1",
             "description": "The account's contacts, change feed and import jobs, for its own code."},
    "servers": [{"url": "/native/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/contacts": _get("Contacts by identity, keyset-paged by id", "ContactPage", [
            _param("email", "only contacts with this address"), _param("phone", "only contacts with this number"),
            _param("external_id", "only contacts with this external id"),
            _param("cursor", "next_cursor of the previous page"), _LIMIT]),
        "/contacts/{id}": _get("One contact in full", "Contact", [
            _param("id", "the contact id", {"type": "string"}, "path")], not_found=True),
        "/events": _get("The change feed: the account's events after an id", "EventPage", [
            _param("after", "an event id; 0 from the start", {"type": "integer", "minimum": 0}), _LIMIT,
            _param("types", "comma-separated event types to keep")]),
        "/imports": _get("Asynchronous jobs of every dialect, newest first", "ImportPage", [
            _param("cursor", "next_cursor of the previous page"), _LIMIT]),
        "/imports/{id}": _get("One job with a page of its per-item report", "ImportDetail", [
            _param("id", "the job id", where="path"), _param("items_cursor", "next_items_cursor of the last page"),
            _param("items_limit", "report rows per page, 1 to 1000",
                   {"type": "integer", "minimum": 1, "maximum": 1000})], not_found=True),
        "/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    },
    "components": {"schemas": SCHEMAS,
                   "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                  "description": "any API key of the account"}}},
}


@lru_cache(maxsize=1)
def document_bytes() -> bytes:
    return orjson.dumps(DOCUMENT)
