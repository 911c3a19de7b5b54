"""Job handlers by kind: each combines core reads/writes with its dialect's pure rendering."""
from __future__ import annotations

from . import dotdigital, unisender_export

HANDLERS = {
    unisender_export.KIND: unisender_export.run,
    **{kind: dotdigital.run for kind in dotdigital.PLANS},
}
