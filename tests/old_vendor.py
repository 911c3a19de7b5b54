"""A second gateway on the loopback playing a client's old vendor, for the pull tests.

It is `contact-gateway serve` in its own process on its own SQLite file (the tests' store is one
global connection, so the old vendor cannot share the test process). Its accounts are made with
the CLI against that file, then filled only through the vendor's dialect over HTTP.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import yaml

from processes import Gateway, cli


class OldVendor:
    def __init__(self, folder: Path):
        self.env = {"DATABASE_URL": f"sqlite:///{folder}/old-vendor.db", "QUEUE_URL": f"sqlite:///{folder}/queue.db",
                    "LOG_DIR": str(folder)}
        self.gateway = Gateway(self.env, workers=1)

    def start(self) -> "OldVendor":
        cli("migrate", env=self.env)
        self.gateway.start()
        return self

    @property
    def base_url(self) -> str:
        return self.gateway.base_url

    def account(self, spec: dict, folder: Path) -> str:
        """A new account at the vendor from a setup-file account (its lists and fields keep their ids).

        It starts as a fresh account of the vendor its keys name (their dialect), as at that vendor.
        """
        name = f"vendor-{uuid.uuid4().hex[:8]}"
        path = folder / f"{name}.yaml"
        defaults = sorted({key["dialect"] for key in spec.get("keys", []) if key.get("dialect")})
        path.write_text(yaml.safe_dump({"version": 1, "accounts": [{"name": name, "defaults": defaults, **spec}]}))
        cli("setup", "apply", str(path), env=self.env)
        return name

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=60, **kwargs)

    def stop(self) -> None:
        self.gateway.stop()
