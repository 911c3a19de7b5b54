"""Job handlers by kind: each combines core reads/writes with its dialect's pure rendering."""
from __future__ import annotations

from . import dotdigital, esputnik_import, unisender_export

HANDLERS = {
    unisender_export.KIND: unisender_export.run,
    **{kind: dotdigital.run for kind in dotdigital.PLANS},
    esputnik_import.BULK: esputnik_import.run_bulk,
    esputnik_import.FILE: esputnik_import.run_file,
}
