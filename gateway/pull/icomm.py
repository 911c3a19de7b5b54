"""Reading an Icomm account: ListFull of each profile the operator names, page by page (Page, PageSize)."""
from __future__ import annotations

from adapters.icomm import pull as adapter

from .http import VendorClient, VendorError
from .reader import Catalog, Page


class IcommReader:
    dialect = "icomm"
    takes = "key"  # --key: the API key, sent as the raw Authorization header

    def __init__(self, base_url: str, key: str, profiles: list | None = None, page_size: int = adapter.PAGE,
                 user: str | None = None, **client):
        if not profiles:
            raise VendorError("Icomm's API lists no profiles: name each ProfileKey with --profile")
        self.http = VendorClient(base_url, headers={"Authorization": key}, **client)
        self.profiles = list(profiles)
        self.page_size = page_size

    def catalog(self) -> Catalog:
        return Catalog(databases=[adapter.database(key) for key in self.profiles])

    def pages(self, cursor, since):
        """Every profile in turn; ListFull has no "changed since", so each pull reads them whole."""
        cursor = cursor or {}
        position, number = int(cursor.get("profile", 0)), int(cursor.get("page", 1))
        seen: set = set()
        while position < len(self.profiles):
            key = self.profiles[position]
            answer = self.http.json("POST", "/Contacts/ListFull.Json/",
                                    json={"ProfileKey": key, "Page": number, "PageSize": self.page_size}) or {}
            contacts = answer.get("ListContactsFullJsonResult") or []
            new = [name for name in adapter.field_names(contacts) if (key, name) not in seen]
            seen.update((key, name) for name in new)
            command, keys = adapter.page(contacts, key)
            number += 1
            if len(contacts) < self.page_size:
                position, number = position + 1, 1
            found = Catalog(fields=[adapter.field(name, key) for name in new]) if new else None
            yield Page(command, keys, {"profile": position, "page": number}, catalog=found)

    def close(self) -> None:
        self.http.close()
