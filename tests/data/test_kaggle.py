"""splitalloc.data.kaggle: ``cs448b_ipasn.csv`` against its SOURCE.md, and every malformed CSV
(wrong columns, negative, non-finite or non-integer values, ragged rows) on small files written here."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from splitalloc import data
from splitalloc.data import DataFormatError, DataHashError

def test_kaggle_matches_source_md(kaggle):
    kg = kaggle
    assert list(kg.columns) == ["date", "l_ipn", "r_asn", "f"]
    assert str(kg["date"].dtype).startswith("datetime64")
    assert all(kg[c].dtype == np.int64 for c in ("l_ipn", "r_asn", "f"))
    assert len(kg) == 20803 and int(kg["f"].sum()) == 1953698
    assert kg["date"].nunique() == 92
    assert kg["date"].min() == pd.Timestamp("2006-07-01") and kg["date"].max() == pd.Timestamp("2006-09-30")
    assert sorted(kg["l_ipn"].unique()) == list(range(10)) and kg["r_asn"].nunique() == 2005
    daily = kg.groupby("date")["f"].sum()
    assert daily.min() == 2706 and daily.max() == 788297 and daily.mean() == pytest.approx(21235.8, abs=0.05)
    grid = kg.pivot_table(index="date", columns="l_ipn", values="f", aggfunc="sum", fill_value=0)
    assert int((grid.to_numpy() == 0).sum()) == 73


_CSV_OK = "date,l_ipn,r_asn,f\n2006-07-01,0,701,1\n2006-07-01,1,714,3\n2006-07-02,0,701,2\n"


def test_small_kaggle_csv_parses(tmp_path):
    p = tmp_path / "k.csv"
    p.write_text(_CSV_OK)
    kg = data.read_kaggle_csv(p)
    assert len(kg) == 3 and kg["f"].tolist() == [1, 3, 2] and kg["f"].dtype == np.int64
    assert kg["date"].iloc[2] == pd.Timestamp("2006-07-02")


@pytest.mark.parametrize("text, match", [
    ("date,l_ipn,Bytes,Time\n2006-07-01,0,701,1\n", "columns are"),
    ("date,l_ipn,r_asn\n2006-07-01,0,701\n", "columns are"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,-4\n", "row 2: f = -4 is negative"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,1\n2006-07-01,0,702,inf\n", "row 3: f = 'inf' is not a finite"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,nan\n", "not a finite number"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,\n", "not a finite number"),
    ("date,l_ipn,r_asn,f\n2006-07-01,zero,701,1\n", "l_ipn = 'zero'"),
    ("date,l_ipn,r_asn,f\n07/01/2006,0,701,1\n", "is not YYYY-MM-DD"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,1.5\n", "not an integer"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,1,9,9\n", "malformed CSV"),
    ("", "malformed CSV"),
    ("date,l_ipn,r_asn,f\n", "no data rows"),
])
def test_bad_kaggle_csv_names_file_and_problem(tmp_path, text, match):
    p = tmp_path / "cs448b_ipasn.csv"
    p.write_text(text)
    with pytest.raises(DataFormatError, match=match) as err:
        data.read_kaggle_csv(p)
    assert str(p) in str(err.value)


def test_corrupt_copy_in_data_dir_is_caught_by_hash(tmp_path, data_dir):
    """A malformed Kaggle file placed where the real one belongs fails loudly (hash first)."""
    target = tmp_path / data.KAGGLE_CSV
    target.parent.mkdir(parents=True)
    shutil.copy(data_dir / data.KAGGLE_CSV, target)
    with open(target, "a") as fh:
        fh.write("2006-10-01,0,701,-1\n")
    with pytest.raises(DataHashError, match="cs448b_ipasn.csv"):
        data.load_kaggle(tmp_path)
