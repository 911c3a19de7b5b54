"""Canonical contact core: types, rules and the store; knows no HTTP and no vendor."""
