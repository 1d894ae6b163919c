#!/usr/bin/env bash
# Do the pinned dependencies resolve for another Python version? A dry run of pip's resolver
# for that version (binary wheels only, nothing installed), so a user on e.g. Python 3.12
# finds out here, not at their first `make venv`.
#
#   bash scripts/check_pins.sh 3.12
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${1:?usage: check_pins.sh PYTHON_VERSION (e.g. 3.12)}"
PY="${PY:-.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
reqs="$work/requirements.txt"
# the project's own requirements (runtime + dev), read from pyproject.toml
"$PY" - > "$reqs" <<'PYEOF'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["dev"]))
PYEOF
echo "== do the pins resolve for Python $VERSION? (pip install --dry-run, binary wheels only)"
if ! out="$("$PY" -m pip install --dry-run --quiet --ignore-installed --python-version "$VERSION" \
      --only-binary :all: --target "$work/target" -c constraints.txt -r "$reqs" 2>&1)"; then
  echo "$out" | tail -20 >&2
  echo "ERROR: the pinned dependencies (pyproject.toml + constraints.txt) do not resolve for Python $VERSION" >&2
  exit 1
fi
echo "   they do."
