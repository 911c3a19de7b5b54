"""What every adapter shares: the refusal in vendor terms and the method table entry."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


class DialectError(Exception):
    """A request an adapter refuses, already in its vendor's vocabulary (code, text, status)."""

    def __init__(self, code: str, message: str, status: int | None = None, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details


@dataclass(frozen=True)
class Method:
    """One vendor method: parse(params) -> core command, render(result, params, ctx) -> response."""

    parse: Callable[[dict], Any]
    render: Callable[[Any, dict, dict], Any]
