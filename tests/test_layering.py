"""The one road, checked: import-linter's contracts (pyproject.toml) hold, fail on a wrong import, and adapters open no files."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "adapters", "gateway")
VENDORS = ("unisender", "esputnik", "dotdigital", "altcraft", "icomm", "profile_key")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    return subprocess.run([command, "--no-cache", "--config", str(cwd / "pyproject.toml")], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_the_layering_contracts_hold():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 3 kept, 0 broken." in run.stdout


def test_every_folder_is_a_package_the_linter_sees():
    """grimp skips namespace packages: a folder without __init__.py would escape every contract."""
    folders = {path.parent for package in PACKAGES for path in (ROOT / package).rglob("*.py")}
    assert sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists()) == []


def test_a_wrong_import_breaks_each_contract(tmp_path):
    """A copy of the tree with one wrong import per contract: lint-imports names each one and fails."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "core" / "wrong_way.py").write_text('"""Reaches up the road."""\nfrom gateway import credentials\n')
    (tmp_path / "adapters" / "wrong_io.py").write_text('"""Does I/O."""\nimport socket\nfrom core import db\n')
    # A cycle made of a function-level import, the kind that hides best.
    (tmp_path / "core" / "circle_a.py").write_text('"""One half."""\n\n\ndef f():\n    from . import circle_b\n')
    (tmp_path / "core" / "circle_b.py").write_text('"""The other."""\nfrom . import circle_a\n')
    run = lint_imports(tmp_path)
    assert run.returncode != 0
    assert "Contracts: 0 kept, 3 broken." in run.stdout, run.stdout
    for offender in ("core.wrong_way -> gateway.credentials", "adapters.wrong_io -> socket",
                     "adapters.wrong_io -> core.db", ".circle_"):
        assert offender in run.stdout, offender


def _adapter_sources():
    for path in sorted((ROOT / "adapters").rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def io_in(tree: ast.AST) -> list[str]:
    """What a contract cannot see: the builtin open, io.open, and any urllib but its string functions."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "open":
                found.append(f"open() at line {node.lineno}")
            elif isinstance(func, ast.Attribute) and func.attr == "open" and getattr(func.value, "id", "") == "io":
                found.append(f"io.open() at line {node.lineno}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "urllib":
            if node.module != "urllib.parse":
                found.append(f"from {node.module} at line {node.lineno}")
        elif isinstance(node, ast.Import):
            found += [f"import {a.name} at line {node.lineno}" for a in node.names if a.name.split(".")[0] == "urllib"]
    return found


def test_adapters_open_nothing():
    found = {str(path.relative_to(ROOT)): io for path, tree in _adapter_sources() if (io := io_in(tree))}
    assert found == {}


def test_the_io_check_sees_open():
    assert io_in(ast.parse("def f(p):\n    return open(p).read()\n")) == ["open() at line 2"]
    assert sorted(io_in(ast.parse("import io\nio.open('x')\nfrom urllib.request import urlopen\n"))) == [
        "from urllib.request at line 3", "io.open() at line 2"]
    assert io_in(ast.parse("from urllib.parse import urlsplit\nimport io\nio.BytesIO(b'')\n")) == []


def test_core_names_no_vendor():
    """The core never learns which vendor called: no vendor name, not even in a comment or its setup schema."""
    mentions = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "core").rglob("*")) if path.is_file()
                and path.suffix in (".py", ".json")
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if any(vendor in line.lower() for vendor in VENDORS)]
    assert mentions == []
