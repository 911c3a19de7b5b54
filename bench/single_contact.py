"""One-contact calls of every dialect through the real server, beside the single-request raw limit.

Starts `contact-gateway serve` (gunicorn, its access log on, written to a file) and the raw limit
(bench/raw_server.py: falcon + orjson + one upsert, under gunicorn with as many workers) on the
store DATABASE_URL names (a fresh PostgreSQL schema, else a SQLite file), then drives both with wrk
(Debian's package, installed here when missing), in turn: each dialect's call, then the raw
limit, and again, so a busier stretch of the shared machine weighs on both alike. Half the
requests name a contact that exists (one of the seeded ones, its name changed), half a new one.

Run: .venv/bin/python -m bench.single_contact [--seconds 8] [--runs 2] [--workers 2] [--connections 16]
"""
from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .common import backend_label, bench_app, fresh_schema, load, postgres_base

ROOT = Path(__file__).resolve().parent.parent
SEEDED = 2000
DD_USER, DD_PASSWORD = "bench@apiconnector.com", "bench-dd-password"

# name: (method, path, headers, body); {EMAIL} and {NAME} are filled per request, {KEY} once.
CALLS = {
    "Unisender subscribe": (
        "POST", "/en/api/subscribe?format=json", {"Content-Type": "application/x-www-form-urlencoded"},
        "api_key={KEY}&list_ids=1&fields%5Bemail%5D={EMAIL}&fields%5BName%5D={NAME}&double_optin=3"),
    "Unisender importContacts, 1 row": (
        "POST", "/en/api/importContacts?format=json", {"Content-Type": "application/x-www-form-urlencoded"},
        "api_key={KEY}&field_names%5B0%5D=email&field_names%5B1%5D=Name&data%5B0%5D%5B0%5D={EMAIL}"
        "&data%5B0%5D%5B1%5D={NAME}"),
    "eSputnik POST contact": (
        "POST", "/api/v1/contact", {"Content-Type": "application/json", "Authorization": "{BASIC}"},
        '{"firstName":"{NAME}","channels":[{"type":"email","value":"{EMAIL}"}]}'),
    "Altcraft profiles/add": (
        "POST", "/api/v1.1/profiles/add", {"Content-Type": "application/json"},
        '{"token":"{KEY}","db_id":1,"data":{"email":"{EMAIL}","_fname":"{NAME}"}}'),
    "Dotdigital v3 PATCH email": (
        "PATCH", "/contacts/v3/email/{EMAIL}", {"Content-Type": "application/json", "Authorization": "{DD_BASIC}"},
        '{"identifiers":{"email":"{EMAIL}"},"dataFields":{"Name":"{NAME}"},"lists":[1]}'),
    "Dotdigital v2 POST contacts": (
        "POST", "/v2/contacts", {"Content-Type": "application/json", "Authorization": "{DD_BASIC}"},
        '{"email":"{EMAIL}","dataFields":[{"key":"Name","value":"{NAME}"}]}'),
    "Icomm SaveContact": (
        "POST", "/Contacts/SaveContact.Json/", {"Content-Type": "application/json", "Authorization": "{KEY}"},
        '{"ProfileKey":"PK1","Contact":{"Email":"{EMAIL}","CustomFields":[{"Key":"Name","Value":"{NAME}"}]}}'),
}
RAW = ("POST", "/raw", {"Content-Type": "application/json"}, '{"email":"{EMAIL}","name":"{NAME}"}')

