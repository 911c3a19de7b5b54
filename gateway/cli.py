"""The `contact-gateway` command: serve, worker, migrate, accounts and keys, suppression list."""
from __future__ import annotations

import argparse
import json
import os
import sys

from core import accounts, db as store, errors, migrate, setup, suppression, webhooks
from core.errors import CoreError
from core.schema import Account

from . import dialects, logs, outbound
from .fresh_accounts import PRESETS


def _print(args, data: dict, text: str) -> None:
    print(json.dumps(data, default=str) if getattr(args, "json", False) else text)


def cmd_serve(args) -> int:
    os.environ.setdefault("LOG_FORMAT", "json")  # inherited by the job worker
    logs.configure()
    if Account.select().count() == 0:
        account = _new_account("demo", None, list(PRESETS))  # usable from every dialect as a fresh account
        _, key = accounts.add_key(account.id, label="demo")
        host = args.bind.replace("0.0.0.0", "127.0.0.1")
        print(f"Created the demo account (id {account.id}). Its API key: {key}\n"
              f"More keys: contact-gateway accounts add-key demo --json\n"
              f"First call:\n  curl -s 'http://{host}/en/api/importContacts?format=json' "
              f"-d 'api_key={key}&field_names[0]=email&field_names[1]=Name&data[0][0]=anna@example.com"
              f"&data[0][1]=Anna'\n", flush=True)
    from .server import serve

    serve(args.bind, args.workers, with_worker=not args.no_worker)
    return 0


def cmd_worker(args) -> int:
    logs.configure("json")
    if sys.argv and sys.argv[0].endswith(os.path.join("gateway", "cli.py")):
        # Started as `python -m gateway.cli`: huey restarts on SIGHUP by exec'ing python with sys.argv,
        # which must then name the module, not the file (whose relative imports fail as a script).
        sys.argv = ["-m", "gateway.cli", *sys.argv[1:]]
    from .queue import huey
    from .worker import Consumer

    from .delivery import sender

    sender.start()  # webhook deliveries, beside the job threads
    Consumer(huey, workers=args.threads, worker_type="thread", periodic=True, check_worker_health=True,
             graceful_signal="TERM").run()
    return 0


def cmd_admin_token_create(args) -> int:
    from core import operators

    row, token = operators.create(args.label or "")
    _print(args, {"token_id": row.id, "token": token, "url": "/admin/"},
           f"operator token {row.id}: {token}\nSign in at /admin/ with it (it is shown only once).")
    return 0


def cmd_admin_token_revoke(args) -> int:
    from core import operators

    count = operators.revoke_all()
    _print(args, {"revoked": count}, f"{count} operator tokens revoked")
    return 0


def cmd_migrate(args) -> int:
    version = migrate.migrate()
    _print(args, {"schema_version": version}, f"Schema is at version {version}")
    return 0


def _new_account(name: str, contact_limit: int | None, defaults: list[str]) -> Account:
    """A new account holding what a new account at each vendor of `defaults` holds (setup files' rule)."""
    name = (name or "").strip()
    if not name:
        raise CoreError(errors.INVALID_ARGUMENT, "The account name is empty")
    if Account.get_or_none(Account.name == name) is not None:
        raise CoreError(errors.DUPLICATE_NAME, f"Account {name!r} already exists", name=name)
    spec = {"name": name, "defaults": defaults}
    if contact_limit is not None:
        spec["contact_limit"] = contact_limit
    setup.apply({"version": 1, "accounts": [spec]}, dialects.NAMES, dialects.LIMIT_RULES, presets=PRESETS)
    return accounts.find_account(name)


def cmd_accounts_create(args) -> int:
    defaults = list(PRESETS) if args.defaults is None else [d for d in args.defaults.split(",") if d.strip()]
    account = _new_account(args.name, args.contact_limit, [d.strip() for d in defaults])
    _, key = accounts.add_key(account.id, secret=args.key, label="created with the account")
    _print(args, {"account_id": account.id, "api_key": key}, f"account {account.id} ({account.name}), key {key}")
    return 0


def cmd_accounts_list(args) -> int:
    rows = [{"account_id": a.id, "name": a.name, "contact_limit": a.contact_limit} for a in
            Account.select().order_by(Account.id)]
    _print(args, {"accounts": rows}, "\n".join(f"{r['account_id']}\t{r['name']}" for r in rows))
    return 0


