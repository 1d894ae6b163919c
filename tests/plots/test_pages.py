"""``splitalloc.plots.pages``: the run banner of every result page (the scale and seeds the
page's runs actually use) and the front page's verdict summary (read from ``claims.csv``)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from splitalloc import experiments as ex, plots
from splitalloc.experiments.claims import CLAIMS, NOT_SUPPORTED, SUPPORTED, VERDICTS


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


def _claims() -> pd.DataFrame:
    verdicts = [SUPPORTED, NOT_SUPPORTED, SUPPORTED, VERDICTS[1], None]
    return pd.DataFrame({"claim": [c.text for c in CLAIMS], "paper": [f"paper {i}" for i in range(5)],
                         "ours": "long text", "verdict": verdicts,
                         "estimate": [1.5, -2.0, 0.25, math.nan, math.nan],
                         "ci_low": [1.2, -3.0, 0.1, math.nan, math.nan],
                         "ci_high": [1.8, -1.0, 0.4, math.nan, math.nan], "n": [3, 3, 3, 0, 0]})


def test_verdict_summary_shows_each_claim_verdict_estimate_and_paper():
    claims = _claims()
    html = plots.verdict_summary(claims).to_html()
    for c in CLAIMS:
        assert c.text in html
    for i in range(5):
        assert f"paper {i}" in html
    assert f"1.50 [1.20, 1.80] {CLAIMS[0].unit}" in html and "-2.00 [-3.00, -1.00]" in html
    assert "long text" not in html                       # the details are on the paper-vs-ours page
    counts = plots.claim_verdicts(claims).value_counts()
    tally = ", ".join(f"{counts[v]} {v}" for v in VERDICTS if v in counts)
    assert f"The paper's 5 claims, judged on our runs: {tally}<" in html
    assert plots.VERDICT_COLOURS[SUPPORTED] in html and plots.VERDICT_COLOURS[NOT_SUPPORTED] in html


def test_read_claims_reads_the_reproduction_and_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"splitalloc reproduce --scale paper"):
        plots.read_claims("paper", tmp_path)
    (tmp_path / "quick").mkdir()
    _claims().to_csv(tmp_path / "quick" / "claims.csv", index=False)
    got = plots.read_claims("quick", tmp_path)
    assert list(got["claim"]) == [c.text for c in CLAIMS]
