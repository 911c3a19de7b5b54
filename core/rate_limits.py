"""Rate limits an account is held to: fixed-window call counters in the store, shared by every worker."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from . import db as store
from . import errors
from .errors import CoreError


@dataclass(frozen=True)
class Rule:
    """`limit` calls per `seconds`, counted under `name`; a dialect lists the rules its vendor documents.

    limit None: the vendor publishes no number, so the rule counts only when a setup file gives one.
    """

    name: str
    limit: int | None
    seconds: int


def applicable(config: dict | None, dialect: str, rules) -> list[Rule]:
    """The rules an account's `limits` switch on for `dialect`, with the numbers it gives.

    config: {dialect: true} holds the account to every documented rule of that dialect;
    {dialect: {rule: setting}} adjusts them one by one, a setting being true (the documented
    number), false (off), a number of calls per the rule's own window, or {limit, seconds}; a rule
    it does not name keeps its documented number. Absent or false: no limits, the default.
    """
    chosen = config.get(dialect) if config else None
    if not chosen or not rules:
        return []
    found = []
    for rule in rules:
        setting = True if chosen is True else chosen.get(rule.name, True)
        if setting is True:
            setting = {"limit": rule.limit}
        elif not isinstance(setting, dict):
            setting = {"limit": setting or None}
        if setting.get("limit"):
            found.append(Rule(rule.name, int(setting["limit"]), int(setting.get("seconds") or rule.seconds)))
    return found


def count(account_id: int, dialect: str, rules: list[Rule], now: float | None = None) -> None:
    """Count one call against each rule; raises CoreError(rate_limited) if any is over its limit.

    One statement for all the rules, so the cost of a limited account is a single indexed upsert
    per request, with no transaction around it: every worker and machine on the store sees the
    same counters. A window is fixed (aligned to multiples of its length, as "N calls per minute"
    reads), its row is reset in place when the next one starts, and calls refused inside a window
    count too, which changes nothing: the window still ends at the same time.
    """
    if not rules:
        return
    now = time.time() if now is None else now
    wanted = sorted((f"{dialect}:{rule.name}", int(now // rule.seconds) * rule.seconds, rule) for rule in rules)
    db = store.database()
    p = db.param
    # Rows in scope order, so two requests of one account lock them in the same order (PostgreSQL).
    values = ", ".join(f"({p}, {p}, {p}, 1)" for _ in wanted)
    newer = 'rate_window."window_start" >= excluded."window_start"'
    sql = (f'INSERT INTO "rate_window" ("account_id", "scope", "window_start", "count") VALUES {values} '
           f'ON CONFLICT ("account_id", "scope") DO UPDATE SET '
           f'"count" = CASE WHEN {newer} THEN rate_window."count" + 1 ELSE 1 END, '
           f'"window_start" = CASE WHEN {newer} THEN rate_window."window_start" ELSE excluded."window_start" END '
           f'RETURNING "scope", "window_start", "count"')
    params = [value for scope, start, _ in wanted for value in (account_id, scope, start)]
    counted = {scope: (start, used) for scope, start, used in db.execute_sql(sql, params).fetchall()}
    for scope, _, rule in wanted:
        start, used = counted[scope]
        if used > rule.limit:
            reset = max(1, math.ceil(start + rule.seconds - now))
            raise CoreError(errors.RATE_LIMITED, f"More than {rule.limit} calls in {rule.seconds} s",
                            rule=rule.name, limit=rule.limit, seconds=rule.seconds, reset=reset)
