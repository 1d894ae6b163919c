"""Tests of the one judge (issue 16): the t-interval over seeds and its coverage, the MDE, each
classification boundary, the per-seed statistics on hand-made frames, the paper's effects as
derived from the reported numbers, and the errors on bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st
from scipy import stats

from splitalloc.experiments import judge as J

PAPER = J.read_paper_numbers()


def iv(est, lo, hi, mde=1.0, n=10):
    return J.SeedInterval(est, lo, hi, se=float("nan"), mde=mde, n=n)


# ------------------------------------------------------------------ verdict classes

def test_verdict_classes_defined_once_with_a_definition_each():
    assert J.VERDICTS == (J.REPRODUCED, J.SMALLER, J.NOT_COMPARABLE, J.INCONCLUSIVE, J.CONTRADICTED,
                          J.MIXED, J.FITTED, J.NOT_RUN)
    assert (J.REPRODUCED, J.SMALLER, J.CONTRADICTED, J.NOT_COMPARABLE, J.INCONCLUSIVE, J.MIXED, J.NOT_RUN,
            J.FITTED) == ("reproduced", "smaller than reported", "contradicted", "not comparable", "inconclusive",
                          "mixed", "not run", "fitted, not tested")
    assert set(J.VERDICT_DEFINITIONS) == set(J.VERDICTS)
    assert all(isinstance(v, str) and "\n" not in v and v for v in J.VERDICT_DEFINITIONS.values())


# ------------------------------------------------------------------ the interval over seeds

def test_seed_interval_matches_scipy():
    x = np.array([1.2, 0.4, 2.9, 1.7, 0.8, 1.1, 2.2])
    r = J.seed_interval(x)
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (r.estimate, r.n) == (pytest.approx(x.mean()), 7)
    assert r.se == pytest.approx(stats.sem(x))
    assert (r.ci_low, r.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    assert r.mde == pytest.approx((stats.t.ppf(0.975, 6) + stats.t.ppf(0.80, 6)) * stats.sem(x))
    assert "t over seeds" in r.ci_method
    r90 = J.seed_interval(x, level=0.90, power=0.90)
    assert r90.ci_high - r90.ci_low < r.ci_high - r.ci_low
    assert r90.mde == pytest.approx((stats.t.ppf(0.95, 6) + stats.t.ppf(0.90, 6)) * stats.sem(x))


@pytest.mark.parametrize("n", [10, 30])
def test_mde_has_about_80_percent_power(n):
    """At a true effect of one MDE a two-sided 5 % t-test rejects with probability ~0.80 (exact
    power from the noncentral t)."""
    df = n - 1
    crit, delta = stats.t.ppf(0.975, df), stats.t.ppf(0.975, df) + stats.t.ppf(0.80, df)
    power = stats.nct.sf(crit, df, delta) + stats.nct.cdf(-crit, df, delta)
    assert 0.79 < power < 0.81


def test_seed_interval_batch_equals_one_at_a_time():
    x = np.random.default_rng(3).normal(size=(4, 6))
    b = J.seed_interval(x)
    for i in range(4):
        one = J.seed_interval(x[i])
        assert (b.estimate[i], b.ci_low[i], b.ci_high[i], b.mde[i]) == pytest.approx(
            (one.estimate, one.ci_low, one.ci_high, one.mde))


@pytest.mark.parametrize("values, words", [
    ([1.0, 2.0], "at least 3 seeds, got 2"),
    ([], "at least 3 seeds, got 0"),
    ([1.0, np.nan, 2.0, 3.0], "1 NaN"),
    ([1.0, np.inf, 2.0, 3.0], "1 infinite"),
    ([[[1.0, 2.0, 3.0]]], "1-D"),
])
def test_seed_interval_bad_input(values, words):
    with pytest.raises(ValueError, match=words):
        J.seed_interval(values)


# ------------------------------------------------------------------ coverage

def test_coverage_of_our_interval_within_93_to_97_percent():
    passed, cov = J.coverage_check(J.seed_interval, n=10, reps=10000)
    print(f"\ncoverage at n = 10 (10,000 replications): {cov}")
    assert passed, cov
    assert set(cov) == {"normal", "t3"}
    passed_2000, cov_2000 = J.coverage_check(J.seed_interval, n=10, reps=2000)
    assert passed_2000, cov_2000


def test_a_20_percent_narrower_interval_fails_the_check():
    bad = J.narrowed(J.seed_interval, 0.8)
    passed, cov = J.coverage_check(bad, n=10, reps=10000)
    print(f"\nnarrowed by 20 %: {cov}")
    assert not passed
    assert all(c < 0.93 for c in cov.values()), cov
    assert not J.coverage_check(bad, n=10, reps=2000)[0]


def test_skewed_coverage_is_reported():
    c = J.skewed_coverage(n=10)
    print(f"\nlognormal(0, 1), n = 10: coverage {c:.4f}")
    assert c == J.interval_coverage(J.seed_interval, "lognormal", n=10, reps=10000, seed=0)
    assert 0.0 < c < 1.0


# ------------------------------------------------------------------ classification boundaries

@pytest.mark.parametrize("interval, effect, side, expected", [
    (iv(5.0, 0.1, 9.9), 10.0, "above", J.REPRODUCED),            # exactly half: reproduced
    (iv(4.999, 0.1, 9.9), 10.0, "above", J.SMALLER),
    (iv(30.0, 20.0, 40.0), 10.0, "above", J.REPRODUCED),         # larger than the paper's
    (iv(0.5, 0.0, 1.0, mde=0.5), 10.0, "above", J.INCONCLUSIVE),  # low bound at 0: contains 0
    (iv(-0.5, -1.0, 0.0, mde=0.5), 10.0, "above", J.INCONCLUSIVE),
    (iv(-0.5, -1.0, -1e-9), 10.0, "above", J.CONTRADICTED),
    (iv(0.0, -1.0, 1.0, mde=10.0), 10.0, "above", J.INCONCLUSIVE),  # MDE equal: still detectable
    (iv(0.0, -1.0, 1.0, mde=10.01), 10.0, "above", J.NOT_COMPARABLE),
    (iv(-3.5, -5.0, -2.0), -7.0, "below", J.REPRODUCED),         # claim of "lower"
    (iv(-3.4, -5.0, -2.0), -7.0, "below", J.SMALLER),
    (iv(2.0, 1.0, 3.0), -7.0, "below", J.CONTRADICTED),
    (iv(0.0, -1.0, 1.0, mde=8.0), -7.0, "below", J.NOT_COMPARABLE),
    (iv(0.0, -1.0, 1.0, mde=6.0), -7.0, "below", J.INCONCLUSIVE),
])
def test_classify_boundaries(interval, effect, side, expected):
    assert J.classify(interval, effect, side) == expected


@given(est=st.floats(-50, 50), half=st.floats(0, 20), mde=st.floats(0, 40), effect=st.floats(0.01, 30))
def test_classify_below_mirrors_above(est, half, mde, effect):
    up = iv(est, est - half, est + half, mde=mde)
    down = iv(-est, -est - half, -est + half, mde=mde)
    assert J.classify(down, -effect, "below") == J.classify(up, effect, "above")
    assert J.classify(up, effect) in J.SEVERITY


@pytest.mark.parametrize("effect, side", [(-1.0, "above"), (1.0, "below"), (0.0, "above"), (np.nan, "above"),
                                          (1.0, "sideways")])
def test_classify_rejects_an_effect_off_the_claimed_side(effect, side):
    with pytest.raises(ValueError):
        J.classify(iv(1.0, 0.5, 1.5), effect, side)


def test_worse_of_and_combine_datasets():
    assert J.worse_of([J.REPRODUCED, J.SMALLER]) == J.SMALLER
    assert J.worse_of([J.NOT_COMPARABLE, J.INCONCLUSIVE]) == J.INCONCLUSIVE
    assert J.worse_of([J.CONTRADICTED, J.REPRODUCED]) == J.CONTRADICTED
    assert J.worse_of([J.REPRODUCED, J.NOT_RUN]) == J.NOT_RUN
    with pytest.raises(ValueError, match="classes"):
        J.worse_of([J.MIXED, J.REPRODUCED])
    assert J.combine_datasets([J.REPRODUCED, J.REPRODUCED]) == J.REPRODUCED
    assert J.combine_datasets([J.REPRODUCED, J.SMALLER]) == J.MIXED
    assert J.combine_datasets([J.REPRODUCED, J.NOT_RUN]) == J.REPRODUCED
    assert J.combine_datasets([J.NOT_RUN, J.NOT_RUN]) == J.NOT_RUN
    assert J.combine_datasets([]) == J.NOT_RUN


# ------------------------------------------------------------------ the paper's effects

def test_paper_effects_derived_from_the_reported_numbers():
    t4 = PAPER[(PAPER["artefact"] == "Table 4") & (PAPER["metric"] == "utility improvement")]
    for (ds, fw), g in t4.groupby(["dataset", "framework"]):
        ours = "geant" if ds == "TOTEM" else "kaggle"
        base = "two-stage-lstm" if fw.endswith("vs LSTM") else "two-stage-bilstm"
        sig = g["setting"].str.split("=").str[1].astype(float)
        assert J.paper_effect(PAPER, 2, dataset=ours, baseline=base) == pytest.approx(g["value"].mean())
        assert J.paper_effect(PAPER, 4, dataset=ours, baseline=base) == pytest.approx(
            10 * stats.linregress(sig, g["value"]).slope)
    slope = {(d, b): round(J.paper_effect(PAPER, 4, dataset=d, baseline=b), 2)
             for d in ("geant", "kaggle") for b in ("two-stage-lstm", "two-stage-bilstm")}
    assert slope == {("geant", "two-stage-lstm"): 2.54, ("geant", "two-stage-bilstm"): 2.35,
                     ("kaggle", "two-stage-lstm"): 3.30, ("kaggle", "two-stage-bilstm"): 3.15}
    assert round(J.paper_effect(PAPER, 5, baseline="two-stage-lstm"), 2) == 4.62
    assert round(J.paper_effect(PAPER, 5, baseline="two-stage-bilstm"), 2) == 4.81
    assert np.exp(J.paper_effect(PAPER, 1)) == pytest.approx(289.5 / 68.81)
    assert np.exp(J.paper_effect(PAPER, 1) / 2) == pytest.approx(np.sqrt(289.5 / 68.81))
    assert J.paper_effect(PAPER, 3, baseline="two-stage-lstm", part="accuracy") == pytest.approx(90.92 - 98.27)
    assert J.paper_effect(PAPER, 3, baseline="two-stage-bilstm", part="throughput", sigma0=30) == pytest.approx(
        96.09 * (1 - 256.61 / 289.5))
    # at our Sigma points when the paper has them all; a borrowed effect for baselines it lacks
    assert J.paper_effect(PAPER, 2, dataset="geant", sigmas=[0, 30, 60]) == pytest.approx((2.07 + 10.25 + 18.4) / 3)
    assert J.paper_effect(PAPER, 2, dataset="geant", sigmas=[0, 25]) == pytest.approx(69.82 / 7)
    assert J.paper_effect(PAPER, 2, baseline="two-stage-persistence") == J.paper_effect(PAPER, 2)


def test_fig5_non_splitting_row_found_under_either_label():
    fixed = PAPER.copy()
    fixed.loc[fixed["framework"] == "Proposed, non-splitting", "framework"] = "LSTM, non-splitting"
    assert J.paper_effect(fixed, 1) == J.paper_effect(PAPER, 1)
    with pytest.raises(ValueError, match="Fig. 5"):
        J.paper_effect(PAPER[PAPER["artefact"] != "Fig. 5"], 1)


def test_paper_effects_table_lists_every_claim():
    t = J.paper_effects_table(PAPER)
    assert set(t["claim_no"]) == {1, 2, 3, 4, 5}
    assert t["paper_effect"].notna().all()


# ------------------------------------------------------------------ per-seed statistics

def frame(rows):
    return pd.DataFrame(rows, columns=["dataset", "framework", "seed", "Sigma", "M", "utility", "accuracy",
                                       "throughput"])


def test_slope_of_exactly_0_3_pp_per_unit_of_sigma():
    rows = []
    for s in range(4):
        for sig in (0.0, 20.0, 30.0, 60.0):
            base = 90 - 0.2 * sig + s
            rows += [("geant", "two-stage-lstm", s, sig, 100, base, 0.9, 1.0),
                     ("geant", "objective-driven", s, sig, 100, base + 2 + 0.3 * sig + 0.01 * s, 0.9, 1.0)]
    f = frame(rows)
    slope = J.improvement_slope(f, baseline="two-stage-lstm")
    assert slope.to_numpy() == pytest.approx(np.full(4, 3.0))
    imp = J.mean_improvement(f, baseline="two-stage-lstm")
    assert imp.to_numpy() == pytest.approx(2 + 0.3 * 27.5 + 0.01 * np.arange(4))


def test_log_ratio_paired_difference_and_dataset_gap():
    rows = []
    for ds, gain in (("geant", 5.0), ("kaggle", 8.0)):
        for s in range(3 if ds == "geant" else 4):
            rows += [(ds, "objective-driven", s, 30.0, 100, 90 + gain + s, 0.80 - 0.01 * s, 4.0 * (s + 1)),
                     (ds, "two-stage-lstm", s, 30.0, 100, 90.0, 0.85, 2.0),
                     (ds, "non-splitting", s, 30.0, 100, 20.0, np.nan, float(s + 1))]
    f = frame(rows)
    g = f[f["dataset"] == "geant"]
    assert J.splitting_log_ratio(g).to_numpy() == pytest.approx(np.log(4.0) * np.ones(3))
    acc = J.paired_difference(g, od="objective-driven", baseline="two-stage-lstm", metric="accuracy", scale=100)
    assert acc.to_numpy() == pytest.approx([-5.0, -6.0, -7.0])
    gap = J.dataset_gap(f[f["dataset"] == "kaggle"], g)
    assert list(gap.index) == [0, 1, 2] and gap.to_numpy() == pytest.approx([3.0, 3.0, 3.0])


def test_per_seed_statistics_name_what_is_wrong():
    ok = [("geant", fw, s, sig, 100, 90.0 + s, 0.9, 1.0) for s in range(3) for sig in (0.0, 30.0)
          for fw in ("objective-driven", "two-stage-lstm")]
    with pytest.raises(ValueError, match=r"lack column\(s\) \['utility'\]"):
        J.mean_improvement(frame(ok).drop(columns="utility"))
    nan = frame(ok)
    nan.loc[3, "utility"] = np.nan
    with pytest.raises(ValueError, match="'utility' is NaN for 'two-stage-lstm'"):
        J.mean_improvement(nan)
    with pytest.raises(ValueError, match="unpaired runs.*'seed': 2.*two-stage-lstm"):
        J.mean_improvement(frame(ok[:-1]))
    nan_key = frame(ok)
    nan_key.loc[0, "Sigma"] = np.nan
    with pytest.raises(ValueError, match=r"key column\(s\) \['Sigma'\] hold NaN"):
        J.mean_improvement(nan_key)
    with pytest.raises(ValueError, match="repeat a"):
        J.mean_improvement(frame(ok + ok[:1]))
    with pytest.raises(ValueError, match="at least two Sigma points"):
        J.improvement_slope(frame([r for r in ok if r[3] == 0.0]))
    with pytest.raises(ValueError, match="one Sigma"):
        J.splitting_log_ratio(frame(ok), non_split="two-stage-lstm")


# ------------------------------------------------------------------ the judge

EPS = np.array([0.1, -0.1, 0.05, -0.05, 0.0])


def summaries(n_seeds=5, sigmas=(0.0, 30.0, 60.0), drop=()):
    """GEANT: the paper's effects (claims 1-4 reproduced); Kaggle: a gain of 1 pp at every Sigma and
    higher accuracy; the equal-information baseline equal to the proposed on average."""
    rows = []
    for ds in ("geant", "kaggle"):
        for s in range(n_seeds):
            e = EPS[s % 5]
            for sig in sigmas:
                base = 90 - 0.2 * sig + e
                gain = 4 + 0.25 * sig + e if ds == "geant" else 1 + e * (sig - 30) / 30
                od = base + gain
                acc_gap = -0.05 if ds == "geant" else 0.02
                fws = {"offline": (100.0, 1.0), "two-stage-lstm": (base, 0.9), "two-stage-bilstm": (base - e, 0.9),
                       "objective-driven": (od, 0.9 + acc_gap + e / 100), "two-stage-fitted": (od + e, 0.9)}
                if sig == 30.0:
                    fws["non-splitting"] = (od / (4 + e), np.nan)
                for fw, (u, a) in fws.items():
                    if (ds, fw) not in drop:
                        rows.append({"dataset": ds, "data": "real", "framework": fw, "seed": s, "M": 100.0,
                                     "Sigma": sig, "utility": u, "accuracy": a, "throughput": 3.0 * u})
    return pd.DataFrame(rows)


def verdicts(out):
    return {(r.claim_no, r.dataset, r.baseline, r.part): r.verdict for r in out.itertuples()}


def test_judge_rows_columns_and_verdicts():
    out = J.judge(summaries(), paper=PAPER, sigma0=30.0)
    assert list(out.columns) == list(J.JUDGE_COLUMNS)
    assert {"claim", "dataset", "verdict", "estimate", "ci_low", "ci_high", "paper_effect", "mde", "n_seeds",
            "ci_method"} <= set(out.columns)
    v = verdicts(out)
    L, B, F = "two-stage-lstm", "two-stage-bilstm", "two-stage-fitted"
    assert v[(1, "geant", "non-splitting", "")] == J.REPRODUCED
    assert v[(2, "geant", L, "")] == v[(2, "geant", B, "")] == J.REPRODUCED
    assert v[(2, "kaggle", L, "")] == J.SMALLER
    assert v[(2, "all", L, "")] == J.MIXED
    assert v[(2, "geant", F, "")] == J.INCONCLUSIVE          # equal information: no gain at all
    assert v[(3, "geant", L, "accuracy")] == v[(3, "geant", L, "throughput")] == J.REPRODUCED
    assert v[(3, "kaggle", L, "accuracy")] == J.CONTRADICTED and v[(3, "kaggle", L, "both")] == J.CONTRADICTED
    assert v[(3, "all", L, "both")] == J.MIXED
    assert v[(4, "geant", L, "")] == J.REPRODUCED and v[(4, "kaggle", L, "")] == J.INCONCLUSIVE
    assert v[(5, "kaggle - geant", L, "")] == J.CONTRADICTED
    r1 = out[(out["claim_no"] == 1) & (out["dataset"] == "geant")].iloc[0]
    assert r1["ratio"] == pytest.approx(np.exp(r1["estimate"])) and 3.9 < r1["ratio"] < 4.1
    r2 = out[(out["claim_no"] == 2) & (out["dataset"] == "geant") & (out["baseline"] == L)].iloc[0]
    assert r2["estimate"] == pytest.approx(4 + 0.25 * 30)
    assert r2["paper_effect"] == pytest.approx((2.07 + 10.25 + 18.4) / 3)
    assert r2["n_seeds"] == 5 and r2["mde"] > 0
    rf = out[(out["claim_no"] == 2) & (out["baseline"] == F) & (out["dataset"] == "geant")].iloc[0]
    assert rf["paper_effect"] == r2["paper_effect"] and "equal information" in rf["note"]
    r4 = out[(out["claim_no"] == 4) & (out["dataset"] == "geant") & (out["baseline"] == L)].iloc[0]
    assert r4["estimate"] == pytest.approx(2.5)


def test_judge_on_a_subset_and_not_run_rows():
    s = summaries(drop={("geant", "two-stage-fitted"), ("kaggle", "two-stage-fitted")})
    out = J.judge(s[s["dataset"] == "geant"], paper=PAPER, sigma0=30.0, claims=(1, 2, 5))
    v = verdicts(out)
    assert set(out["claim_no"]) == {1, 2, 5}
    assert v[(2, "geant", "two-stage-fitted", "")] == J.NOT_RUN
    assert v[(5, "kaggle - geant", "two-stage-lstm", "")] == J.NOT_RUN
    assert v[(2, "all", "two-stage-lstm", "")] == J.REPRODUCED
    out = J.judge(s, paper=PAPER, sigma0=30.0, claims=(2,), baselines=("two-stage-persistence",), equal_info=None)
    assert set(out["verdict"]) == {J.NOT_RUN}


def test_judge_refuses_bad_input_with_one_clear_error():
    with pytest.raises(ValueError, match="claim 2, geant, vs two-stage-lstm: .*at least 3 seeds, got 2"):
        J.judge(summaries(n_seeds=2), paper=PAPER, sigma0=30.0, claims=(2,))
    with pytest.raises(ValueError, match=r"lack column\(s\) \['accuracy'\]"):
        J.judge(summaries().drop(columns="accuracy"), paper=PAPER, sigma0=30.0)
    s = summaries()
    s.loc[(s["framework"] == "objective-driven") & (s["seed"] == 1) & (s["Sigma"] == 30.0), "utility"] = np.nan
    with pytest.raises(ValueError, match="'utility' is NaN for 'objective-driven'"):
        J.judge(s, paper=PAPER, sigma0=30.0, claims=(2,))
    two_kinds = pd.concat([summaries(), summaries().assign(data="synthetic")])
    with pytest.raises(ValueError, match="filter on `data`"):
        J.judge(two_kinds, paper=PAPER, sigma0=30.0)
    two_m = pd.concat([summaries(), summaries().assign(M=120.0)])
    with pytest.raises(ValueError, match="several M"):
        J.judge(two_m, paper=PAPER, sigma0=30.0)
    assert len(J.judge(two_m, paper=PAPER, sigma0=30.0, M0=120.0)) == len(J.judge(summaries(), paper=PAPER,
                                                                                 sigma0=30.0))
    with pytest.raises(ValueError, match="1-5"):
        J.judge(summaries(), paper=PAPER, sigma0=30.0, claims=(6,))
