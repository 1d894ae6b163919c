"""What every page's figures and tables share (presentation only: no science here).

* the colour, order and paper's name of each framework (:data:`FRAMEWORK_COLORS`,
  :func:`framework_color`, :func:`ordered`, :func:`framework_label`);
* the colour of each verdict class (:data:`VERDICT_COLOURS`, :func:`verdict_shading`, the
  legend :func:`verdict_legend`) and
  one way to write an estimate with its 95 % CI (:func:`format_estimate`);
* mean lines with a 95 % CI band (:func:`add_line_with_band`), the notes on seeds and data in
  the subtitles, and the layout every figure starts from (:func:`title_layout`);
* the paper's reported numbers as drawn on our figures (:func:`paper_values`,
  :data:`PAPER_MARKER`, :func:`add_paper_markers`, :func:`add_paper_lines`,
  :func:`comparison_bars`) and the normalisation that makes them comparable
  (:func:`percent_of_reference`);
* the summary tables printed above the figures (:func:`summary_styled`).
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..experiments import PAPER_DATASETS, PAPER_NAMES, paper_numbers
from ..experiments.judge import (CONTRADICTED, FITTED, INCONCLUSIVE, MIXED, NOT_COMPARABLE, NOT_RUN, REPRODUCED,
                                 SMALLER, VERDICT_DEFINITIONS, VERDICTS)

# ================================================================ frameworks: colour, order, name
#: One colour per framework, the same in every figure.
FRAMEWORK_COLORS = {
    "offline": "#444444",
    "objective-driven": "#d62728",
    "two-stage-lstm": "#1f77b4",
    "two-stage-bilstm": "#2ca02c",
    "non-splitting": "#9467bd",
    "two-stage-quantile": "#17becf",
    "objective-driven-regret": "#ff7f0e",
    "objective-driven-warm": "#e377c2",
    "two-stage-persistence": "#8c564b",
    "two-stage-seasonal": "#bcbd22",
    "objective-driven-frozen": "#f7b6d2",
    "two-stage-fitted": "#aec7e8",
}
#: Colours for frameworks not in :data:`FRAMEWORK_COLORS`, picked by a stable hash of the name
#: (the same colour in every figure, different frameworks mostly different colours).
FALLBACK_COLORS = ("#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd")
#: The order of frameworks in legends and tables (others follow in order of appearance).
FRAMEWORK_ORDER = ("offline", "objective-driven", "two-stage-lstm", "two-stage-bilstm",
                   "two-stage-persistence", "two-stage-seasonal", "two-stage-quantile",
                   "objective-driven-regret", "objective-driven-warm", "objective-driven-frozen",
                   "two-stage-fitted", "non-splitting")


def framework_color(framework: str) -> str:
    """The colour of ``framework`` in every figure (a stable fallback for new names)."""
    if framework in FRAMEWORK_COLORS:
        return FRAMEWORK_COLORS[framework]
    return FALLBACK_COLORS[zlib.crc32(framework.encode()) % len(FALLBACK_COLORS)]


def framework_label(framework: str) -> str:
    """The paper's name of ``framework`` ("Proposed", "LSTM" ...), else the name itself."""
    return PAPER_NAMES.get(framework, framework)


def ordered(frameworks) -> list[str]:
    """``frameworks`` (duplicates dropped) in :data:`FRAMEWORK_ORDER`, unknown names last."""
    present = list(dict.fromkeys(frameworks))
    return [f for f in FRAMEWORK_ORDER if f in present] + [f for f in present if f not in FRAMEWORK_ORDER]


# ================================================================ verdicts
#: Background of each verdict class (:data:`splitalloc.experiments.judge.VERDICTS`) in tables
#: and the robustness heatmap: one colour per class.
VERDICT_COLOURS = {REPRODUCED: "#7fc97f", SMALLER: "#e6f5a1", NOT_COMPARABLE: "#bdbdbd", INCONCLUSIVE: "#ececec",
                   CONTRADICTED: "#f28b82", MIXED: "#fdb863", FITTED: "#9ecae1", NOT_RUN: "#ffffff"}
