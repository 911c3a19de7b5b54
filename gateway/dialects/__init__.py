"""One module per dialect: its routes, where its key lives, how its bodies decode, how its errors look."""

# The dialects a key may be limited to (`accounts add-key --dialect`, a setup file's keys): the
# `name` of each dialect module's errors renderer, checked by tests/test_dialect_names.py.
NAMES = ("altcraft", "dotdigital", "esputnik", "icomm", "unisender")
