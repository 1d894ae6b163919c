"""Tests of ``splitalloc.experiments.regime``: the offline optimum's admitted fractions."""

from __future__ import annotations

import pandas as pd

from splitalloc import experiments as ex
from splitalloc.experiments import regime


def test_admitted_fractions_of_every_offline_run(fake_results):
    out, res = fake_results
    adm = res["admitted"]
    assert set(adm["dataset"]) == set(regime.REGIME_DATASETS)
    # the fake offline run serves (and reserves) all arrivals
    assert (adm["admitted"] == 1.0).all()
    geant = adm[adm["dataset"] == "geant"]
    assert set(geant["M"]) == {100.0, 60.0} and set(geant[geant["default_point"]]["M"]) == {100.0}
    pd.testing.assert_frame_equal(adm, pd.read_csv(out / "tiny" / "admitted.csv"))
    s = ex.admitted_summary(adm)
    assert (s["mean"] == 100.0).all() and set(s["dataset"]) == set(regime.REGIME_DATASETS)
