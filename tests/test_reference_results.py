"""The quick reproduction's tables match the committed reference data, number by number.

``scripts/test.sh`` runs ``python -m splitalloc reproduce --scale quick`` into an empty
result cache (``$SPLITALLOC_RESULTS_DIR``), once with the machine's native kernels and once
under ``ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE``, then this module (marker
``reproduction``) compares every CSV under ``quick/`` with ``tests/reference/quick/``: the
same files, columns and rows, text cells equal once floats are masked, and every float within
the tolerance of :mod:`numbers_match` (``RTOL``; the rule and why it is safe are written
there). ``scripts/store_notebook_outputs.sh`` writes the reference files.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pandas as pd
import pytest

import numbers_match as nm

REFERENCE = Path(__file__).parent / "reference" / "quick"


def table_numbers(df: pd.DataFrame) -> dict:
    """A CSV as the JSON-like structure :func:`numbers_match.compare` reads: one list per
    column (floats judged on the column's scale), text cells as strings."""
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out[col] = [float(v) for v in s]
        else:
            out[col] = ["" if pd.isna(v) else str(v) for v in s]
    return out


def only_rows_with_margin(ref: pd.DataFrame, test: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table with an ``in_set_margin`` column (``calibration.csv``): only the rows whose reference
    flag is True are compared, so that a candidate whose worst implausibility sits within the margin
    of the set's threshold (a near-tie another CPU kernel may flip) cannot fail the check."""
    if "in_set_margin" not in ref.columns or len(ref) != len(test):
        return ref, test
    keep = ref["in_set_margin"].astype(bool).to_numpy()
    return ref[keep].reset_index(drop=True), test[keep].reset_index(drop=True)


def compare_tables(ref: pd.DataFrame, test: pd.DataFrame, name: str) -> nm.Comparison:
    """Columns, rows and masked text must be equal; floats within the tolerance."""
    result = nm.Comparison()
    if list(ref.columns) != list(test.columns) or len(ref) != len(test):
        result.mismatches.append(
            f"{name}: columns/rows {list(ref.columns)} x {len(ref)} in the reference, "
            f"{list(test.columns)} x {len(test)} computed")
        return result
    a, b = table_numbers(ref), table_numbers(test)
    if nm.mask_floats(a) != nm.mask_floats(b):
        diff = [c for c in a if nm.mask_floats(a[c]) != nm.mask_floats(b[c])]
        result.mismatches.append(f"{name}: text or integers differ in columns {diff}")
        return result
    result.merge(nm.compare(a, b, where=name))
    return result


def _results_dir() -> Path:
    raw = os.environ.get("SPLITALLOC_RESULTS_DIR")
    if not raw:
        pytest.fail("$SPLITALLOC_RESULTS_DIR is not set: run `python -m splitalloc reproduce "
                    "--scale quick --out DIR` and point the variable at DIR (scripts/test.sh "
                    "does both).", pytrace=False)
    path = Path(raw) / "quick"
    if not path.is_dir():
        pytest.fail(f"no quick reproduction under {path}: run `python -m splitalloc reproduce "
                    f"--scale quick --out {raw}` first.", pytrace=False)
    return path


def _reference_names() -> list[str]:
    return sorted(p.name for p in REFERENCE.glob("*.csv"))


def test_reference_data_is_committed():
    assert _reference_names(), f"no reference CSVs under {REFERENCE}"


@pytest.mark.reproduction
def test_same_tables_as_reference():
    names = sorted(p.name for p in _results_dir().glob("*.csv"))
    assert names == _reference_names(), (
        "the quick reproduction writes other tables than the reference holds; after an "
        "intended change run scripts/store_notebook_outputs.sh")


@pytest.mark.reproduction
@pytest.mark.parametrize("name", _reference_names())
def test_table_matches_reference(name):
    test_path = _results_dir() / name
    assert test_path.is_file(), f"the quick reproduction did not write {name}"
    ref, test = pd.read_csv(REFERENCE / name), pd.read_csv(test_path)
    ref, test = only_rows_with_margin(ref, test)
    result = compare_tables(ref, test, name)
    print(result.summary())
    assert result.ok, result.summary()


# --- the comparison itself: it must pass on kernel noise and fail on a real change ---------

def _reference_figure_table() -> pd.DataFrame:
    """The first reference table with float columns (a figure's data)."""
    for name in _reference_names():
        df = pd.read_csv(REFERENCE / name)
        if len(df.select_dtypes("float").columns):
            return df
    pytest.fail(f"no reference CSV with float columns under {REFERENCE}")


def test_identical_and_kernel_noise_pass():
    ref = _reference_figure_table()
    noisy = ref.copy()
    for col in noisy.select_dtypes("float").columns:
        noisy[col] = noisy[col] * (1 + 3e-6)  # the size of kernel-to-kernel differences
    assert compare_tables(ref, ref.copy(), "same").ok
    result = compare_tables(ref, noisy, "noisy")
    assert result.ok, result.summary()
    assert result.compared > 0


def test_calibration_rows_without_margin_are_not_compared():
    ref = pd.DataFrame({"max_implausibility": [3.01, 5.0], "in_set": [False, False],
                        "in_set_margin": [False, True]})
    flipped = ref.assign(in_set=[True, False], max_implausibility=[2.99, 5.0])
    assert compare_tables(*only_rows_with_margin(ref, flipped), "calibration").ok
    assert not compare_tables(*only_rows_with_margin(ref, flipped.assign(in_set=[True, True])), "calibration").ok


def test_mutation_of_one_column_fails():
    """Scaling one computed column by 1.005 must fail, whatever it is."""
    ref = _reference_figure_table()
    col = ref.select_dtypes("float").columns[-1]
    mutated = ref.copy()
    mutated[col] = mutated[col] * 1.005
    result = compare_tables(ref, mutated, "mutated")
    print(f"mutation of column {col!r} by 1.005: {result.summary(3)}")
    assert not result.ok


def test_mutation_of_one_figure_trace_fails():
    """A plotly figure as stored in a notebook: one trace scaled by 1.005 must fail; a
    change of 1e-6 relative must pass; the comparison says how many values it compared."""
    fig = {"data": [{"name": "ours", "type": "bar", "x": ["a", "b", "c"],
                     "y": [197.034, 175.7, 0.00123]},
                    {"name": "offline", "type": "bar", "x": ["a", "b", "c"],
                     "y": [215.9, 1.5e-7, 100.0]}],
           "layout": {"title": {"text": "throughput 19.483 Mb/slot"}}}
    mutated = copy.deepcopy(fig)
    mutated["data"][0]["y"] = [v * 1.005 for v in mutated["data"][0]["y"]]
    noisy = copy.deepcopy(fig)
    noisy["data"][1]["y"] = [v * (1 + 1e-6) for v in noisy["data"][1]["y"]]
    bad = nm.compare(fig, mutated)
    print(f"figure with one trace scaled by 1.005: {bad.summary(3)}")
    assert not bad.ok and bad.compared == 7
    assert nm.compare(fig, noisy).ok


def test_printed_numbers_allow_a_rounding_flip_only():
    assert nm.compare("mean 19.5 [19.4, 19.6]", "mean 19.4 [19.4, 19.6]").ok
    assert not nm.compare("mean 19.5 [19.4, 19.6]", "mean 19.7 [19.4, 19.6]").ok
    assert not nm.compare("1.97x", "1.98x 2.0").ok  # a float more: the structure differs
    assert nm.mask_floats("ratio 1.97x, 3 seeds, 1e-06") == "ratio FLOATx, 3 seeds, FLOAT"
