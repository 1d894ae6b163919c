"""Tests of ``splitalloc.experiments.claims``: the claims' text, under the judge's keys, and the
verdict classes exported from the one place that defines them (``judge``)."""

from __future__ import annotations

from splitalloc import experiments as ex
from splitalloc.experiments import judge as J


def test_claims_use_the_judges_keys_and_classes():
    assert [c.key for c in ex.CLAIMS] == list(J.CLAIM_KEYS.values())
    assert ex.VERDICTS is J.VERDICTS and ex.VERDICT_DEFINITIONS is J.VERDICT_DEFINITIONS
    assert all(c.text and c.quantity and c.hinges_on for c in ex.CLAIMS)
    t = ex.claims_table()
    assert list(t.columns) == ["claim", "quantity judged (per seed)", "hinges_on"] and len(t) == 5


def test_no_other_verdict_rule_remains():
    import splitalloc.experiments.claims as claims

    for gone in ("verdict", "combine", "SUPPORTED", "NOT_SUPPORTED", "Estimate", "improvement", "sigma_slope"):
        assert not hasattr(claims, gone), gone
        assert not hasattr(ex, gone) or gone == "improvement", gone


def test_the_pages_colour_exactly_the_judges_classes():
    from splitalloc import plots

    assert set(plots.VERDICT_COLOURS) == set(J.VERDICTS)
    assert len(set(plots.VERDICT_COLOURS.values())) == len(J.VERDICTS)
