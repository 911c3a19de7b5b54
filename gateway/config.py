"""Settings from the environment, read once per process."""
from __future__ import annotations

import os
from dataclasses import dataclass, field


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL") or "sqlite:///var/contact-gateway.db")
    queue_url: str = field(default_factory=lambda: os.environ.get("QUEUE_URL", ""))
    bind: str = field(default_factory=lambda: os.environ.get("BIND", "127.0.0.1:8080"))
    workers: int = field(default_factory=lambda: _int("WORKERS", 2))
    public_url: str = field(default_factory=lambda: os.environ.get("PUBLIC_URL", ""))
    # Body limits per dialect, in bytes (see each dialect's docs for the reasoning).
    altcraft_max_body: int = field(default_factory=lambda: _int("ALTCRAFT_MAX_BODY", 10 * 1024 * 1024))
    unisender_max_body: int = field(default_factory=lambda: _int("UNISENDER_MAX_BODY", 16 * 1024 * 1024))
    icomm_max_body: int = field(default_factory=lambda: _int("ICOMM_MAX_BODY", 8 * 1024 * 1024))
    dotdigital_max_body: int = field(default_factory=lambda: _int("DOTDIGITAL_MAX_BODY", 50 * 1024 * 1024))
    esputnik_max_body: int = field(default_factory=lambda: _int("ESPUTNIK_MAX_BODY", 32 * 1024 * 1024))
    # Files an import fetches from a client's link (eSputnik: "max 100 MB").
    fetch_max_bytes: int = field(default_factory=lambda: _int("FETCH_MAX_BYTES", 100 * 1024 * 1024))
    fetch_timeout: int = field(default_factory=lambda: _int("FETCH_TIMEOUT", 60))
    # Contacts an import job commits at a time (each chunk with its report: a crash resumes after it).
    import_chunk_size: int = field(default_factory=lambda: _int("IMPORT_CHUNK_SIZE", 500))


def settings() -> Settings:
    return Settings()
