"""No secret in any log line: every dialect's conformance cases against the real server, its whole output scanned."""
from __future__ import annotations

import base64
import re

import pytest

import conformance.runner as runner
from processes import Gateway, server_env

pytestmark = pytest.mark.slow


class Recording:
    """The runner's transport, noting every credential a request carried."""

    def __init__(self, transport, secrets: set):
        self.transport = transport
        self.secrets = secrets

    def send(self, method, path, headers, body):
        for name, value in headers.items():
            if name.lower() == "authorization" and value:
                self.secrets.add(value)
                scheme, _, token = value.partition(" ")
                for part in (token, scheme if not token else ""):
                    if len(part) >= 8:
                        self.secrets.add(part)
                        try:
                            _, _, password = base64.b64decode(part, validate=True).decode().partition(":")
                        except ValueError:
                            continue
                        if len(password) >= 8:  # (a user name is no secret; a key sent as one is a key, noted)
                            self.secrets.add(password)
        return self.transport.send(method, path, headers, body)


def test_no_key_password_or_basic_credential_reaches_the_logs(store_url, tmp_path, monkeypatch):
    env = server_env(store_url, tmp_path, LOG_LEVEL="DEBUG", LOG_FORMAT="json")
    secrets: set = set()
    apply_setup = runner.apply_setup

    def recording_setup(case):
        values = apply_setup(case)
        secrets.add(values["api_key"])
        secrets.update(k["key"] for k in (case.data.get("setup") or {}).get("keys") or [] if "{run}" not in k.get("key", "{run}"))
        return values

    monkeypatch.setattr(runner, "apply_setup", recording_setup)
    gateway = Gateway(env).start()
    try:
        transport = Recording(runner.Live(gateway.base_url), secrets)
        cases = [case for case in runner.load_cases() if not case.skip]
        outcomes = [runner.run_case(case, transport) for case in cases]
    finally:
        gateway.stop()
    output = gateway.output()
    dialects = {case.path.parent.name for case in cases}
    assert dialects == {"altcraft", "dotdigital", "esputnik", "icomm", "unisender"}
    failed = [o.case.name for o in outcomes if not o.ok]
    assert len(failed) <= len(cases) // 20, failed  # the cases ran for real, against the live server
    request_lines = re.findall(r'"message":"request"', output)
    assert len(request_lines) >= len(cases), output[-3000:]
    assert len(secrets) > len(cases)
    print(f"{len(cases)} cases, {len(failed)} not matching live, {len(request_lines)} request lines, "
          f"{len(output.splitlines())} log lines scanned for {len(secrets)} secrets")
    leaked = sorted(s for s in secrets if s in output)
    assert not leaked, f"{len(leaked)} secrets in the logs, e.g. {leaked[:3]}"
