"""Tests of ``splitalloc.experiments.paper``: the paper's numbers beside ours and ``claims.csv``,
the one judge on (fake) results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from splitalloc import experiments as ex
from splitalloc.experiments import judge as J

ISSUE_COLUMNS = ["claim", "dataset", "verdict", "estimate", "ci_low", "ci_high", "paper_effect", "mde", "n_seeds",
                 "ci_method"]


def _verdicts(claims: pd.DataFrame) -> dict:
    return {(r.claim_no, r.dataset, r.baseline, r.part): r.verdict for r in claims.itertuples()}


def test_claims_csv_columns_every_claim_and_dataset(fake_results):
    out, res = fake_results
    claims = pd.read_csv(out / "tiny" / "claims.csv")
    claims[["part", "note", "ci_method"]] = claims[["part", "note", "ci_method"]].fillna("")
    assert list(claims.columns) == list(ex.paper.CLAIMS_COLUMNS)
    assert set(ISSUE_COLUMNS) <= set(claims.columns)
    assert set(claims["verdict"]) <= set(J.VERDICTS)
    run = claims[(claims["dataset"] != "all") & (claims["verdict"] != J.NOT_RUN)]
    assert (run["n_seeds"] == 3).all() and (run["ci_method"] == J.T_METHOD).all()
    assert (run["ci_low"] <= run["estimate"]).all() and (run["estimate"] <= run["ci_high"]).all()
    assert run["paper_effect"].notna().all() and (run["mde"] >= 0).all()
    for no in (2, 3, 4):
        assert {"geant", "kaggle", "all"} <= set(claims.loc[claims["claim_no"] == no, "dataset"])
    assert set(claims.loc[claims["claim_no"] == 5, "dataset"]) == {"kaggle - geant", "all"}
    # the equal-information row: claim 2 against the two-stage LSTM with fitted capacities, on both datasets
    eq = run[(run["claim_no"] == 2) & (run["baseline"] == "two-stage-fitted")]
    assert set(eq["dataset"]) == {"geant", "kaggle"} and eq["note"].str.contains("equal information").all()
    # fake runs: proposed 0.95 against LSTM 0.85 (baselines lose 3x faster with Sigma): claim 2 at
    # Table 4's size on GEANT, its per-seed slope positive
    v = _verdicts(claims)
    assert v[(2, "geant", "two-stage-lstm", "")] == J.REPRODUCED
    r4 = run[(run["claim_no"] == 4) & (run["dataset"] == "geant") & (run["baseline"] == "two-stage-lstm")].iloc[0]
    assert r4["estimate"] > 0
    # the returned frame is the written one
    num = ["claim_no", "estimate", "ci_low", "ci_high", "paper_effect", "mde", "n_seeds"]
    pd.testing.assert_frame_equal(res["claims"][num].reset_index(drop=True), claims[num], check_dtype=False)
    assert list(res["claims"]["verdict"]) == list(claims["verdict"])


def test_claims_follow_the_data(fake_results):
    _, res = fake_results
    flipped = {k: v.copy() for k, v in res.items() if k.startswith(("fig", "table"))}
    t4 = flipped["table4"]
    t4.loc[(t4["metric"] == "utility") & (t4["framework"] == "objective-driven"), "value"] -= 30.0
    for f in flipped.values():                     # proposed now far below the baselines, in every frame
        if "utility" in f.columns:
            f.loc[f["framework"] == "objective-driven", "utility"] -= 30.0
    f5 = flipped["fig5"]
    f5.loc[f5.framework == "non-splitting", "throughput"] *= 10
    _, claims = ex.compare_with_paper(flipped, sigma0=30.0, M0=100.0)
    v = _verdicts(claims)
    assert v[(1, "geant", "non-splitting", "")] == J.CONTRADICTED
    assert v[(2, "geant", "two-stage-lstm", "")] == J.CONTRADICTED


def test_claims_refuse_bad_input(fake_results):
    _, res = fake_results
    few = {k: v[v["seed"] < 2] for k, v in res.items() if k.startswith(("fig", "table"))}
    with pytest.raises(ValueError, match="at least 3 seeds, got 2"):
        ex.compare_with_paper(few, sigma0=30.0, M0=100.0)
    summ = ex.paper.claim_summaries({k: v for k, v in res.items() if k.startswith(("fig", "table"))})
    with pytest.raises(ValueError, match=r"lack column\(s\) \['accuracy'\]"):
        ex.paper.claims_frame(summ.drop(columns="accuracy"), paper=ex.paper_numbers(), sigma0=30.0, M0=100.0)
    nan = summ.copy()
    nan.loc[(nan["framework"] == "objective-driven") & (nan["seed"] == 0), "utility"] = np.nan
    with pytest.raises(ValueError, match="'utility' is NaN for 'objective-driven'"):
        ex.paper.claims_frame(nan, paper=ex.paper_numbers(), sigma0=30.0, M0=100.0)


def test_claim_summaries_one_row_per_real_run(fake_results):
    _, res = fake_results
    summ = ex.paper.claim_summaries({k: v for k, v in res.items() if k.startswith(("fig", "table"))})
    assert not summ.duplicated(list(ex.SPEC_COLUMNS)).any() and set(summ["data"]) == {"real"}
    f9 = res["fig9"]
    row = f9[(f9.framework == "objective-driven") & (f9.seed == 1) & (f9.Sigma == 30.0)].iloc[0]
    got = summ[(summ.dataset == "geant") & (summ.framework == "objective-driven") & (summ.seed == 1)
               & (summ.Sigma == 30.0) & (summ.M == row["M"])].iloc[0]
    assert got["utility"] == pytest.approx(row["utility"]) and got["accuracy"] == pytest.approx(row["accuracy"])


def test_comparison_rows_and_their_intervals(fake_results):
    _, res = fake_results
    side = res["comparison"]
    t4 = side[(side.artefact == "Table 4") & (side.metric == "utility")]
    assert len(t4) == 2 * 3 * 2  # datasets x paper frameworks x our Sigma values matching the paper
    row = t4[(t4.dataset == "TOTEM") & (t4.framework == "Proposed") & (t4.setting == "Sigma=0")].iloc[0]
    assert row["difference"] == pytest.approx(row["mean"] - 98.49)
    assert bool(row["comparable"])
    f5 = side[side.artefact == "Fig. 5"]
    assert not f5[f5.metric == "mean throughput"]["comparable"].any()
    # every interval is over seeds (no moving-block bootstrap in the comparison any more)
    fin = side[np.isfinite(side["ci95_low"])]
    assert len(fin) and (fin["ci_method"] == J.T_METHOD).all()
    imp = t4.iloc[0]
    vals = res["table4"].query("dataset == 'geant' and framework == 'objective-driven' and Sigma == 0.0 "
                               "and metric == 'utility'")["value"]
    iv = J.seed_interval(vals.to_numpy())
    assert (imp["ci95_low"], imp["ci95_high"]) == pytest.approx((iv.ci_low, iv.ci_high)) or imp.framework != "Proposed"


def test_paper_numbers_are_package_data():
    p = ex.paper_numbers()
    assert {"artefact", "dataset", "framework", "setting", "metric", "value"} <= set(p.columns)
    row = p[(p.artefact == "Table 4") & (p.dataset == "Kaggle") & (p.framework == "Proposed")
            & (p.setting == "Sigma=60")]
    assert row["value"].iloc[0] == pytest.approx(86.71)


def test_claims_from_fig9_alone(fake_results):
    _, res = fake_results
    _, claims = ex.compare_with_paper({"fig9": res["fig9"]}, sigma0=30.0, M0=100.0)
    v = _verdicts(claims)
    assert v[(2, "geant", "two-stage-lstm", "")] == J.REPRODUCED
    assert v[(1, "all", "non-splitting", "")] == J.NOT_RUN    # Fig. 5 not given
    assert set(claims["dataset"]) == {"geant", "all", "kaggle - geant"}


def test_comparison_artefact_reads_the_figures():
    art = ex.ARTEFACTS["comparison"]
    assert set(art.reads) == {"fig5", "fig6", "fig7", "fig8", "fig9", "fig10", "table4"}
    assert dict(art.files) == {"comparison": "comparison", "claims": "claims"}
    with pytest.raises(ValueError, match="produce it with reproduce"):
        ex.produce(art, scale="quick")
