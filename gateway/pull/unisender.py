"""Reading a Unisender account: getLists, getFields, then exportContacts page by page (offset, limit)."""
from __future__ import annotations

from adapters.unisender import pull as adapter

from .http import VendorClient, VendorError
from .reader import Catalog, Page


class UnisenderReader:
    dialect = "unisender"
    takes = "key"  # --key: the API key, sent in the POST body (never in a URL)

    def __init__(self, base_url: str, key: str, page_size: int = adapter.PAGE, user: str | None = None, **client):
        self.http = VendorClient(base_url, **client)
        self.key = key
        self.page_size = page_size
        self.field_names: list[str] = []

    def _call(self, method: str, **params):
        answer = self.http.json("POST", f"/en/api/{method}", data={"format": "json", "api_key": self.key, **params})
        if not isinstance(answer, dict) or "error" in answer or "result" not in answer:
            error = answer.get("error") if isinstance(answer, dict) else answer
            raise VendorError(f"Unisender {method}: {error} ({(answer or {}).get('code', '')})")
        return answer["result"]

    def catalog(self) -> Catalog:
        fields = adapter.fields(self._call("getFields"))
        self.field_names = [f["name"] for f in fields]
        return Catalog(lists=adapter.lists(self._call("getLists")), fields=fields)

    def pages(self, cursor, since):
        """exportContacts has no "changed since": every pull reads the whole account (unchanged ones write nothing)."""
        offset = int((cursor or {}).get("offset", 0))
        names = adapter.columns(self.field_names)
        params = {f"field_names[{i}]": name for i, name in enumerate(names)}
        while True:
            result = self._call("exportContacts", offset=str(offset), limit=str(self.page_size), **params)
            rows = result.get("data") or []
            command, keys = adapter.page(result)
            offset += len(rows)
            yield Page(command, keys, {"offset": offset})
            if len(rows) < self.page_size:
                return

    def close(self) -> None:
        self.http.close()
