"""Check a build's output against an allowlist of expected lines.

    python scripts/check_output.py LOG ALLOWLIST

Every non-empty line of LOG (split on newlines and on the carriage returns of progress bars,
ANSI colours removed) must match one of the regular expressions in ALLOWLIST (one per line,
matched from the start of the line with ``re.match``; blank lines and lines starting with
``#`` are comments). Prints each line that matches nothing and exits 1 when there is one;
exits 0 silently otherwise. Used by ``scripts/build_book.sh`` on the stderr of ``make book``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def read_allowlist(path: str | Path) -> list[re.Pattern]:
    patterns = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            patterns.append(re.compile(line))
    return patterns


def unexpected_lines(text: str, patterns: list[re.Pattern]) -> list[str]:
    """Lines of ``text`` that match none of ``patterns`` (in order, duplicates kept once)."""
    out: list[str] = []
    for raw in re.split(r"[\r\n]+", ANSI.sub("", text)):
        line = raw.rstrip()
        if line.strip() and not any(p.match(line) for p in patterns) and line not in out:
            out.append(line)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    log, allowlist = argv[1], argv[2]
    bad = unexpected_lines(Path(log).read_text(encoding="utf-8", errors="replace"), read_allowlist(allowlist))
    if bad:
        print(f"{log}: {len(bad)} unexpected line(s) on stderr (not in {allowlist}):", file=sys.stderr)
        for line in bad:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