assert set(VERDICT_COLOURS) == set(VERDICTS), "one colour per verdict class"


def verdict_legend() -> pd.DataFrame:
    """Every verdict class with its definition (:data:`judge.VERDICT_DEFINITIONS`), shaded in
    its colour: the legend of the claims tables and the grid."""
    return pd.DataFrame({"verdict": list(VERDICTS), "meaning": [VERDICT_DEFINITIONS[v] for v in VERDICTS]})


def verdict_legend_styled():
    """:func:`verdict_legend` as a styled table."""
    return (verdict_legend().style.hide(axis="index").apply(verdict_shading, subset=["verdict"])
            .set_properties(**{"text-align": "left", "white-space": "normal"}).set_uuid("verdict_legend"))


def verdict_shading(verdicts) -> list[str]:
    """CSS background of each verdict word (a ``Styler.apply`` column function)."""
    return [f"background-color: {VERDICT_COLOURS.get(v, '#ffffff')}" for v in verdicts]


def format_estimate(estimate: float, ci_low: float, ci_high: float, *, decimals: int = 2,
                    unit: str = "", signed: bool = True, missing: str = "n/a") -> str:
    """``"+0.38 [+0.22, +0.71] pp"``: an estimate with its 95 % CI (no CI where it has none;
    ``missing`` without an estimate)."""
    if not math.isfinite(estimate):
        return missing
    f = f"{{:{'+' if signed else ''}.{decimals}f}}"
    s = f.format(estimate)
    if math.isfinite(ci_low) and math.isfinite(ci_high):
        s += f" [{f.format(ci_low)}, {f.format(ci_high)}]"
    return s + (f" {unit}" if unit else "")


# ================================================================ lines, bands, notes, layout
def rgba(hex_color: str, alpha: float) -> str:
    """``"#1f77b4"`` -> ``"rgba(31,119,180,alpha)"``."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def add_line_with_band(fig: go.Figure, s, x: str, name: str, color: str, *, dash: str | None = None,
                       mode: str = "lines", legendgroup: str | None = None, row=None, col=None) -> None:
    """Mean line plus a filled 95 % CI band (drawn only where the CI exists, i.e. >= 2 seeds).
    ``s`` has columns ``x``, ``mean``, ``ci95_low``, ``ci95_high``."""
    s = s.sort_values(x)
    group = legendgroup or name
    where = dict(row=row, col=col) if row is not None else {}
    if s["ci95_low"].notna().any():
        xs = list(s[x]) + list(s[x])[::-1]
        ys = list(s["ci95_high"]) + list(s["ci95_low"])[::-1]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=rgba(color, 0.18),
                                 line=dict(width=0), hoverinfo="skip", showlegend=False,
                                 legendgroup=group, name=f"{name} 95% CI"), **where)
    fig.add_trace(go.Scatter(x=s[x], y=s["mean"], mode=mode, name=name, legendgroup=group,
                             line=dict(color=color, dash=dash)), **where)


def n_seeds_note(df) -> str:
    """``"mean over 3 seeds, band: 95% CI"`` for a frame with a ``seed`` column."""
    n = df["seed"].nunique() if "seed" in df.columns else 1
    return f"mean over {n} seed{'s' if n != 1 else ''}" + (", band: 95% CI" if n > 1 else "")


def data_note(df) -> str:
    """Which series a frame holds: real, synthetic or both (its ``data`` column)."""
    kinds = sorted(df["data"].unique()) if "data" in df.columns else ["real"]
    return "synthetic series fitted to the real data" if kinds == ["synthetic"] else (
        "real data" if kinds == ["real"] else "real and synthetic data")


def title_layout(title: str, subtitle: str | None = None, *, legend_below: bool = True) -> dict:
    """Layout keys shared by the book's figures: a short title with the details as a subtitle
    (so the title fits the page width), responsive width (``autosize``, no fixed width) and,
    with ``legend_below``, a horizontal legend under the plot so the plot area keeps the width
    of the page's text column."""
    t = dict(text=title, xref="paper", x=0, xanchor="left")
    if subtitle:
        t["subtitle"] = dict(text=subtitle, font=dict(size=12, color="#555"))
    out = dict(title=t, autosize=True, margin=dict(t=90 if subtitle else 60))
    if legend_below:
        out["legend"] = dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0)
    return out