def cmd_keys_list(args) -> int:
    account = accounts.find_account(args.account)
    rows = [{"key_id": k.id, "prefix": k.key_prefix, "dialect": k.dialect, "username": k.username, "label": k.label,
             "created_at": k.created_at, "revoked_at": k.revoked_at} for k in accounts.keys(account.id)]
    _print(args, {"account_id": account.id, "keys": rows},
           "\n".join(f"{r['key_id']}\t{r['prefix']}…\t{r['dialect'] or 'any'}\t"
                     f"{'revoked' if r['revoked_at'] else 'active'}\t{r['label']}" for r in rows))
    return 0


def cmd_keys_add(args) -> int:
    account = accounts.find_account(args.account)
    credential, key = accounts.add_key(account.id, secret=args.key, dialect=args.dialect, username=args.username,
                                       label=args.label or "")
    _print(args, {"account_id": account.id, "key_id": credential.id, "api_key": key},
           f"key {credential.id} for account {account.id}: {key}")
    return 0


def cmd_keys_revoke(args) -> int:
    account = accounts.find_account(args.account)
    accounts.revoke_key(account.id, args.key_id)
    _print(args, {"account_id": account.id, "key_id": args.key_id, "revoked": True}, f"key {args.key_id} revoked")
    return 0


def cmd_suppression_import(args) -> int:
    with open(args.file, encoding="utf-8") as handle:
        added, rejected = suppression.add(suppression.read_file(handle))
    _print(args, {"added": added, "rejected": rejected},
           f"{added} addresses added to the suppression list" + (f"; {len(rejected)} lines were not addresses: "
                                                                 f"{', '.join(rejected[:10])}" if rejected else ""))
    return 0


def cmd_setup_apply(args) -> int:
    with open(args.file, encoding="utf-8") as handle:
        doc = setup.load(handle.read())
    if args.check:
        problems = setup.validate(doc, dialects.NAMES, dialects.LIMIT_RULES, presets=PRESETS)
        if problems:
            raise setup.SetupInvalid(problems)
        _print(args, {"valid": True}, "The setup file is valid; nothing was written (--check).")
        return 0
    summary = setup.apply(doc, dialects.NAMES, dialects.LIMIT_RULES, presets=PRESETS).as_dict()
    lines = [f"{verb} {', '.join(f'{n} {k}' for k, n in sorted(counts.items())) or 'nothing'}"
             for verb, counts in summary.items()]
    _print(args, summary, "; ".join(lines))
    return 0


def cmd_setup_export(args) -> int:
    text = setup.dump(setup.export(args.account))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_pull(args) -> int:
    from .pull import run as pull

    key, password = args.key or os.environ.get("PULL_API_KEY"), args.password or os.environ.get("PULL_PASSWORD")
    try:
        return _pull(args, pull, key, password)
    except _pull_errors() as exc:  # a vendor's error text might quote what it was sent
        text = str(exc)
        for secret in (key, password):
            text = text.replace(secret, "***") if secret else text
        raise pull.PullRefused(text) from None


def _pull(args, pull, key, password) -> int:
    reader = pull.reader_for(args.dialect, args.base_url, key=key, user=args.user or os.environ.get("PULL_USER"),
                             password=password,
                             **({"page_size": args.page_size} if args.page_size else {}),
                             **({"profiles": args.profile} if args.profile else {}),
                             **({"emails": _lines(args.emails), "db_id": args.db_id} if args.emails else {}))
    update, close = pull.progress_bar()  # on stderr, on a terminal only: stdout keeps the one --json line
    try:
        summary = pull.run(reader, args.account, args.base_url, plan=args.plan, resume=args.resume, progress=update)
    finally:
        close()
        reader.close()
    counts = summary.contacts
    text = (f"{'Plan (nothing written): would pull' if summary.plan else 'Pulled'} {sum(counts.values())} contacts "
            f"from {args.dialect}{' (resumed)' if summary.resumed else ''}: {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['failed']} failed; "
            f"{summary.lists} lists, {summary.fields} fields")
    if summary.failures:
        text += "\nfirst failures:\n" + "\n".join(f"  {key}: {code} {message}" for key, code, message in summary.failures)
    _print(args, summary.line(), text)
    return 0


def _lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


