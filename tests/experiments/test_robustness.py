"""Tests of ``splitalloc.experiments.robustness``: the grid of verdicts, its seed rule, what each
verdict hinges on, and its figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from splitalloc import config
from splitalloc import experiments as ex
from splitalloc.experiments import robustness
from splitalloc.experiments import judge as J
from splitalloc.experiments.judge import CONTRADICTED, INCONCLUSIVE, NOT_COMPARABLE, REPRODUCED


def test_robustness_csv_has_every_claim_x_value_row(fake_results):
    out, res = fake_results
    grid = pd.read_csv(out / "tiny" / "robustness.csv")
    assert tuple(grid.columns) == ex.ROBUSTNESS_COLUMNS
    n_values = sum(len(v) for v in ex.AXES.values())
    assert len(grid) == len(ex.CLAIMS) * n_values == robustness.expected_rows() == 70
    assert not grid.duplicated(["claim", "axis", "value"]).any()
    assert set(grid["claim"]) == {c.key for c in ex.CLAIMS}
    assert set(grid["verdict"]) <= set(ex.VERDICTS)
    for axis, values in ex.AXES.items():
        assert set(grid[grid.axis == axis]["value"]) == set(values)
    # the default cell is the same runs on every axis: same estimate for a claim
    d = grid[grid.is_default]
    assert (d.groupby("claim")["estimate"].nunique(dropna=False) == 1).all()
    # the fake proposed framework beats the LSTM by about 17.5 pp at Sigma = 30 (0.95 - 0.015 - 0.85
    # + 0.09): at least half the paper's Table 4 mean; its gain grows with Sigma
    dflt = d.drop_duplicates("claim").set_index("claim")
    assert dflt.loc["beats-baselines", "verdict"] == REPRODUCED
    assert dflt.loc["beats-baselines", "estimate"] == pytest.approx(17.5, abs=1.0)
    assert dflt.loc["grows-with-sigma", "estimate"] > 0
    # every verdict is the judge's classification of its row's interval (one rule)
    for r in grid.itertuples():
        if np.isfinite(r.ci_low) and r.claim != "accuracy-paradox":
            iv = J.SeedInterval(r.estimate, r.ci_low, r.ci_high, float("nan"), r.mde, int(r.n_seeds))
            assert r.verdict == J.classify(iv, r.paper_effect, r.side), r
    assert (grid.loc[grid["verdict"] != J.NOT_RUN, "ci_method"] == J.T_METHOD).all()
    # the headline claims carry the same words
    assert set(res["claims"]["verdict"]) <= set(ex.VERDICTS)


def test_grid_seed_rule_keeps_fewer_seeds_in_its_own_cells_at_the_paper_scale():
    """The headline figures run every seed of the scale (10 at the paper scale); the grid's
    cells that are not the headline's run ``robustness_n_seeds`` (5): the artefact's seed rule."""
    paper = ex.get_scale("paper")
    n_grid = int(config.value("robustness_n_seeds"))
    assert n_grid < len(paper.seeds)
    rule = ex.ARTEFACTS["robustness"].seed_rule
    assert rule is robustness.grid_seeds
    assert rule(paper, paper.seeds) == paper.seeds[:n_grid]
    assert rule(paper, (7, 8)) == (7, 8)          # seeds asked for: every cell runs them
    for cell in robustness.cells(paper):
        main, other = robustness.cell_specs(paper, cell, paper.seeds)
        seeds = {s.seed for s in main + other}
        assert seeds == set(paper.seeds if robustness.headline_cell(cell) else paper.seeds[:n_grid]), cell


def test_hinges_lists_the_values_that_flip_a_verdict(fake_results):
    _, res = fake_results
    grid = res["robustness"].copy()
    row = (grid.claim == "beats-baselines") & (grid.axis == "information") & (grid.value == "true")
    grid.loc[row, "verdict"] = CONTRADICTED
    h = robustness.hinges(grid).set_index("claim")
    text = h.loc[ex.claims.CLAIM_BY_KEY["beats-baselines"].text, "decided otherwise under"]
    assert text == f"information = true: {CONTRADICTED}"
    grid.loc[row, "verdict"] = NOT_COMPARABLE
    h = robustness.hinges(grid).set_index("claim")
    row2 = h.loc[ex.claims.CLAIM_BY_KEY["beats-baselines"].text]
    assert row2["decided otherwise under"] == "no tested assumption"
    assert row2["undecided under"].startswith(f"information = true: {NOT_COMPARABLE} (3 seeds)")
    assert len(h) == len(ex.CLAIMS)


def test_verdict_changes_and_read_grid(fake_results):
    out, res = fake_results
    grid = robustness.read_grid(out, "tiny")
    pd.testing.assert_frame_equal(grid, pd.read_csv(out / "tiny" / "robustness.csv"))
    assert robustness.read_grid(out, "nope") is None
    quick = grid.copy()
    quick.loc[0, "verdict"] = INCONCLUSIVE if grid.loc[0, "verdict"] != INCONCLUSIVE else REPRODUCED
    changes = ex.verdict_changes(grid, quick)
    assert changes.loc[0, "quick_verdict"] == quick.loc[0, "verdict"] and (changes["quick_verdict"][1:] == "").all()
    assert (ex.verdict_changes(grid, None)["quick_verdict"] == "").all()


def test_robustness_figures(fake_results):
    from splitalloc.plots import robustness as plots_robustness

    out, res = fake_results
    grid = res["robustness"]
    fig = plots_robustness.robustness_heatmap(grid)
    assert fig.layout.title.text and fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    hm = fig.data[0]
    assert len(hm.z) == len(ex.CLAIMS) and len(hm.z[0]) == sum(len(v) for v in ex.AXES.values())
    assert {t for row in hm.text for t in row} <= set(ex.VERDICTS)
    quick = grid.copy()
    quick.loc[0, "verdict"] = INCONCLUSIVE if grid.loc[0, "verdict"] != INCONCLUSIVE else REPRODUCED
    html = plots_robustness.robustness_styled(grid, quick).to_html()
    assert "quick scale (if different)" in html
    with pytest.raises(ValueError, match="lacks columns"):
        plots_robustness.robustness_heatmap(grid.drop(columns=["verdict"]))
    caps = pd.DataFrame({"framework": "objective-driven", "Sigma": [0.0, 0.0, 30.0, 30.0], "seed": 0,
                         "kind": ["server", "link", "server", "link"], "used": True,
                         "err_estimate": [1.0, 2.0, 3.0, 4.0], "err_mean": [2.0, 2.0, 2.0, 2.0]})
    cf = plots_robustness.capacity_error_figure(caps)
    assert "units/slot" in cf.layout.xaxis.title.text and len(cf.data) == 6
    with pytest.raises(ValueError, match="no used resources"):
        plots_robustness.capacity_error_figure(caps, framework="two-stage-fitted")
