"""Operator tokens for the admin view: created by the CLI, shown once, stored hashed, checked per request."""
from __future__ import annotations

import secrets

from .accounts import key_hash
from .normalize import now
from .schema import OperatorToken


def create(label: str = "") -> tuple[OperatorToken, str]:
    token = secrets.token_urlsafe(32)
    return OperatorToken.create(token_hash=key_hash(token), label=label), token


def valid(token: str | None) -> bool:
    if not token:
        return False
    return OperatorToken.select().where((OperatorToken.token_hash == key_hash(token))
                                        & OperatorToken.revoked_at.is_null()).exists()


def revoke_all() -> int:
    return OperatorToken.update(revoked_at=now()).where(OperatorToken.revoked_at.is_null()).execute()
