"""Job handlers by kind: each combines core reads/writes with its dialect's pure rendering."""
from __future__ import annotations

from . import esputnik_import, unisender_export

HANDLERS = {
    unisender_export.KIND: unisender_export.run,
    esputnik_import.BULK: esputnik_import.run_bulk,
    esputnik_import.FILE: esputnik_import.run_file,
}
