"""What every vendor reader of a pull hands the pull: its catalogue, then pages of contacts."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.model import UpsertCommand


@dataclass
class Catalog:
    """Lists and fields in setup-file form (core/setup_schema.json), with the vendor's ids."""

    lists: list = field(default_factory=list)
    fields: list = field(default_factory=list)
    databases: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)  # account settings a dialect reads (merged in)


@dataclass
class Page:
    """One page: its upsert, each item's address (for the report) and the cursor after it."""

    command: UpsertCommand
    keys: list
    cursor: dict
    vendor_ids: list = field(default_factory=list)  # each item's contact id at the vendor (None: none)
    counted: bool = True  # False: contacts seen before, read again for their memberships (only failures count)
    catalog: Catalog | None = None  # lists or fields first met on this page (written before it)
