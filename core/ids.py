"""Public contact ids: the numeric id, and the 24-hex-character profile id derived from it.

Some clients expect profile ids shaped like MongoDB ObjectIds. Deriving them from the numeric
id through a fixed invertible permutation of 96-bit numbers makes them look opaque, keeps them
stable, and needs neither a column nor an index: a profile id decodes back to the contact id.
"""
from __future__ import annotations

import re

_BITS = 96
_MASK = (1 << _BITS) - 1
_MULTIPLIER = 0x5DEECE66D_9E3779B97F4A7C15 & _MASK | 1  # odd, so invertible modulo 2**96
_INVERSE = pow(_MULTIPLIER, -1, 1 << _BITS)
_OFFSET = 0x0B5AD4ECEDA1CE2A9F4D3C5B
_HEX24 = re.compile(r"[0-9a-f]{24}")


def profile_id(contact_id: int) -> str:
    return f"{((contact_id * _MULTIPLIER) + _OFFSET) & _MASK:024x}"


def contact_id(profile: str) -> int | None:
    """The contact id a profile id names, or None when the text cannot be one of ours."""
    text = str(profile).strip().lower()
    if not _HEX24.fullmatch(text):
        return None
    value = ((int(text, 16) - _OFFSET) * _INVERSE) & _MASK
    return value if 0 < value < (1 << 63) else None
