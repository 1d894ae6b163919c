"""splitalloc.data.geant_week: the 677-slot GEANT week (DOTE/FIGRET ``.hist``) against
``geant-tm-week/SOURCE.md``, its pinned registry entry and download, and every malformed week
file on small files written here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from splitalloc import config, data
from splitalloc.data import DataFormatError, DataNotFoundError

def test_geant_week_matches_source_md(data_dir):
    tm = data.load_geant_traffic("week", data_dir)
    assert tm.shape == (677, 22 * 22) and tm.attrs["dataset"] == "geant"
    assert (np.diff(tm.index) == pd.Timedelta(minutes=15)).all()
    nodes = list(tm.columns.get_level_values("source").unique())
    assert nodes == sorted(nodes) == list(config.value("geant_week_node_order"))   # the assumption
    m = tm.to_numpy().reshape(677, 22, 22)
    assert (m >= 0).all() and (np.einsum("tii->ti", m) == 0).all()                 # diagonal 0
    total = tm.sum(axis=1)
    assert total.mean() == pytest.approx(43_600, rel=2e-3)                         # 4.36e10 bit/s
    assert total.min() == pytest.approx(30_700, rel=2e-3)                          # 3.07e10 bit/s
    assert tm.to_numpy().max() == pytest.approx(8290, rel=2e-3)                    # 8.29e9 bit/s
    x = total.to_numpy() - total.mean()                        # sample autocorrelation (global mean)
    lag = lambda k: (x[k:] * x[:-k]).sum() / (x * x).sum()
    assert lag(1) == pytest.approx(0.98, abs=0.005) and lag(96) == pytest.approx(0.64, abs=0.005)
    src = tm.T.groupby(level="source").sum().T.mean()
    assert src.idxmin() == "sk1.sk" and src.min() == pytest.approx(57, abs=0.5)     # SOURCE.md
    assert src.idxmax() == "ch1.ch" and src.max() == pytest.approx(6370, abs=0.5)
    assert "assumed" in tm.attrs["node_order"] and "nominal" in tm.attrs["calendar"]
    (path, digest), = tm.attrs["files"].items()
    assert path.endswith(data.GEANT_TM_WEEK) and digest == data.load_registry()[data.GEANT_TM_WEEK].sha256


def test_week_registry_entry_is_pinned_to_the_figret_commit():
    entry = data.load_registry()[data.GEANT_TM_WEEK]
    assert entry.sha256 == "b6f8d5df18505386cf3ecdf4c89459945211b6e02c7f4aaa3bb506d523e8dfca"
    assert entry.url == ("https://raw.githubusercontent.com/FIGRET/figret/"
                         "5e117d840cb9bd2875f6ed9779767e8785b1a869/Data/GEANT/test/7.hist")


def _write_hist(path: Path, rows) -> Path:
    path.write_text("\n".join(" ".join(repr(float(v)) for v in r) for r in rows) + "\n")
    return path


def test_small_week_file_parses(tmp_path):
    nodes = ("a", "b", "c")
    rows = [np.arange(9) * 1e6 * (t + 1) for t in range(4)]
    tm = data.read_week_hist(_write_hist(tmp_path / "w.hist", rows), node_ids=nodes, start="2020-01-01")
    assert tm.shape == (4, 9) and tm.index[1] == pd.Timestamp("2020-01-01 00:15")
    assert tm.loc[tm.index[0], ("b", "c")] == 5.0            # row-major M[src, dst], bit/s -> Mbit/s
    assert tm.loc[tm.index[3], ("c", "a")] == 24.0


@pytest.mark.parametrize("text, match", [
    ("1 2 3\n", r"line 1 has 3 values, expected 4"),
    ("1 2 3 x\n", r"line 1: 'x' is not a number"),
    ("1 2 3 4\n1 -2 3 4\n", r"line 2: negative value -2"),
    ("1 2 3 nan\n", r"line 1: non-finite"),
    ("\n", r"empty file"),
])
def test_bad_week_file_names_line_and_problem(tmp_path, text, match):
    p = tmp_path / "bad.hist"
    p.write_text(text)
    with pytest.raises(DataFormatError, match=match):
        data.read_week_hist(p, node_ids=("a", "b"))
    with pytest.raises(DataNotFoundError, match="does not exist"):
        data.read_week_hist(tmp_path / "nope.hist", node_ids=("a", "b"))


def test_week_missing_from_data_dir_says_how_to_get_it(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"geant-15min-week\.hist is missing.*FIGRET"):
        data.load_geant_traffic("week", tmp_path)


def test_week_download_is_checked_against_the_registry(no_data_env, fake_pooch):
    tm = data.load_geant_traffic("week")
    assert tm.shape == (677, 484)
    (url, known), = fake_pooch
    assert "FIGRET/figret/5e117d8" in url and known == f"sha256:{data.load_registry()[data.GEANT_TM_WEEK].sha256}"
