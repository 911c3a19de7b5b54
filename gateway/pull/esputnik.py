"""Reading an eSputnik account: /v1/addressbooks and /v1/groups, then /v1/contacts and each segment's members."""
from __future__ import annotations

from adapters.esputnik import pull as adapter

from .http import VendorClient
from .reader import Catalog, Page

JSON = {"Accept": "application/json"}


class EsputnikReader:
    dialect = "esputnik"
    takes = "key"  # --key: the API key, as the HTTP Basic password (--user optional: any name does)

    def __init__(self, base_url: str, key: str, user: str | None = None, page_size: int = adapter.PAGE, **client):
        self.http = VendorClient(base_url, auth=(user or "pull", key), headers=JSON, **client)
        self.page_size = min(page_size, adapter.PAGE)
        self.segments: list[int] = []

    def _rows(self, path: str, start: int, **query) -> list:
        return self.http.json("GET", path, params={"startindex": start + 1, "maxrows": self.page_size, **query}) or []

    def catalog(self) -> Catalog:
        fields, settings = adapter.catalog(self.http.json("GET", "/api/v1/addressbooks"))
        groups, start = [], 0
        while True:
            rows = self._rows("/api/v1/groups", start)
            groups += rows
            start += len(rows)
            if len(rows) < self.page_size:
                break
        lists = adapter.segments(groups)
        self.segments = [entry["id"] for entry in lists]
        return Catalog(lists=lists, fields=fields, settings={"esputnik": settings} if settings else {})

    def pages(self, cursor, since):
        """The contacts, then every segment's members; the cursor is (segment position, offset).

        The v1 search has no "changed since": each pull reads everything (unchanged contacts write nothing).
        """
        cursor = cursor or {}
        position, offset = int(cursor.get("segment", -1)), int(cursor.get("offset", 0))
        while position < len(self.segments):
            segment = self.segments[position] if position >= 0 else None
            path = "/api/v1/contacts" if segment is None else f"/api/v1/group/{segment}/contacts"
            rows = self._rows(path, offset)
            command, keys, vendor_ids = adapter.page(rows, segment)
            offset += len(rows)
            done = len(rows) < self.page_size
            if done:
                position, offset = position + 1, 0
            yield Page(command, keys, {"segment": position, "offset": offset}, vendor_ids, counted=segment is None)

    def close(self) -> None:
        self.http.close()