def real_runs(df):
    """One row per run (framework x seed, and sweep settings) of the real series."""
    if "data" in df.columns:
        df = df[df["data"] == "real"]
    keys = [c for c in ("dataset", "data", "framework", "seed", "M", "Sigma") if c in df.columns]
    return df.drop_duplicates(keys)


# ================================================================ summary tables
#: Column titles of the summary tables printed above the figures.
SUMMARY_TITLES = {"framework": "framework", "n": "seeds", "mean": "mean", "ci95_low": "95% CI low",
                  "ci95_high": "95% CI high", "data": "data", "M": "M", "Sigma": "Σ"}


def summary_styled(summary, *, columns, caption: str, decimals: int = 1, titles=None, uuid: str | None = None):
    """A summary frame (e.g. :func:`splitalloc.experiments.summarize_with_ci`) as a styled HTML
    table: the chosen ``columns``, frameworks under the paper's names, floats to ``decimals``,
    column ``titles`` (defaults for the usual summary columns), a caption, no index."""
    t = summary[list(columns)].copy()
    if "framework" in t.columns:  # settings first, then frameworks in the figures' order
        rank = {fw: i for i, fw in enumerate(ordered(t["framework"]))}
        keys = [c for c in ("dataset", "data", "M", "Sigma") if c in t.columns]
        t = (t.assign(_rank=t["framework"].map(rank)).sort_values([*keys, "_rank"], kind="stable")
             .drop(columns="_rank"))
        t["framework"] = t["framework"].map(framework_label)
    t = t.rename(columns={**SUMMARY_TITLES, **(titles or {})})
    styler = (t.style.hide(axis="index").format(precision=decimals).set_caption(caption)
              .set_table_styles([{"selector": "caption", "props": "caption-side: top; text-align: left;"}]))
    return styler.set_uuid(uuid) if uuid else styler


# ================================================================ the paper's reported numbers
#: How the paper's reported numbers are drawn on our figures: black markers, one symbol.
PAPER_MARKER = dict(color="#000000", symbol="diamond-open", size=11, line=dict(width=2))
#: The reference of the normalised comparisons (the paper reports no offline throughput).
REFERENCE_FRAMEWORK = "objective-driven"
#: Unit of the normalised comparisons.
PERCENT_OF_PROPOSED = "% of Proposed"
#: Names in the paper's Fig. 5 that are not framework names (the deployment is in the name).
PAPER_FIG5_NAMES = {"Proposed, splitting": "objective-driven", "LSTM, non-splitting": "non-splitting",
                    "Proposed, non-splitting": "non-splitting"}   # the bar's old label (a baseline, §V-A)


def paper_values(artefact: str, *, dataset: str | None = None, metric: str | None = None):
    """The paper's reported numbers for ``artefact`` ("Fig. 5" ... "Table 4") from the
    package's copy (``splitalloc/paper_numbers.csv``, :func:`splitalloc.experiments.paper_numbers`).

    ``dataset`` is ours ("geant", "kaggle"). Adds ``framework_id`` (our framework name, or the
    paper's name when it has none), ``Sigma`` (from settings like "Sigma=30", else NaN) and
    ``source`` ("Table 4, TOTEM" ...), used in the hover of every paper trace.
    """
    paper = paper_numbers()
    paper = paper[paper["artefact"] == artefact]
    if dataset is not None:
        paper = paper[paper["dataset"] == PAPER_DATASETS.get(dataset, dataset)]
    if metric is not None:
        paper = paper[paper["metric"] == metric]
    ids = {name: fw for fw, name in PAPER_NAMES.items()} | PAPER_FIG5_NAMES
    paper = paper.assign(framework_id=paper["framework"].map(lambda f: ids.get(f, f)))
    sigma = paper["setting"].astype(str).str.extract(r"Sigma=([0-9.]+)")[0].astype(float)
    where = paper["where_in_paper"].astype(str)
    source = np.where(where == artefact, artefact, artefact + ", " + where)
    return paper.assign(Sigma=sigma, source=[f"{s}, {d}" for s, d in zip(source, paper["dataset"])])


