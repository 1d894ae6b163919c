"""The tables and figures of the paper-vs-ours and parameters pages (presentation only).

* the claims and their verdicts (:func:`claim_verdicts`, :func:`claims_display`,
  :func:`claims_styled`; the legend is :func:`splitalloc.plots.verdict_legend_styled`);
* every number the paper reports beside ours (:func:`comparison_styled`,
  :func:`plot_paper_vs_ours`);
* the parameter registry and its provenance (:func:`parameters_styled`,
  :func:`plot_parameter_sources`).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..experiments.judge import NOT_RUN
from .common import ci_whiskers, format_estimate, title_layout, verdict_shading

#: Short names of the claims (tables and the grid), by key.
CLAIM_SHORT = {"splitting": "1. splitting >> non-splitting", "beats-baselines": "2. beats two-stage",
               "accuracy-paradox": "3. lower accuracy, higher throughput",
               "grows-with-sigma": "4. gain grows with Σ", "kaggle-larger": "5. gain larger on Kaggle"}


def claim_verdicts(claims) -> pd.Series:
    """The verdict class of each row of a claims table (``claims.csv``), ``not run`` where missing."""
    return claims["verdict"].fillna(NOT_RUN).astype(str)


def _ours(claims) -> list[str]:
    """Our estimate with its 95 % CI over seeds and its unit; claim 1 also as a ratio."""
    out = []
    for r in claims.itertuples():
        s = format_estimate(r.estimate, r.ci_low, r.ci_high, unit=str(r.unit) if r.unit == r.unit else "")
        if getattr(r, "claim", "") == "splitting" and r.ratio == r.ratio:
            s += f" (ratio {format_estimate(r.ratio, r.ratio_ci_low, r.ratio_ci_high, signed=False, unit='x')})"
        out.append(s)
    return out


def claims_display(claims) -> pd.DataFrame:
    """``claims.csv`` as the pages show it: claim, dataset, baseline (the paper's name), part,
    verdict, our estimate [95 % CI], the minimum detectable effect, the paper's effect, the
    seeds, how the interval was computed and the note."""
    num = lambda x: "" if x != x else f"{x:+.2f}"  # noqa: E731
    return pd.DataFrame({
        "claim": claims["claim"].map(lambda c: CLAIM_SHORT.get(c, c)), "dataset": claims["dataset"],
        "vs": claims["vs"].fillna(""), "part": claims["part"].fillna(""), "verdict": claim_verdicts(claims),
        "ours: estimate [95% CI]": _ours(claims), "MDE": [num(x).lstrip("+") for x in claims["mde"]],
        "paper's effect": [num(x) for x in claims["paper_effect"]], "seeds": claims["n_seeds"],
        "ci_method": claims["ci_method"].fillna(""), "note": claims["note"].fillna("")})


def claims_styled(claims):
    """The claims table (``claims.csv``, :func:`splitalloc.experiments.compare_with_paper`) as
    :func:`claims_display`, shaded by verdict."""
    return (claims_display(claims).style.hide(axis="index").apply(verdict_shading, subset=["verdict"])
            .set_properties(**{"text-align": "left", "white-space": "normal"}).set_uuid("claims"))


_COMPARISON_COLUMNS = ("artefact", "dataset", "framework", "setting", "metric", "data", "paper",
                       "ours (95% CI)", "difference", "comparable")


def comparison_styled(comparison):
    """The side-by-side numbers of :func:`splitalloc.experiments.compare_with_paper`, compact:
    the unit joined to the metric, ours as "mean [low, high]" (95 % CI), "comparable" in words,
    two decimals; each row's note is the tooltip of its "ours" cell (hover)."""
    table = comparison.copy()
    if "unit" in table.columns:
        table["metric"] = table["metric"].astype(str) + " (" + table["unit"].fillna("").astype(str) + ")"
    if {"mean", "ci95_low", "ci95_high"} <= set(table.columns):
        table["ours (95% CI)"] = [format_estimate(m, lo, hi, signed=False, missing="")
                                  for m, lo, hi in zip(table["mean"], table["ci95_low"], table["ci95_high"])]
    if "comparable" in table.columns:  # words, not Python booleans
        table["comparable"] = table["comparable"].map({True: "yes", False: "no"}).fillna("")
    cols = [c for c in _COMPARISON_COLUMNS if c in table.columns]
    styler = table[cols].style.hide(axis="index").format(precision=2).set_uuid("comparison")
    if "note" in table.columns and "ours (95% CI)" in cols:
        tips = pd.DataFrame("", index=table.index, columns=cols)
        tips["ours (95% CI)"] = table["note"].fillna("").astype(str)
        styler = styler.set_tooltips(tips, props="visibility: hidden; position: absolute; z-index: 1; "
                                     "background-color: #333; color: #fff; padding: 0.4em; "
                                     "width: 24em; font-size: 0.9em; white-space: normal;")
    return styler


def plot_paper_vs_ours(comparison) -> go.Figure:
    """Every comparable number: ours (mean with 95 % CI over seeds) and the paper's, one row
    per artefact · dataset · framework · setting · metric (unit), in the table's order."""
    comp = comparison[comparison["comparable"].astype(bool) & comparison["mean"].notna()].reset_index(drop=True)
    label = (comp["artefact"] + " · " + comp["dataset"].astype(str) + " · " + comp["framework"].astype(str)
             + " · " + comp["setting"].fillna("").astype(str) + " · " + comp["metric"]
             + " (" + comp["unit"].fillna("").astype(str) + ")")
    fig = go.Figure()
    fig.add_scatter(x=comp["mean"], y=label, mode="markers", name="ours (mean, 95% CI)",
                    marker=dict(color="#1f77b4", size=8), error_x=ci_whiskers(comp))
    fig.add_scatter(x=comp["paper"], y=label, mode="markers", name="paper",
                    marker=dict(color="#d62728", symbol="x", size=9))
    fig.update_layout(**title_layout("Comparable numbers: paper vs ours", legend_below=False),
                      xaxis_title="value, in the unit given at the end of each row label",
                      yaxis_title="", height=max(400, 22 * len(comp) + 150), legend_title="source",
                      yaxis=dict(autorange="reversed"))
    return fig


def parameters_styled(table):
    """:func:`splitalloc.config.parameter_table` as a styled table, rows stated in the paper
    shaded blue."""
    def _shade(source):
        return ["background-color: #e8f1fb" if s == "paper" else "" for s in source]

    return (table.style.hide(axis="index").set_uuid("parameters").apply(_shade, subset=["source"])
            .set_properties(subset=["provenance"], **{"text-align": "left", "white-space": "normal"})
            .set_caption("Experimental parameters (blue: stated in the paper)"))


def plot_parameter_sources(table) -> go.Figure:
    """Stacked bars: number of parameters per group, split by source (paper / assumption).
    ``table`` from :func:`splitalloc.config.parameter_table`."""
    by_group = table.groupby(["group", "source"]).size().unstack(fill_value=0)
    fig = go.Figure()
    for source, colour in (("paper", "#1f77b4"), ("assumption", "#ff7f0e"), ("calibrated", "#2ca02c")):
        if source in by_group:
            fig.add_bar(x=list(by_group.index), y=by_group[source].tolist(), name=source, marker_color=colour)
    fig.update_layout(barmode="stack", **title_layout("Parameters by group and source", legend_below=False),
                      xaxis_title="parameter group", yaxis_title="number of parameters", legend_title="source",
                      height=400)
    return fig
