"""A big array of a request body, read one item at a time: what an import's parser sees of its items."""
from __future__ import annotations

from collections.abc import Callable, Iterator


class Items:
    """The items of one top-level array member of a JSON body, decoded afresh on each iteration.

    `source` is the whole body (UTF-8), which a job stores and reads again; `ref()` names the
    member for `reopen` (in the gateway's codec), so the job decodes the same items the request
    was checked by, a chunk at a time, without the object graph of the whole body.
    """

    __slots__ = ("key", "count", "source", "whole", "_open")

    def __init__(self, key: str, count: int, source: bytes, opener: Callable[[], Iterator], whole: bool):
        self.key = key  # the member's name as the body spells it
        self.count = count
        self.source = source
        self.whole = whole  # decoded with the body whole (small or unusual bodies), not streamed
        self._open = opener

    def __iter__(self) -> Iterator:
        return iter(self._open())

    def __len__(self) -> int:
        return self.count

    def ref(self) -> dict:
        """What a job's payload keeps to read these items again from the stored body."""
        return {"key": self.key, "whole": self.whole, "count": self.count}
