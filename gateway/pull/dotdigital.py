"""Reading a Dotdigital account: v2 address books and data fields, then v3 contact pages (markers)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from adapters.dotdigital import pull as adapter

from .http import VendorClient
from .reader import Catalog, Page

BOOK_PAGE = 1000  # v2 select: 1 to 1000


class DotdigitalReader:
    dialect = "dotdigital"
    takes = "user"  # --user (API user name) and --password, as HTTP Basic

    def __init__(self, base_url: str, user: str, password: str, page_size: int = adapter.PAGE, **client):
        self.http = VendorClient(base_url, auth=(user, password), **client)
        self.page_size = page_size

    def catalog(self) -> Catalog:
        books, skip = [], 0
        while True:
            page = self.http.json("GET", "/v2/address-books", params={"select": BOOK_PAGE, "skip": skip}) or []
            books += page
            skip += len(page)
            if len(page) < BOOK_PAGE:
                break
        fields = self.http.json("GET", "/v2/data-fields") or []
        return Catalog(lists=adapter.lists(books), fields=adapter.fields(fields))

    def pages(self, cursor, since):
        """v3 keyset pages; after a finished pull only contacts modified since it started (`~modified`)."""
        marker = (cursor or {}).get("marker")
        params = {"limit": self.page_size, "include": adapter.INCLUDE, "data-fields": "[[ALL]]"}
        if since is not None:
            params["~modified"] = "gte::" + since.strftime("%Y-%m-%dT%H:%M:%SZ")
        while True:
            answer = self.http.json("GET", "/contacts/v3", params={**params, **({"marker": marker} if marker else {})})
            items = answer.get("_items") or []
            command, keys, vendor_ids = adapter.page(items)
            following = ((answer.get("_links") or {}).get("next") or {})
            marker = following.get("marker") or _marker(following.get("link") or following.get("href"))
            yield Page(command, keys, {"marker": marker}, vendor_ids)
            if not marker or not items:
                return

    def close(self) -> None:
        self.http.close()


def _marker(link: str | None) -> str | None:
    if not link:
        return None
    return (parse_qs(urlsplit(link).query).get("marker") or [None])[0]
