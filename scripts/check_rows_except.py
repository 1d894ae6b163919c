"""Compare the rows of every quick table that do not belong to some datasets with the stored
reference (tests/reference/quick/), with the tolerance of tests/numbers_match.py.

Usage: python scripts/check_rows_except.py RESULTS_DIR [--except kaggle,Kaggle]

A change that must leave some datasets' numbers alone (the Kaggle rolling origin leaves GEANT
alone) is checked with it before the reference tables are re-stored. Tables without a
``dataset`` column are reported as not comparable row by row.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_reference_results import compare_tables  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("results", type=Path, help="results directory holding quick/*.csv")
    ap.add_argument("--except", dest="skip", default="kaggle,Kaggle", help="datasets to leave out")
    args = ap.parse_args()
    skip = set(args.skip.split(","))
    bad = 0
    for ref_path in sorted((ROOT / "tests" / "reference" / "quick").glob("*.csv")):
        new_path = args.results / "quick" / ref_path.name
        if not new_path.exists():
            print(f"{ref_path.name}: MISSING in {new_path.parent}")
            bad += 1
            continue
        ref, new = pd.read_csv(ref_path), pd.read_csv(new_path)
        if "dataset" not in ref.columns:
            same = compare_tables(ref, new, ref_path.name).ok
            print(f"{ref_path.name}: no dataset column; whole table {'matches' if same else 'differs'}")
            continue
        ref = ref[~ref["dataset"].isin(skip)].reset_index(drop=True)
        new = new[~new["dataset"].isin(skip)].reset_index(drop=True)
        res = compare_tables(ref, new, ref_path.name)
        print(f"{ref_path.name}: {len(ref)} rows without {sorted(skip)}: "
              + ("match" if res.ok else "DIFFER\n  " + res.summary(5).replace("\n", "\n  ")))
        bad += not res.ok
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
