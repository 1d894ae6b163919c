"""Fixtures of the ``splitalloc.experiments`` tests: one fake reproduction at the tiny scale,
shared by every module (its runs are the deterministic ``experiment_fakes.fake_run``)."""

from __future__ import annotations

import pytest

from splitalloc import experiments as ex

from experiment_fakes import TINY, fake_evaluate, fake_forecasts, fake_run


@pytest.fixture(scope="session")
def fake_results(tmp_path_factory):
    """``(out_dir, results)`` of ``reproduce`` at the tiny scale with three seeds, fake runs and a
    fake calibration candidate (:func:`experiment_fakes.fake_evaluate`)."""
    out = tmp_path_factory.mktemp("fake_results")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ex.runs, "_real_length", lambda dataset: 100)
        # the calibration without forecasters or LP solves (its machinery runs as it is)
        mp.setattr(ex.calibration, "load_forecasts", fake_forecasts)
        mp.setattr(ex.calibration, "evaluate_candidate", fake_evaluate)
        res = ex.reproduce(TINY.replace(seeds=(0, 1, 2)), workers=1, out_dir=out, progress=False,
                           run_fn=fake_run)
    return out, res


@pytest.fixture()
def fake_lengths(monkeypatch):
    """Every real series 100 slots long (validation without loading data)."""
    monkeypatch.setattr(ex.runs, "_real_length", lambda dataset: 100)
