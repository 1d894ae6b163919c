"""``splitalloc.plots.pages``: the run banner of every result page (the scale and seeds the
page's runs actually use) and the front page's verdict summary (read from ``claims.csv``)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from splitalloc import experiments as ex, plots
from splitalloc.experiments.judge import CONTRADICTED, REPRODUCED, VERDICTS

from . import frames


def _seed_count(banner) -> int:
    return int(re.search(r"— (\d+) seeds?", str(banner)).group(1))


def test_banner_names_the_scale_and_its_seeds():
    for name in ("quick", "paper"):
        banner = plots.run_banner(name, None, artefacts=["fig5"])
        sc = ex.get_scale(name)
        assert str(banner).startswith(f"Scale: **{name}** — ")
        assert _seed_count(banner) == len(sc.seeds)
        assert f"{len(ex.all_specs(name, only=['fig5']))} runs" in str(banner)
        assert banner._repr_markdown_() == str(banner) == repr(banner)


def test_banner_follows_the_injected_seeds_and_overrides():
    assert "— 1 seed (4);" in str(plots.run_banner("quick", [4], artefacts=["fig5"]))
    assert "— 2 seeds (0, 3);" in str(plots.run_banner("quick", [3, 0], artefacts=["fig5"]))
    assert "— 4 seeds (0–3);" in str(plots.run_banner("quick", 4, artefacts=["fig5"]))
    # a page's sweep override (an ExperimentScale) keeps the scale's name and changes the runs
    narrow = ex.get_scale("paper", M_values=[120])
    banner = str(plots.run_banner(narrow, None, artefacts=["fig8"]))
    assert banner.startswith("Scale: **paper**")
    assert f"{len(ex.all_specs(narrow, only=['fig8']))} runs" in banner
    assert len(ex.all_specs(narrow, only=["fig8"])) < len(ex.all_specs("paper", only=["fig8"]))


def test_banner_says_when_some_settings_run_fewer_seeds():
    """At paper scale the robustness grid runs fewer seeds off its default point than the
    headline cells: the banner names both."""
    banner = str(plots.run_banner("paper", None, artefacts=["robustness"]))
    assert _seed_count(banner) == len(ex.get_scale("paper").seeds)
    assert "for some settings" in banner


def test_verdict_summary_shows_the_headline_rows_with_estimate_mde_and_paper_effect():
    claims = frames.claims()
    html = plots.verdict_summary(claims).to_html()
    head = ex.judge.headline(claims)
    # claim 1 on GEANT (Kaggle not run), claims 2-4 per dataset vs LSTM, claim 2 vs the
    # equal-information baseline per dataset, claim 5 once
    assert list(zip(head["claim_no"], head["dataset"], head["baseline"])) == [
        (1, "geant", "non-splitting"), (2, "geant", "two-stage-lstm"), (2, "kaggle", "two-stage-lstm"),
        (2, "geant", "two-stage-fitted"), (2, "kaggle", "two-stage-fitted"), (3, "geant", "two-stage-lstm"),
        (3, "kaggle", "two-stage-lstm"), (4, "geant", "two-stage-lstm"), (4, "kaggle", "two-stage-lstm"),
        (5, "kaggle - geant", "two-stage-lstm")]
    for r in head.itertuples():
        assert f"{r.estimate:+.2f} [{r.ci_low:+.2f}, {r.ci_high:+.2f}]" in html and f"{r.paper_effect:+.2f}" in html
    assert html.count("equal information") == 2
    counts = head["verdict"].value_counts()
    tally = ", ".join(f"{counts[v]} {v}" for v in VERDICTS if v in counts)
    assert f"judged on our runs ({len(head)} rows): {tally}<" in html
    assert plots.VERDICT_COLOURS[REPRODUCED] in html and plots.VERDICT_COLOURS[CONTRADICTED] in html


def test_read_claims_reads_the_reproduction_and_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"splitalloc reproduce --scale paper"):
        plots.read_claims("paper", tmp_path)
    (tmp_path / "quick").mkdir()
    frames.claims().to_csv(tmp_path / "quick" / "claims.csv", index=False)
    got = plots.read_claims("quick", tmp_path)
    assert list(got["claim"]) == list(frames.claims()["claim"])