def cmd_webhooks_add(args) -> int:
    account = accounts.find_account(args.account)
    types = args.events.split(",") if args.events else None
    try:
        outbound.check_url(args.url)
    except outbound.OutboundRefused as exc:
        raise CoreError(errors.INVALID_ARGUMENT, str(exc)) from None
    hook = webhooks.add(account.id, args.url, types)
    _print(args, {"webhook_id": hook.number, "secret": hook.secret},
           f"webhook {hook.number} for account {account.id}: {hook.url}\nsigning secret: {hook.secret}")
    return 0


def cmd_webhooks_list(args) -> int:
    account = accounts.find_account(args.account)
    rows = [{"webhook_id": w.number, "url": w.url, "events": w.events, "created_at": w.created_at,
             "pending": w.pending, "delivered": w.delivered, "dead": w.dead, "last_error": w.last_error}
            for w in webhooks.listing(account.id)]
    _print(args, {"account_id": account.id, "webhooks": rows},
           "\n".join(f"{r['webhook_id']}\t{r['url']}\t{','.join(r['events'] or ['*'])}\tpending {r['pending']}"
                     f"\tdelivered {r['delivered']}\tdead {r['dead']}"
                     + (f"\tlast error: {r['last_error']}" if r["last_error"] else "") for r in rows))
    return 0


def cmd_webhooks_remove(args) -> int:
    account = accounts.find_account(args.account)
    webhooks.remove(account.id, args.webhook_id)
    _print(args, {"account_id": account.id, "webhook_id": args.webhook_id, "removed": True},
           f"webhook {args.webhook_id} removed")
    return 0


def cmd_export(args) -> int:
    from .export import export

    account = accounts.find_account(args.account)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            written = export(account.id, handle, args.format)
    else:
        written = export(account.id, sys.stdout, args.format)
    print(f"{written} contacts exported", file=sys.stderr)
    return 0


