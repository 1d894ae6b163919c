"""Numeric comparison of computed outputs with stored reference outputs.

Used by ``notebooks/conftest.py`` (nbval: every figure and table a notebook shows) and by
``tests/test_reference_results.py`` (the CSVs written by ``reproduce --scale quick``).

Why numbers and not text: the same code on another CPU (other torch/MKL kernels, e.g.
``ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE``) changes the last digits of trained
numbers. Masking digits does not help (19.4999 and 19.5001 still print differently), so the
text comparison masks every float and this module compares the floats themselves.

Tolerance (:data:`RTOL`), the one rule for all outputs:

* a float stored as a number (figure JSON, CSV cell): ``|test - ref| <= RTOL * s`` where
  ``s = max(|ref|, |test|, scale)`` and ``scale`` is the largest magnitude of the numbers it
  is stored with (its trace, its CSV column), so entries near zero are judged on the scale of
  their neighbours;
* a float printed in text (a table, a printed line): the same, or one unit in the last
  printed digit of the reference, whichever is larger (a printed 19.5 may become 19.4 or 19.6
  when the underlying value moves across a rounding boundary by far less than RTOL).

Integers are never masked: the text comparison checks them exactly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

#: Relative tolerance. Kernel-to-kernel differences of the quick reproduction are measured
#: at up to a few 1e-6 relative (see README, "Checks on any machine"); a real change of the
#: science (a trace scaled by 1.005, other seeds) moves numbers by 5e-3 or much more.
RTOL = 1e-4

#: A float written in text: digits with a decimal point and/or an exponent.
FLOAT_TOKEN = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d+|\.\d+|\d+(?=[eE][-+]?\d))(?:[eE][-+]?\d+)?(?![.\d])")
#: What a masked float looks like to the text comparison.
MASK = "FLOAT"


def mask_floats(obj: Any) -> Any:
    """``obj`` with every float replaced by :data:`MASK` (floats in strings too); structure,
    strings and integers stay as they are."""
    if isinstance(obj, str):
        return FLOAT_TOKEN.sub(MASK, obj)
    if isinstance(obj, bool) or obj is None or isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return MASK
    if isinstance(obj, dict):
        return {k: mask_floats(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [mask_floats(v) for v in obj]
    return obj


@dataclass(frozen=True)
class Number:
    """One float leaf: its value, the magnitude it is judged against, and (for printed text)
    one unit in its last printed digit."""

    where: str
    value: float
    scale: float = 0.0
    last_digit: float = 0.0


def _printed_unit(token: str) -> float:
    mant, _, exp = token.lower().partition("e")
    decimals = len(mant.split(".", 1)[1]) if "." in mant else 0
    return 10.0 ** (int(exp or 0) - decimals)


def _is_float(v: Any) -> bool:
    return isinstance(v, float) and not isinstance(v, bool)


def numbers(obj: Any, where: str = "") -> Iterator[Number]:
    """Every float in ``obj`` (JSON-like: dicts, lists, strings, numbers), in a fixed order."""
    if isinstance(obj, str):
        for i, m in enumerate(FLOAT_TOKEN.finditer(obj)):
            tok = m.group(0)
            yield Number(f"{where}[token {i}: {tok!r}]", float(tok), 0.0, _printed_unit(tok))
    elif _is_float(obj):
        yield Number(where, obj, 0.0, 0.0)
    elif isinstance(obj, dict):
        for k in sorted(obj, key=str):
            yield from numbers(obj[k], f"{where}.{k}")
    elif isinstance(obj, (list, tuple)):
        floats = [abs(v) for v in obj if _is_float(v) and math.isfinite(v)]
        scale = max(floats, default=0.0)
        for i, v in enumerate(obj):
            if _is_float(v):
                yield Number(f"{where}[{i}]", v, scale, 0.0)
            else:
                yield from numbers(v, f"{where}[{i}]")


@dataclass
class Comparison:
    """Outcome of :func:`compare`: how many floats were compared and which differ."""

    compared: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def merge(self, other: "Comparison") -> None:
        self.compared += other.compared
        self.mismatches.extend(other.mismatches)

    def summary(self, max_lines: int = 10) -> str:
        head = (f"{self.compared} floats compared at rtol {RTOL:g}, "
                f"{len(self.mismatches)} outside the tolerance")
        lines = self.mismatches[:max_lines]
        more = len(self.mismatches) - len(lines)
        return "\n".join([head, *lines] + ([f"... and {more} more"] if more > 0 else []))


def within(ref: Number, test: Number, rtol: float = RTOL) -> bool:
    """The tolerance rule of the module docstring."""
    r, t = ref.value, test.value
    if math.isnan(r) or math.isnan(t):
        return math.isnan(r) and math.isnan(t)
    if math.isinf(r) or math.isinf(t):
        return r == t
    s = max(abs(r), abs(t), ref.scale, test.scale)
    # one unit in the last printed digit, with room for the binary representation of 0.1 etc.
    printed = max(ref.last_digit, test.last_digit) * (1 + 1e-9)
    return abs(t - r) <= max(rtol * s, printed)


def compare(ref: Any, test: Any, rtol: float = RTOL, where: str = "") -> Comparison:
    """Compare every float of ``test`` with the float at the same place in ``ref``."""
    out = Comparison()
    a, b = list(numbers(ref, where)), list(numbers(test, where))
    if len(a) != len(b):
        out.mismatches.append(f"{where}: {len(a)} floats in the reference, {len(b)} computed")
        return out
    for x, y in zip(a, b):
        out.compared += 1
        if not within(x, y, rtol):
            out.mismatches.append(f"{x.where}: reference {x.value!r}, computed {y.value!r}")
    return out
