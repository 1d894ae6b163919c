"""Tests of ``splitalloc.experiments.splitting``: Fig. 5."""

from __future__ import annotations

from splitalloc import experiments as ex


def test_fig5_labels_the_deployment(fake_results):
    out, res = fake_results
    f5 = res["fig5"]
    assert set(f5.loc[f5["framework"] == "non-splitting", "deployment"]) == {"non-splitting"}
    assert set(f5.loc[f5["framework"] != "non-splitting", "deployment"]) == {"splitting"}
    assert list(f5.columns[f5.columns.get_loc("framework"):][:3]) == ["framework", "label", "deployment"]
    assert len(f5) == 3 * len({s.framework for s in ex.all_specs("quick", only=["fig5"])})
    assert (out / "tiny" / "fig5_splitting.csv").exists()
