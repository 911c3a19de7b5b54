"""Reading Altcraft as far as API v1.1 reaches: profiles/get of each address in the operator's file."""
from __future__ import annotations

from adapters.altcraft import pull as adapter

from .http import VendorClient, VendorError
from .reader import Catalog, Page


class AltcraftReader:
    dialect = "altcraft"
    takes = "key"  # --key: the API token, sent in the JSON body as `token`

    def __init__(self, base_url: str, key: str, emails: list | None = None, db_id: int = 1,
                 page_size: int = adapter.PAGE, user: str | None = None, **client):
        if not emails:
            raise VendorError("Altcraft's API lists no profiles: give the addresses with --emails FILE")
        self.http = VendorClient(base_url, **client)
        self.key = key
        self.emails = list(dict.fromkeys(e.strip() for e in emails if e.strip()))
        self.db_id = db_id
        self.page_size = page_size

    def catalog(self) -> Catalog:
        return Catalog(databases=[{"id": self.db_id, "name": "Main" if self.db_id == 1 else f"Database {self.db_id}"}])

    def _profile(self, email: str):
        answer = self.http.json("POST", "/api/v1.1/profiles/get",
                                json={"token": self.key, "db_id": self.db_id, "email": email, "matching": "email"})
        if not isinstance(answer, dict):
            raise VendorError("Altcraft profiles/get: the answer is not an object")
        if answer.get("error") not in (0, None):
            if answer.get("error") == 404 or "not found" in str(answer.get("error_text", "")).lower():
                return None  # an address the vendor does not have
            raise VendorError(f"Altcraft profiles/get: {answer.get('error_text')} ({answer.get('error')})")
        return answer.get("data")

    def pages(self, cursor, since):
        """The file's addresses in order, `page_size` profiles a page; profiles/get knows no "changed since"."""
        position = int((cursor or {}).get("position", 0))
        while position < len(self.emails):
            chunk = self.emails[position:position + self.page_size]
            profiles = [data for data in map(self._profile, chunk) if isinstance(data, dict)]
            resources, fields = adapter.catalog(profiles)
            command, keys = adapter.page(profiles, self.db_id)
            position += len(chunk)
            found = Catalog(lists=resources, fields=fields) if resources or fields else None
            yield Page(command, keys, {"position": position}, catalog=found)

    def close(self) -> None:
        self.http.close()
