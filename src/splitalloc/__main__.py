"""``python -m splitalloc ...``: see :mod:`splitalloc.cli`."""

from splitalloc.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
