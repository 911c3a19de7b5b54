"""The platform-wide suppression (bounce / complaint) list: bulk load and look-up."""
from __future__ import annotations

import csv
from typing import IO, Iterable

from . import normalize
from .db import chunks
from .errors import CoreError
from .schema import Suppression


def add(entries: Iterable[tuple[str, str]]) -> tuple[int, list[str]]:
    """Add (email, reason) pairs; returns how many were new and the lines that were not addresses."""
    rows, rejected = {}, []
    for raw, reason in entries:
        try:
            rows[normalize.email(raw)] = reason or "bounce"
        except CoreError:
            rejected.append(raw)
    before = Suppression.select().count()
    for chunk in chunks(list(rows.items()), 2):
        Suppression.insert_many(chunk, fields=[Suppression.email, Suppression.reason]).on_conflict_ignore().execute()
    return Suppression.select().count() - before, rejected


def read_file(handle: IO[str]) -> Iterable[tuple[str, str]]:
    """Lines of `email` or `email,reason` (a header row naming `email` is skipped)."""
    for row in csv.reader(handle):
        if not row or not row[0].strip() or row[0].strip().startswith("#"):
            continue
        if row[0].strip().lower() == "email":
            continue
        yield row[0], (row[1].strip() if len(row) > 1 else "bounce")


def remove(emails: Iterable[str]) -> int:
    wanted = [normalize.email(e) for e in emails]
    return Suppression.delete().where(Suppression.email.in_(wanted)).execute() if wanted else 0