LUA = r"""
local counter, tid = 0, 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) tid = tonumber(wrk.thread:get("tid")) or math.random(1000) end
local function fill(text, email, name)
  text = text:gsub("{EMAIL}", function() return email end)
  return (text:gsub("{NAME}", function() return name end))
end
request = function()
  counter = counter + 1
  local email
  if counter % 2 == 0 then
    email = "old" .. ((counter * 7 + tid) % $seeded) .. "@example.com"
  else
    email = "new-$tag-" .. tid .. "-" .. counter .. "@example.com"
  end
  local name = "N" .. counter
  return wrk.format("$method", fill([[$path]], email, name), $headers, fill([[$body]], email, name))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package", file=sys.stderr)
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*prefix, "apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        subprocess.run([*prefix, "apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*prefix, "apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.time() + 90
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not start:\n{log.read_text(errors='replace')[-3000:]}")


def lua_script(folder: Path, name: str, call: tuple, values: dict) -> Path:
    method, path, headers, body = call
    for key, value in values.items():
        headers = {h: v.replace("{" + key + "}", value) for h, v in headers.items()}
        body = body.replace("{" + key + "}", value)
    lua_headers = "{" + ", ".join(f'["{h}"] = "{v}"' for h, v in headers.items()) + "}"
    tag = re.sub(r"\W+", "", name).lower()[:12] + str(os.getpid())
    text = string.Template(LUA).substitute({"seeded": SEEDED, "tag": tag, "method": method, "path": path, "headers": lua_headers,
                  "body": body})
    script = folder / f"{tag}.lua"
    script.write_text(text)
    return script


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(wrk: str, script: Path, url: str, seconds: int, connections: int) -> dict:
    out = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
              "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
              "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
              "bad": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
              "errors": sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))}
    return result


def preflight(base_url: str, name: str, spec: tuple, values: dict) -> None:
    """One request of the call, checked: a success answer (some dialects answer errors with 200)."""
    method, path, headers, body = spec
    email = f"preflight-{re.sub(r'[^a-z0-9]+', '-', name.lower())}@example.com"
    filled = {**values, "EMAIL": email.replace("@", "%40") if "form" in headers["Content-Type"] else email,
              "NAME": "P"}
    for key, value in filled.items():
        path, body = path.replace("{" + key + "}", value), body.replace("{" + key + "}", value)
        headers = {h: v.replace("{" + key + "}", value) for h, v in headers.items()}
    request = urllib.request.Request(base_url + path,
                                     data=body.encode(), method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = response.read()
    if re.search(rb'"error":"|"code":"|"error":[1-9]|"StatusCode":[02-9]', answer):
        raise SystemExit(f"{name}: not a success answer: {answer[:300]!r}")


def sample(pid: int, seconds: int, out: Path) -> subprocess.Popen:
    """py-spy sampling the server's processes (installed with pip when missing)."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=True)
    return subprocess.Popen([str(spy), "record", "--pid", str(pid), "--subprocesses", "--duration", str(seconds),
                             "--rate", "250", "--format", "raw", "--nonblocking", "--idle", "--full-filenames", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def print_samples(name: str, path: Path, top: int = 12) -> None:
    """Shares of the samples by layer of the innermost frame, and by innermost function."""
    from collections import Counter

    from .profile_requests import layer

    layers, functions, total = Counter(), Counter(), 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if "Arbiter.run" in stack and "SyncWorker" not in stack:
            continue  # gunicorn's master process: it only watches the workers
        frame = stack.rsplit(";", 1)[-1]
        match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame)
        function, filename = match.groups() if match else (frame, "")
        if "selectors.py" in filename or function.endswith("SyncWorker.wait"):
            label = "idle: waiting for a request"
        else:
            label = layer(filename, function.rsplit(".", 1)[-1])
        layers[label] += int(count)
        functions[f"{function} ({filename.split('/site-packages/')[-1].split('/issue-14/')[-1]})"] += int(count)
        total += int(count)
    print(f"\npy-spy, {name}: {total:,} samples of the gateway's workers, by innermost frame (waits included)")
    for label, count in layers.most_common():
        print(f"  {label:<28}{count / total:>6.0%}")
    for function, count in functions.most_common(top):
        print(f"    {count / total:>5.1%}  {function}")


def seed(call, key: str) -> None:
    """SEEDED existing contacts, through the gateway's own bulk import."""
    for start in range(0, SEEDED, 500):
        pairs = [f"api_key={key}", "field_names%5B0%5D=email", "field_names%5B1%5D=Name"]
        for n in range(500):
            pairs += [f"data%5B{n}%5D%5B0%5D=old{start + n}%40example.com", f"data%5B{n}%5D%5B1%5D=Seed"]
        status, data = call("POST", "/en/api/importContacts?format=json", "&".join(pairs).encode(),
                            "application/x-www-form-urlencoded")
        assert status.startswith("200") and b'"inserted":500' in data, data[:300]


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--seconds", type=int, default=8, help="wrk duration of each measurement")
    args.add_argument("--runs", type=int, default=2, help="interleaved passes over every call")
    args.add_argument("--workers", type=int, default=2, help="gunicorn workers of both servers")
    args.add_argument("--connections", type=int, default=16)
    args.add_argument("--only", default="", help="a part of the call names to run only those")
    args.add_argument("--py-spy", action="store_true", help="sample the gateway's workers with py-spy during "
                      "each of its measurements and print where their time went")
    opts = args.parse_args(argv)
    wrk = ensure_wrk()
    folder = Path(tempfile.mkdtemp(prefix="cg-single-"))

    url, call, account_id, key = bench_app()
    from core import accounts, catalog
    from core import db as store

    accounts.add_key(account_id, DD_PASSWORD, dialect="dotdigital", username=DD_USER)
    catalog.create_list(account_id, "One", number=1, kind="address_book")
    catalog.create_field(account_id, "Name")
    main_db = catalog.database(account_id, 1)
    main_db.attrs = {"profile_key": "PK1"}
    main_db.save()
    seed(call, key)
    store.database().close()
    raw_url = fresh_schema("cg_rawsingle") if postgres_base() else f"sqlite:///{folder}/raw.db"
    from .raw_server import create

    create(raw_url)

    env = {**os.environ, "DATABASE_URL": url, "RAW_DATABASE_URL": raw_url, "PYTHONPATH": str(ROOT)}
    env.pop("QUEUE_URL", None)  # the gateway's own default beside its store
    gateway_port, raw_port = free_port(), free_port()
    gateway_log, raw_log = folder / "gateway-access.log", folder / "raw.log"
    bin_dir = Path(sys.executable).parent
    gateway = subprocess.Popen([str(bin_dir / "contact-gateway"), "serve", "--bind", f"127.0.0.1:{gateway_port}",
                                "--workers", str(opts.workers), "--no-worker"], cwd=folder, env=env,
                               stdout=open(gateway_log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    raw = subprocess.Popen([str(bin_dir / "gunicorn"), "--workers", str(opts.workers), "--bind",
                            f"127.0.0.1:{raw_port}", "bench.raw_server:app"], cwd=ROOT, env=env,
                           stdout=open(raw_log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(f"http://127.0.0.1:{gateway_port}/readyz", gateway, gateway_log)
        wait_ready(f"http://127.0.0.1:{raw_port}/raw", raw, raw_log)
        values = {"KEY": key, "BASIC": "Basic " + base64.b64encode(f"bench:{key}".encode()).decode(),
                  "DD_BASIC": "Basic " + base64.b64encode(f"{DD_USER}:{DD_PASSWORD}".encode()).decode()}
        raw_script = lua_script(folder, "raw", RAW, values)
        chosen = {n: c for n, c in CALLS.items() if opts.only.lower() in n.lower()}
        for name, spec in chosen.items():
            preflight(f"http://127.0.0.1:{gateway_port}", name, spec, values)
        results: dict[str, list] = {name: [] for name in chosen}
        for _ in range(opts.runs):
            for name, spec in chosen.items():
                script = lua_script(folder, name, spec, values)
                spy = sample(gateway.pid, opts.seconds, folder / "py-spy.txt") if opts.py_spy else None
                measured = run_wrk(wrk, script, f"http://127.0.0.1:{gateway_port}", opts.seconds, opts.connections)
                if spy is not None:
                    spy.wait()
                    print_samples(name, folder / "py-spy.txt")
                limit = run_wrk(wrk, raw_script, f"http://127.0.0.1:{raw_port}", opts.seconds, opts.connections)
                results[name].append((measured, limit, load()))
        lines = sum(1 for _ in open(gateway_log, "rb"))
        print(f"\nOne-contact calls, real server (gunicorn --workers {opts.workers}, access log on: {lines:,} lines) "
              f"beside the raw limit (falcon + orjson + one upsert), wrk -t2 -c{opts.connections} "
              f"-d{opts.seconds}s, {backend_label()}; half new contacts, half existing ones")
        print(f"{'call':<34}{'gateway r/s':>12}{'p50 ms':>8}{'p99 ms':>8}{'raw r/s':>10}{'p50':>7}{'p99':>7}"
              f"{'ratio':>7}  load")
        for name, rows in results.items():
            for measured, limit, when in rows:
                flag = f"  NON-2xx {measured['bad']}" if measured["bad"] or measured["errors"] else ""
                print(f"{name:<34}{measured['rps']:>12,.0f}{measured['p50']:>8.1f}{measured['p99']:>8.1f}"
                      f"{limit['rps']:>10,.0f}{limit['p50']:>7.1f}{limit['p99']:>7.1f}"
                      f"{measured['rps'] / limit['rps']:>7.2f}  {when}{flag}")
        output = gateway_log.read_text(errors="replace")
        if "Traceback" in output:
            print("the gateway logged a traceback:\n" + output[output.index("Traceback"):][:3000])
    finally:
        for process in (gateway, raw):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
