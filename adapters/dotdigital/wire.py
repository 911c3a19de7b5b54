"""What every Dotdigital method shares: the request as the gateway hands it over, the reply, JSON shape checks."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from core import scalars

JSON = "application/json; charset=utf-8"


@dataclass
class Reply:
    """A response: the structure (or bytes), its status, content type and extra headers."""

    body: Any
    status: int = 200
    content_type: str = JSON
    headers: dict = field(default_factory=dict)


def path(params: dict, name: str) -> str:
    return params["path"][name]


def query(params: dict, name: str, default=None):
    """A query parameter (the last one when repeated). Names match without regard to case, as ASP.NET
    binds them: the PyPI client sends `Select` and `Skip`. The exact spelling wins over another."""
    given = params["query"]
    if name in given:
        return given[name]
    folded = name.lower()
    return next((value for key, value in given.items() if key.lower() == folded), default)


_LAYOUTS: dict[tuple, dict] = {}


class Keys:
    """A JSON object read without regard to the case of its keys (v2 clients send `Email` or `email`).

    The exact spelling is tried first (what almost every client sends); the case-folded index is
    built only on a miss. The first spelling wins when an object carries two; the object itself is
    never changed.
    """

    __slots__ = ("data", "_folded")

    def __init__(self, data: dict):
        self.data = data
        self._folded = None

    def _fold(self) -> dict:
        # The objects of one request mostly share one layout of keys: fold each layout once.
        layout = tuple(self.data)
        folded = _LAYOUTS.get(layout)
        if folded is None:
            folded = {key.lower(): key for key in reversed(layout)}
            if len(_LAYOUTS) < 4096 and sum(map(len, layout)) < 512:  # bounded, whatever a client sends
                _LAYOUTS[layout] = folded
        self._folded = folded
        return folded

    def has(self, name: str) -> bool:
        return name in self.data or name.lower() in (self._fold() if self._folded is None else self._folded)

    def get(self, name: str, default=None):
        data = self.data
        if name in data:
            return data[name]
        key = (self._fold() if self._folded is None else self._folded).get(name.lower())
        return default if key is None else data[key]


def is_int(value, bounds=scalars.INT32) -> bool:
    """A JSON integer within the documented type (int32 for Dotdigital's ids and counts)."""
    return scalars.is_integer(value, bounds, floats=False, text=False)


def path_id(raw: str, bounds=scalars.ID32) -> int | None:
    """A numeric path segment or query value (ASCII digits within `bounds`), else None."""
    return scalars.digits(raw.strip(), bounds)


@dataclass(frozen=True)
class Method:
    """One Dotdigital call: parse(params) -> command, render(result, params, ctx) -> Reply or structure.

    `on_error(core_error, params)` may turn a core refusal into the call's own documented error
    (an unknown import id is `contacts:importNotFound` with that id); `body` says what the call
    reads: "json", "json_items" (JSON whose top-level arrays arrive as `core.items.Items`, read one
    item at a time: a big import), "upload" (a file: a multipart body arrives split into `parts`,
    as the gateway's codec reads it) or "none".
    """

    parse: Callable[[dict], Any]
    render: Callable[[Any, dict, dict], Any]
    on_error: Callable[[Any, dict], Any] | None = None
    body: str = "json"
