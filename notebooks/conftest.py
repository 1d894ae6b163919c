"""pytest settings for ``pytest --nbval notebooks/`` (typed verbatim, from the project venv).

nbval re-executes each notebook and compares every output with the stored one. Two changes
make that comparison hold on any x86-64 machine and still catch a real change:

1. The sanitize file ``notebooks/sanitize.cfg`` (random ids) is used by default, and every
   float is masked in the text comparison, in strings and in JSON outputs (plotly figures)
   alike, so structure, text, labels and integers are still compared exactly.
2. The masked floats are compared as numbers with the stored ones at the relative tolerance of
   ``tests/numbers_match.py`` (``RTOL``; the rule and why it is safe are written there). A
   cell whose numbers move by more fails, naming the first values that differ and how many
   floats were compared.

The data setting follows the Makefile: ``SPLITALLOC_DATA_DIR`` defaults to ``../shared/data``
when that folder exists and the variable is unset.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import numbers_match  # noqa: E402  (tests/numbers_match.py)

_shared_data = HERE.parent.parent / "shared" / "data"
if not os.environ.get("SPLITALLOC_DATA_DIR") and _shared_data.is_dir():
    os.environ["SPLITALLOC_DATA_DIR"] = str(_shared_data)


def pytest_configure(config):
    if getattr(config.option, "nbval", False) and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(HERE / "sanitize.cfg")


def _flatten(cell, outputs):
    """nbval's grouping of outputs (per output field / mime type, in order), ids sanitized
    but floats kept."""
    from nbval.plugin import transform_streams_for_comparison

    skip = cell.parent.skip_compare
    grouped = defaultdict(list)
    for out in transform_streams_for_comparison(outputs):
        for key in out.keys():
            if key in skip:
                continue
            if key == "data":
                for mime, value in out[key].items():
                    if mime not in skip:
                        grouped[mime].append(_ORIGINAL_SANITIZE(cell, value))
            else:
                grouped[key].append(_ORIGINAL_SANITIZE(cell, out[key]))
    return grouped


def _sanitize(self, s):
    """nbval's sanitizers, then every float masked, for strings and JSON outputs."""
    if isinstance(s, str):
        s = _ORIGINAL_SANITIZE(self, s)
    return numbers_match.mask_floats(s)


def _compare_outputs(self, test, ref, skip_compare=None):
    if not _ORIGINAL_COMPARE(self, test, ref, skip_compare):
        return False
    result = numbers_match.Comparison()
    ref_g, test_g = _flatten(self, ref), _flatten(self, test)
    for key in ref_g:
        for i, (r, t) in enumerate(zip(ref_g[key], test_g[key])):
            result.merge(numbers_match.compare(r, t, where=f"{key}#{i}"))
    if result.ok:
        return True
    self.comparison_traceback.append(
        f"numbers differ from the stored outputs beyond the tolerance: {result.summary()}")
    return False


try:
    from nbval.plugin import IPyNbCell
except ImportError:  # pragma: no cover - nbval is a dev dependency
    IPyNbCell = None
if IPyNbCell is not None and not getattr(IPyNbCell, "_splitalloc_numbers", False):
    _ORIGINAL_SANITIZE = IPyNbCell.sanitize
    _ORIGINAL_COMPARE = IPyNbCell.compare_outputs
    IPyNbCell.sanitize = _sanitize
    IPyNbCell.compare_outputs = _compare_outputs
    IPyNbCell._splitalloc_numbers = True
