"""Dialect names are the gateway's: the core stores a key's dialect as any name; the gateway checks it."""
from __future__ import annotations

import pytest

from core import setup
from gateway import dialects
from gateway.dialects import altcraft, dotdigital, esputnik, icomm, unisender


def test_names_are_the_dialects_own():
    own = {altcraft.DIALECT.name, dotdigital.V3.name, dotdigital.V2.name, esputnik.DIALECT.name,
           icomm.DIALECT.name, unisender.DIALECT.name}
    assert own == set(dialects.NAMES)


def doc(dialect: str) -> dict:
    return {"version": 1, "accounts": [{"name": "shop", "keys": [{"key": "k" * 20, "dialect": dialect}],
                                        "databases": [{"id": 2, "attrs": {"profile_key": "P1"}},
                                                      {"id": 3, "attrs": {"profile_key": "P1"}}]}]}


def test_the_gateway_refuses_a_dialect_it_does_not_speak(store_url):
    problems = [(p.location, p.message) for p in setup.validate(doc("mailchimp"), dialects.NAMES)]
    assert ("accounts[0].keys[0].dialect", "'mailchimp' is not one of " + ", ".join(dialects.NAMES)) in problems
    assert any(where == "accounts[0].databases[1].attrs.profile_key" for where, _ in problems)
    assert not any(where.endswith(".dialect") for where, _ in (
        (p.location, p.message) for p in setup.validate(doc("icomm"), dialects.NAMES)))
    with pytest.raises(setup.SetupInvalid):
        setup.apply(doc("mailchimp"), dialects.NAMES)
