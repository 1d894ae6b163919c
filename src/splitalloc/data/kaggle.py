"""Kaggle "Computer Network Traffic" (dataset ``"kaggle"``): daily flows per workstation and remote AS.

The file ``<data dir>/kaggle-computer-network-traffic/cs448b_ipasn.csv`` (Kaggle
``crawford/computer-network-traffic``, Stanford CS448B; see that folder's ``SOURCE.md``): 20,803
rows ``date,l_ipn,r_asn,f`` over 92 days (2006-07-01 to 09-30), 10 workstations. The paper's
Fig. 10 uses this dataset (§V-A, "700 slots", construction unknown); here one slot is one day.
It needs a Kaggle login, so it is never downloaded: it must be in the data directory.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from .files import KAGGLE_CSV, DataFormatError, DataNotFoundError, resolve

#: The columns of ``cs448b_ipasn.csv``, in order.
KAGGLE_COLUMNS = ("date", "l_ipn", "r_asn", "f")


def read_kaggle_csv(path, *, sha256: str | None = None) -> pd.DataFrame:
    """Parse ``cs448b_ipasn.csv``: columns exactly ``date,l_ipn,r_asn,f``, typed and validated.

    ``date`` -> datetime64 (``YYYY-MM-DD``), ``l_ipn`` (workstation), ``r_asn`` (remote AS)
    and ``f`` (flows that day) -> int64, all >= 0.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"Kaggle file {path} does not exist")
    try:
        with open(path, newline="", encoding="utf-8") as fh:   # ragged rows: pandas would shift them
            for lineno, row in enumerate(csv.reader(fh), 1):
                if lineno == 1:
                    width = len(row)
                elif row and len(row) != width:
                    raise DataFormatError(f"{path}: malformed CSV: line {lineno} has {len(row)} fields, "
                                          f"the header has {width}")
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, csv.Error) as exc:
        raise DataFormatError(f"{path}: malformed CSV ({exc})") from None
    if tuple(raw.columns) != KAGGLE_COLUMNS:
        raise DataFormatError(f"{path}: columns are {list(raw.columns)}, expected {list(KAGGLE_COLUMNS)}")
    if raw.empty:
        raise DataFormatError(f"{path}: no data rows")
    out = pd.DataFrame(index=raw.index)
    dates = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        i = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise DataFormatError(f"{path}: row {i + 2}: date {raw['date'].iloc[i]!r} is not YYYY-MM-DD")
    out["date"] = dates.astype("datetime64[ns]")
    for col in KAGGLE_COLUMNS[1:]:
        num = pd.to_numeric(raw[col], errors="coerce")
        bad = num.isna() | ~np.isfinite(num.astype(float))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFormatError(f"{path}: row {i + 2}: {col} = {raw[col].iloc[i]!r} is not a finite number")
        if (num < 0).any():
            i = int(np.flatnonzero((num < 0).to_numpy())[0])
            raise DataFormatError(f"{path}: row {i + 2}: {col} = {raw[col].iloc[i]} is negative")
        if (num != np.floor(num)).any():
            i = int(np.flatnonzero((num != np.floor(num)).to_numpy())[0])
            raise DataFormatError(f"{path}: row {i + 2}: {col} = {raw[col].iloc[i]} is not an integer")
        out[col] = num.astype(np.int64)
    out.attrs.update({"dataset": "kaggle", "source_file": str(path), "sha256": sha256,
                      "files": {str(path): sha256}, "unit": "f = flows per day"})
    return out


def load_kaggle(data_dir=None) -> pd.DataFrame:
    """Kaggle "Computer Network Traffic" (``cs448b_ipasn.csv``), typed rows, sha256-checked."""
    path, digest = resolve(KAGGLE_CSV, data_dir)
    return read_kaggle_csv(path, sha256=digest)
