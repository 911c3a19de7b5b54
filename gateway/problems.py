"""Failures found by the gateway itself (transport, body, route); each dialect renders them its way."""
from __future__ import annotations


class RequestProblem(Exception):
    """A request the gateway refuses before any vendor logic runs.

    kind: body_too_large | malformed | malformed_multipart | bad_encoding | unsupported_media_type |
          not_found | method_not_allowed | unauthorized
    """

    def __init__(self, kind: str, message: str, **details):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details
