# Sourced by scripts/*: make .venv (once, and again when pyproject.toml changes) and install the project.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.installed-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  # (grep drops the "Location … is ignored" notes some machines' pip configuration prints)
  "$VENV/bin/python" -m pip install -q --upgrade pip 2>&1 >/dev/null | grep -v "is ignored" >&2 || true
  "$VENV/bin/python" -m pip install -q -e "$ROOT[test]" 2>&1 | grep -v "is ignored" >&2 || true
  "$VENV/bin/python" -c "import gateway, falcon, peewee" || { echo "installing the project failed" >&2; exit 1; }
  rm -f "$VENV"/.installed-* && touch "$STAMP"
fi
cd "$ROOT"
