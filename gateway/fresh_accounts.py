"""Each dialect's fresh-account objects, by dialect name: what `defaults:` of a setup file selects."""
from __future__ import annotations

from adapters.altcraft.fresh_account import FRESH_ACCOUNT as ALTCRAFT
from adapters.dotdigital.fresh_account import FRESH_ACCOUNT as DOTDIGITAL
from adapters.esputnik.fresh_account import FRESH_ACCOUNT as ESPUTNIK
from adapters.icomm.fresh_account import FRESH_ACCOUNT as ICOMM
from adapters.unisender.fresh_account import FRESH_ACCOUNT as UNISENDER

PRESETS: dict[str, dict] = {"unisender": UNISENDER, "esputnik": ESPUTNIK, "dotdigital": DOTDIGITAL,
                            "altcraft": ALTCRAFT, "icomm": ICOMM}
