"""Tests of ``splitalloc.experiments.claims``: the verdict words, the one verdict rule and the
claims' estimators with their moving-block bootstrap intervals."""

from __future__ import annotations

import pytest

from splitalloc import experiments as ex
from splitalloc.experiments.claims import INCONCLUSIVE, NOT_RUN, NOT_SUPPORTED, SUPPORTED

from experiment_fakes import TINY, run_fake


def test_verdict_words_are_defined_once_and_exported():
    assert ex.VERDICTS == (SUPPORTED, INCONCLUSIVE, NOT_SUPPORTED, NOT_RUN)
    assert len(set(ex.VERDICTS)) == 4
    assert (ex.SUPPORTED, ex.INCONCLUSIVE, ex.NOT_SUPPORTED, ex.NOT_RUN) == ex.VERDICTS
    assert ex.NOT_SUPPORTED_OR_INCONCLUSIVE not in ex.VERDICTS


def test_the_pages_colour_exactly_these_words():
    from splitalloc import plots

    assert set(ex.VERDICTS) | {ex.NOT_SUPPORTED_OR_INCONCLUSIVE} == set(plots.VERDICT_COLOURS)


def test_one_verdict_rule():
    v = ex.verdict
    assert v(0.5, 2.0, 0.0) == SUPPORTED and v(-2.0, -0.5, 0.0) == NOT_SUPPORTED
    assert v(-1.0, 1.0, 0.0) == INCONCLUSIVE and v(float("nan"), float("nan"), 0.0) == INCONCLUSIVE
    assert v(2.5, 3.0, 2.0) == SUPPORTED and v(1.0, 1.9, 2.0) == NOT_SUPPORTED
    assert v(-2.0, -0.5, 0.0, "below") == SUPPORTED and v(0.5, 2.0, 0.0, "below") == NOT_SUPPORTED
    with pytest.raises(ValueError, match="side"):
        v(0.0, 1.0, 0.0, "left")
    assert ex.combine([SUPPORTED, SUPPORTED]) == SUPPORTED
    assert ex.combine([SUPPORTED, INCONCLUSIVE]) == INCONCLUSIVE
    assert ex.combine([INCONCLUSIVE, NOT_SUPPORTED]) == NOT_SUPPORTED
    assert ex.combine([]) == NOT_RUN


def _claim_inputs(tmp_path):
    specs = [ex.make_spec(TINY, dataset="geant", framework=f, seed=s, Sigma=sg)
             for sg in (0.0, 30.0) for s in range(3)
             for f in ("offline", "objective-driven", "two-stage-lstm", "non-splitting")]
    res = run_fake(specs, tmp_path)
    return ex.summaries(res), ex.per_slot_totals(res), res


def test_claims_cis_come_from_the_moving_block_bootstrap_with_per_slot_data(tmp_path):
    summ, slots, res = _claim_inputs(tmp_path)
    boot = ex.claims.judge(summ, sigma0=30.0, slots=slots)
    again = ex.claims.judge(summ, sigma0=30.0, slots=slots)
    plain = ex.claims.judge(summ, sigma0=30.0)
    for b, a, t in zip(boot, again, plain):
        if b["claim"] == "kaggle-larger":            # no second dataset: not run either way
            assert b["verdict"] == NOT_RUN and b["ci_method"] == ""
            continue
        assert b["ci_method"] == ex.summarize.BOOTSTRAP_NOTE, b
        assert t["ci_method"] in (ex.summarize.T_NOTE, "t-interval of the OLS slope"), t
        # same inputs, same interval (seeded); the estimate is the same seed mean as without slots
        assert (b["ci_low"], b["ci_high"]) == (a["ci_low"], a["ci_high"])
        assert b["estimate"] == pytest.approx(t["estimate"], rel=1e-9, abs=1e-9)
        assert b["ci_low"] <= b["estimate"] <= b["ci_high"]
        assert b["verdict"] == ex.verdict(b["ci_low"], b["ci_high"], b["threshold"], b["side"]) \
            or b["claim"] == "accuracy-paradox"
    # the paired utility improvement is Table 4's bootstrap (same seeds and slot blocks resampled)
    imp = ex.claims.improvement(summ[summ.Sigma == 30.0], od="objective-driven", baseline="two-stage-lstm",
                                slots=slots)
    t4 = ex.summarize.improvement_bootstrap(res, "objective-driven", "two-stage-lstm")
    row = t4[t4.Sigma == 30.0].iloc[0]
    assert imp.method == ex.summarize.BOOTSTRAP_NOTE
    assert (imp[1], imp[2]) == pytest.approx((row["value_ci95_boot_low"], row["value_ci95_boot_high"]))
    # a different bootstrap seed gives a different (but close) interval: the draws are seeded
    d = slots[slots.Sigma == 30.0]
    m = lambda f: ex.summarize.slot_matrix(d, f, "served")  # noqa: E731
    c0 = ex.summarize.paired_bootstrap_ci(m("objective-driven"), m("two-stage-lstm"), block=2, seed=0)
    c1 = ex.summarize.paired_bootstrap_ci(m("objective-driven"), m("two-stage-lstm"), block=2, seed=1)
    assert c0 == ex.summarize.paired_bootstrap_ci(m("objective-driven"), m("two-stage-lstm"), block=2, seed=0)
    assert c0[0] == c1[0] and c0[1:3] != c1[1:3]


def test_dataset_gap_bootstrap_resamples_each_dataset(tmp_path):
    summ, slots, _ = _claim_inputs(tmp_path)
    specs = [ex.make_spec(TINY, dataset="kaggle", framework=f, seed=s, Sigma=sg)
             for sg in (0.0, 30.0) for s in range(3) for f in ("offline", "objective-driven", "two-stage-lstm")]
    rk = run_fake(specs, tmp_path)
    sk, tk = ex.summaries(rk), ex.per_slot_totals(rk)
    kw = dict(od="objective-driven", baseline="two-stage-lstm")
    b = ex.claims.dataset_gap(sk, summ, slots_a=tk, slots_b=slots, **kw)
    t = ex.claims.dataset_gap(sk, summ, **kw)
    assert b.method == ex.summarize.BOOTSTRAP_NOTE and t.method == "Welch t over seeds"
    assert b[0] == pytest.approx(t[0]) and b[1] <= b[0] <= b[2]
    assert tuple(b) == tuple(ex.claims.dataset_gap(sk, summ, slots_a=tk, slots_b=slots, **kw))