def paper_percent_of_reference(paper):
    """The paper's values as a percentage of its Proposed framework's value (same setting)."""
    ref = paper[paper["framework_id"] == REFERENCE_FRAMEWORK]["value"]
    if ref.empty:
        return paper.iloc[0:0]
    return paper.assign(value=100.0 * paper["value"] / float(ref.iloc[0]))


def percent_of_reference(runs, value: str, *, keys=("seed",), reference: str = REFERENCE_FRAMEWORK):
    """``value`` of each run as a percentage of the ``reference`` framework's ``value`` in the
    run with the same ``keys`` (one scenario: same seed, and e.g. same ``M``). Drawing aid that
    makes our absolute numbers and the paper's comparable: both sides normalised the same way.
    Runs without a reference run are dropped."""
    keys = [k for k in keys if k in runs.columns]
    ref = runs[runs["framework"] == reference].set_index(keys)[value].rename("_reference")
    out = runs.join(ref, on=keys, how="inner")
    return out.assign(**{value: 100.0 * out[value] / out["_reference"]}).drop(columns="_reference")


def _paper_hover(unit: str) -> str:
    return "paper (%{customdata}): %{y:.2f} " + unit + "<extra></extra>"


def _add(fig, trace, row, col) -> None:
    fig.add_trace(trace, row=row, col=col) if row is not None else fig.add_trace(trace)


def add_paper_markers(fig, paper, x, y, *, unit: str, name: str, row=None, col=None) -> None:
    """One marker trace of the paper's values at categories or settings ``x``."""
    if not len(paper):
        return
    _add(fig, go.Scatter(x=list(x), y=list(y), mode="markers", name=name, marker=PAPER_MARKER,
                         customdata=list(paper["source"]), hovertemplate=_paper_hover(unit)), row, col)


def add_paper_lines(fig, paper, *, unit: str, row=None, col=None) -> None:
    """One dashed line per framework of the paper's values against ``Sigma`` (Fig. 9,
    Table 4), in the framework's colour, legend name "paper: <framework>"."""
    for fw in ordered(paper["framework_id"]):
        p = paper[paper["framework_id"] == fw].sort_values("Sigma")
        _add(fig, go.Scatter(x=p["Sigma"], y=p["value"], mode="lines+markers",
                             name=f"paper: {framework_label(fw)} ({p['source'].iloc[0]})",
                             line=dict(color=framework_color(fw), dash="dash", width=1.5),
                             marker=dict(symbol="diamond-open", size=9, line=dict(width=2)),
                             customdata=list(p["source"]), hovertemplate=_paper_hover(unit)), row, col)


def comparison_bars(fig, ours, paper, *, unit: str, ours_name: str, paper_name: str,
                    row=None, col=None) -> None:
    """Bars of ours (mean, 95 % CI whiskers; one colour per framework) and the paper's value of
    the same framework as a black marker on the same category."""
    order = ordered(ours["framework"])
    ours = ours.set_index("framework").loc[order].reset_index()
    labels = {fw: framework_label(fw) for fw in order}
    _add(fig, go.Bar(x=[labels[f] for f in ours["framework"]], y=ours["mean"], name=ours_name,
                     marker_color=[framework_color(f) for f in ours["framework"]],
                     error_y=ci_whiskers(ours),
                     hovertemplate="ours, %{x}: %{y:.2f} " + unit + "<extra></extra>"), row, col)
    paper = paper[paper["framework_id"].isin(order)]
    add_paper_markers(fig, paper, [labels[f] for f in paper["framework_id"]], paper["value"],
                      unit=unit, name=paper_name, row=row, col=col)


def ci_whiskers(summary, *, mean: str = "mean", low: str = "ci95_low", high: str = "ci95_high") -> dict:
    """plotly ``error_y``/``error_x`` of a summary frame: asymmetric whiskers to its 95 % CI."""
    return dict(type="data", symmetric=False, array=(summary[high] - summary[mean]).fillna(0),
                arrayminus=(summary[mean] - summary[low]).fillna(0))
