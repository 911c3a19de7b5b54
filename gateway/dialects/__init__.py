"""One module per dialect: its routes, where its key lives, how its bodies decode, how its errors look."""

from adapters.altcraft import limits as altcraft_limits
from adapters.dotdigital import limits as dotdigital_limits
from adapters.esputnik import limits as esputnik_limits
from adapters.icomm import limits as icomm_limits
from adapters.unisender import limits as unisender_limits

# The dialects a key may be limited to (`accounts add-key --dialect`, a setup file's keys): the
# `name` of each dialect module's errors renderer, checked by tests/test_dialect_names.py.
NAMES = ("altcraft", "dotdigital", "esputnik", "icomm", "unisender")

# The rate-limit rules each vendor documents, by name (a setup file's `limits:`).
LIMIT_RULES = {name: tuple(rule.name for rule in module.RULES) for name, module in (
    ("altcraft", altcraft_limits), ("dotdigital", dotdigital_limits), ("esputnik", esputnik_limits),
    ("icomm", icomm_limits), ("unisender", unisender_limits))}