def _command(group, name: str, func, *positionals, help: str | None = None):
    """A subcommand with its positional arguments (a name, or (name, type)) and --json."""
    command = group.add_parser(name, help=help)
    for positional in positionals:
        title, kind = positional if isinstance(positional, tuple) else (positional, str)
        command.add_argument(title, type=kind)
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=func)
    return command


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="contact-gateway", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the gateway (gunicorn) and a job worker")
    serve.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8080"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    serve.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    serve.add_argument("--no-worker", action="store_true", help="do not start the job worker process")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run the job worker (huey consumer)")
    worker.add_argument("--threads", type=int, default=2)
    worker.set_defaults(func=cmd_worker)

    adm = sub.add_parser("admin", help="the admin view's operator tokens").add_subparsers(dest="what", required=True)
    tokens = adm.add_parser("token", help="operator tokens").add_subparsers(dest="action", required=True)
    token_create = tokens.add_parser("create", help="a new token that opens /admin/ (shown once)")
    token_create.add_argument("--label")
    token_create.add_argument("--json", action="store_true")
    token_create.set_defaults(func=cmd_admin_token_create)
    token_revoke = tokens.add_parser("revoke-all", help="revoke every operator token (signs everyone out)")
    token_revoke.add_argument("--json", action="store_true")
    token_revoke.set_defaults(func=cmd_admin_token_revoke)

    mig = sub.add_parser("migrate", help="create or upgrade the schema")
    mig.add_argument("--json", action="store_true")
    mig.set_defaults(func=cmd_migrate)

    acc = sub.add_parser("accounts", help="accounts and API keys").add_subparsers(dest="what", required=True)
    create = acc.add_parser("create", help="create an account and its first key")
    create.add_argument("name")
    create.add_argument("--key", help="register this existing vendor key instead of generating one")
    create.add_argument("--contact-limit", type=int)
    create.add_argument("--defaults", metavar="DIALECTS",
                        help="comma-separated dialects whose fresh-account objects it starts with "
                             f"(default: all of {','.join(PRESETS)}; '' for none)")
    create.add_argument("--json", action="store_true")
    create.set_defaults(func=cmd_accounts_create)
    listing = acc.add_parser("list")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_accounts_list)
    keys = acc.add_parser("keys", help="list an account's keys")
    keys.add_argument("account")
    keys.add_argument("--json", action="store_true")
    keys.set_defaults(func=cmd_keys_list)
    add = acc.add_parser("add-key", help="add a key (new, or an existing vendor key registered as-is)")
    add.add_argument("account")
    add.add_argument("--key")
    add.add_argument("--dialect", choices=dialects.NAMES)
    add.add_argument("--username")
    add.add_argument("--label")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_keys_add)
    revoke = acc.add_parser("revoke-key")
    revoke.add_argument("account")
    revoke.add_argument("key_id", type=int)
    revoke.add_argument("--json", action="store_true")
    revoke.set_defaults(func=cmd_keys_revoke)

    sup = sub.add_parser("suppression", help="the platform-wide bounce list").add_subparsers(dest="what",
                                                                                           required=True)
    imp = sup.add_parser("import", help="load addresses (one per line, or CSV email,reason)")
    imp.add_argument("file")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=cmd_suppression_import)
    st = sub.add_parser("setup", help="a migrating client's ids and keys from a setup file").add_subparsers(
        dest="what", required=True)
    apply_ = st.add_parser("apply", help="validate the whole file, then create or update (idempotent)")
    apply_.add_argument("file")
    apply_.add_argument("--check", action="store_true", help="only validate")
    apply_.add_argument("--json", action="store_true")
    apply_.set_defaults(func=cmd_setup_apply)
    export = st.add_parser("export", help="write an account back in the setup format")
    export.add_argument("account")
    export.add_argument("--output", "-o")
    export.set_defaults(func=cmd_setup_export)
    pull = sub.add_parser("pull", help="bring an account's contacts, lists, fields and statuses from its old vendor")
    pull.add_argument("dialect", help="the old vendor: unisender, dotdigital, esputnik, icomm, altcraft")
    pull.add_argument("--from", dest="base_url", required=True, help="the vendor's API base URL")
    pull.add_argument("--account", required=True, help="the account here that receives them")
    pull.add_argument("--key", help="the vendor API key (better: the PULL_API_KEY environment variable)")
    pull.add_argument("--user", help="the vendor API user (or PULL_USER)")
    pull.add_argument("--password", help="the vendor API password (better: PULL_PASSWORD)")
    pull.add_argument("--plan", action="store_true", help="read everything, report what would change, write nothing")
    pull.add_argument("--resume", action="store_true", help="only go on with a stopped pull (a plain run does too)")
    pull.add_argument("--profile", action="append", help="icomm: a ProfileKey to pull (repeat for each profile)")
    pull.add_argument("--emails", help="altcraft: a file of the addresses to pull, one per line")
    pull.add_argument("--db-id", type=int, default=1, help="altcraft: the database (db_id) they are in")
    pull.add_argument("--page-size", type=int, help="contacts per read (default: the vendor's largest page)")
    pull.add_argument("--json", action="store_true")
    pull.set_defaults(func=cmd_pull)

    hooks = sub.add_parser("webhooks", help="endpoints that receive the account's events").add_subparsers(
        dest="what", required=True)
    hook_add = _command(hooks, "add", cmd_webhooks_add, "account", "url",
                        help="register an endpoint; prints its id and signing secret")
    hook_add.add_argument("--events", help="comma-separated event types (default: every type)")
    _command(hooks, "list", cmd_webhooks_list, "account",
             help="endpoints with their pending, delivered and dead deliveries")
    _command(hooks, "remove", cmd_webhooks_remove, "account", ("webhook_id", int))

    dump = sub.add_parser("export", help="every contact of an account as JSON lines or CSV (streamed)")
    dump.add_argument("account")
    dump.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    dump.add_argument("--output", "-o", help="a file (default: standard output)")
    dump.set_defaults(func=cmd_export)
    return top


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "database_url", None):
        os.environ["DATABASE_URL"] = args.database_url
    store.open_database()
    try:
        migrate.migrate()
        return args.func(args)
    except setup.SetupInvalid as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": "setup_invalid", "problems": [vars(p) for p in exc.problems]}), file=sys.stderr)
        else:
            print(f"The setup file has {len(exc.problems)} problem(s); nothing was written:", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
        return 2
    except (CoreError, *_pull_errors()) as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": getattr(exc, "code", "pull_failed"), "message": _message(exc)}), file=sys.stderr)
        else:
            print(f"error: {_message(exc)}", file=sys.stderr)
        return 2


def _message(exc) -> str:
    return exc.message if isinstance(exc, CoreError) else str(exc)


def _pull_errors() -> tuple:
    """What a pull raises when the old vendor or the account refuses it (printed, never a traceback)."""
    from .outbound import OutboundRefused
    from .pull.http import VendorError
    from .pull.run import PullRefused

    return (VendorError, PullRefused, OutboundRefused)


if __name__ == "__main__":
    sys.exit(main())
