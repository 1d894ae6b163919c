"""The figures and tables of the paper's §V pages (presentation only: no science here).

Every function takes a tidy frame of :mod:`splitalloc.experiments` and returns a plotly
figure (or a styled table) with the paper's reported values beside ours:

* Fig. 5 (:func:`fig5_splitting_figure`): bars, both sides as % of their own Proposed;
* Figs. 6, 7, 10 (:func:`fig6_admitted_figure`, :func:`fig7_prediction_figure`,
  :func:`fig10_kaggle_figure`): per-slot traces, and below them the means beside the paper's;
* Figs. 8, 9 and Table 4 (:func:`fig8_resource_figure`, :func:`fig9_deviation_figure`,
  :func:`table4_figure`, :func:`table4_styled`): sweeps over ``M`` (eq. 14) and ``Sigma``
  (eq. 15).

Where several seeds are present, lines show the mean over seeds and a filled band the 95 %
confidence interval (:func:`splitalloc.experiments.summarize_with_ci`).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..experiments import PAPER_DATASETS, paper_numbers, summarize_with_ci
from .common import (FRAMEWORK_COLORS, FRAMEWORK_ORDER, PERCENT_OF_PROPOSED, add_line_with_band,
                     add_paper_lines, add_paper_markers, ci_whiskers, comparison_bars, data_note,
                     framework_color, framework_label, n_seeds_note, ordered, paper_percent_of_reference,
                     paper_values, percent_of_reference, real_runs, title_layout)


# ================================================================ Fig. 5
def fig5_splitting_figure(df) -> go.Figure:
    """Fig. 5: mean throughput of the splitting and non-splitting frameworks, with the paper's
    reported values. Both sides are drawn as a percentage of their own Proposed framework's
    throughput (splitting deployment), because absolute Mb/slot are not comparable (our traffic
    scale differs); the hover of our bars also gives the absolute Mb/slot. Whiskers: 95 % CI
    over seeds of the per-seed ratio. ``df`` from :func:`splitalloc.experiments.fig5_splitting`."""
    runs = real_runs(df)
    rel = summarize_with_ci(percent_of_reference(runs, "throughput"), ["framework"], "throughput")
    absolute = summarize_with_ci(runs, ["framework"], "throughput").set_index("framework")["mean"]
    order = ordered(rel["framework"])
    rel = rel.set_index("framework").loc[order].reset_index()

    def label(fw: str) -> str:
        return framework_label(fw) + (" (non-splitting)" if fw == "non-splitting" else " (splitting)")

    fig = go.Figure(go.Bar(
        x=[label(f) for f in rel["framework"]], y=rel["mean"],
        marker_color=[framework_color(f) for f in rel["framework"]],
        error_y=ci_whiskers(rel),
        customdata=[absolute.get(f) for f in rel["framework"]],
        name="ours: mean throughput, % of Proposed (splitting)",
        hovertemplate="ours, %{x}: %{y:.1f} % of Proposed (%{customdata:.1f} Mb/slot)<extra></extra>",
    ))
    paper = paper_percent_of_reference(paper_values("Fig. 5", metric="mean throughput"))
    paper = paper[paper["framework_id"].isin(order)]
    add_paper_markers(fig, paper, [label(f) for f in paper["framework_id"]], paper["value"],
                      unit=PERCENT_OF_PROPOSED, name="paper (Sec. V-B), % of Proposed (splitting)")
    layout = title_layout("Fig. 5 — splitting vs non-splitting, GEANT",
                          n_seeds_note(runs).replace("band", "whiskers"))
    layout["legend"]["y"] = -0.28
    fig.update_layout(**layout, xaxis_title="framework (deployment)",
                      yaxis_title="mean throughput (% of Proposed, splitting)", showlegend=True)
    return fig


# ================================================================ Figs. 6, 7, 10: per-slot traces
def _two_panels(bottom_title: str) -> go.Figure:
    """Per-slot traces on top, the comparison with the paper's means below."""
    return make_subplots(rows=2, cols=1, row_heights=[0.6, 0.4], vertical_spacing=0.2,
                         subplot_titles=("per test slot (ours)", bottom_title))


def _finish_two_panels(fig: go.Figure, df, title: str, *, xtitle: str, ytitle: str, bottom_xtitle: str,
                       bottom_ytitle: str, legend_title: str, hovermode: str | None = "x unified",
                       subtitle: str | None = None) -> None:
    fig.update_xaxes(title_text=xtitle, row=1, col=1)
    fig.update_yaxes(title_text=ytitle, row=1, col=1)
    fig.update_xaxes(title_text=bottom_xtitle, row=2, col=1)
    fig.update_yaxes(title_text=bottom_ytitle, row=2, col=1)
    layout = title_layout(title, subtitle or f"{data_note(df)}, {n_seeds_note(df)}")
    layout["legend"]["y"] = -0.2
    extra = {"hovermode": hovermode} if hovermode else {}
    fig.update_layout(**layout, height=860, legend_title=legend_title, **extra)


def _slot_axis(df) -> tuple[str, str]:
    x = "time" if "time" in df.columns else "slot"
    return x, ("time slot (test period)" if x == "time" else "test slot")


def _per_slot_figure(df, value: str, title: str, yaxis: str, *, data: str | None = "real",
                     frameworks=None, paper_artefact: str | None = None,
                     paper_dataset: str = "geant") -> go.Figure:
    """Per-slot lines (top) and, with ``paper_artefact``, a bottom panel comparing the mean
    throughput with the paper's, both as % of the Proposed framework's (same seed)."""
    if data is not None and "data" in df.columns:
        df = df[df["data"] == data]
    if frameworks is not None:
        df = df[df["framework"].isin(frameworks)]
    x, xtitle = _slot_axis(df)
    s = summarize_with_ci(df, ["framework", x], value)
    paper = None
    if paper_artefact is not None:
        paper = paper_percent_of_reference(paper_values(paper_artefact, dataset=paper_dataset,
                                                        metric="mean throughput"))
    both = paper is not None and len(paper)
    fig = _two_panels("mean over the test period, % of Proposed: ours and the paper") if both else go.Figure()
    where = dict(row=1, col=1) if both else {}
    for fw in ordered(s["framework"]):
        add_line_with_band(fig, s[s["framework"] == fw], x, framework_label(fw), framework_color(fw),
                           dash="dot" if fw == "offline" else None, **where)
    if not both:
        fig.update_layout(**title_layout(title, f"{data_note(df)}, {n_seeds_note(df)}"),
                          xaxis_title=xtitle, yaxis_title=yaxis, height=540, legend_title="framework",
                          hovermode="x unified")
        return fig
    runs = df.drop_duplicates(["framework", "seed"])
    ours = summarize_with_ci(percent_of_reference(runs, "throughput"), ["framework"], "throughput")
    comparison_bars(fig, ours, paper, unit=PERCENT_OF_PROPOSED, ours_name="ours: mean throughput, % of Proposed",
                    paper_name=f"paper ({paper['where_in_paper'].iloc[0]}), % of Proposed", row=2, col=1)
    _finish_two_panels(fig, df, title, xtitle=xtitle, ytitle=yaxis, bottom_xtitle="framework",
                       bottom_ytitle="mean throughput (% of Proposed)", legend_title="framework")
    return fig


def fig6_admitted_figure(df, *, data: str = "real", frameworks=None) -> go.Figure:
    """Fig. 6: admitted (served) traffic per test slot, summed over services, per framework,
    and below it the mean throughput beside the paper's (both as % of the Proposed framework's:
    absolute Mb/slot are not comparable). ``df`` from
    :func:`splitalloc.experiments.fig6_admitted`; ``data`` picks the real or the synthetic series."""
    return _per_slot_figure(df, "served", "Fig. 6 — admitted traffic, GEANT",
                            "admitted traffic (Mb/slot)", data=data, frameworks=frameworks,
                            paper_artefact="Fig. 6", paper_dataset="geant")


def fig7_prediction_figure(df, *, data: str = "real") -> go.Figure:
    """Fig. 7: predicted traffic (sum over services) of each learned framework against the
    ground truth (the offline framework's ``D_true``); legend entries carry the mean
    prediction accuracy (1 - WAPE). Below, the accuracy of each framework beside the paper's
    (comparable as is, in %). ``df`` from :func:`splitalloc.experiments.fig7_prediction`."""
    if "data" in df.columns:
        df = df[df["data"] == data]
    x, xtitle = _slot_axis(df)
    fig = _two_panels("prediction accuracy: ours and the paper")
    truth = summarize_with_ci(df[df["framework"] == "offline"], [x], "D_true")
    add_line_with_band(fig, truth, x, "ground truth", FRAMEWORK_COLORS["offline"], dash="dot", row=1, col=1)
    runs = df.drop_duplicates(["framework", "seed"])
    runs = runs[runs["framework"] != "offline"].assign(accuracy=100 * runs["accuracy"])
    acc = summarize_with_ci(runs, ["framework"], "accuracy")
    acc_mean = acc.set_index("framework")["mean"]
    for fw in ordered(runs["framework"]):
        s = summarize_with_ci(df[df["framework"] == fw], [x], "D_pred")
        add_line_with_band(fig, s, x, f"{framework_label(fw)} (accuracy {acc_mean[fw]:.1f}%)",
                           framework_color(fw), row=1, col=1)
    paper = paper_values("Fig. 7", dataset="geant", metric="prediction accuracy")
    comparison_bars(fig, acc, paper, unit="%", ours_name="ours: prediction accuracy (1 − WAPE)",
                    paper_name="paper (Fig. 7, Sec. V-C): prediction accuracy", row=2, col=1)
    _finish_two_panels(fig, df, "Fig. 7 — predicted vs true traffic, GEANT", xtitle=xtitle,
                       ytitle="total traffic over services (Mb/slot)", bottom_xtitle="framework",
                       bottom_ytitle="prediction accuracy, 1 − WAPE (%)", legend_title="prediction")
    return fig


def fig10_kaggle_figure(df, *, data: str = "real", frameworks=None) -> go.Figure:
    """Fig. 10: admitted traffic per test slot on the Kaggle dataset (as Fig. 6), with the
    paper's mean throughputs below (as % of the Proposed framework's).
    ``df`` from :func:`splitalloc.experiments.fig10_kaggle`."""
    return _per_slot_figure(df, "served", "Fig. 10 — admitted traffic, Kaggle",
                            "admitted traffic (Mb/slot)", data=data, frameworks=frameworks,
                            paper_artefact="Fig. 10", paper_dataset="kaggle")


# ================================================================ Figs. 8, 9, Table 4: sweeps
def _sweep_figure(df, x: str, value: str, title: str, xaxis: str, yaxis: str, *,
                  subtitle: str | None = None, paper=None, paper_unit: str = "") -> go.Figure:
    """Mean and 95 % band per framework against ``x``; with ``paper`` (rows of
    :func:`paper_values` with ``Sigma``), the paper's values as dashed lines."""
    s = summarize_with_ci(df, ["framework", x], value)
    fig = go.Figure()
    for fw in ordered(s["framework"]):
        add_line_with_band(fig, s[s["framework"] == fw], x, framework_label(fw), framework_color(fw),
                           mode="lines+markers", dash="dot" if fw == "offline" else None)
    if paper is not None:
        add_paper_lines(fig, paper, unit=paper_unit)
    fig.update_layout(**title_layout(title, subtitle or n_seeds_note(df)), height=560 if paper is not None else 520,
                      xaxis_title=xaxis, yaxis_title=yaxis, legend_title="framework")
    return fig


def fig8_resource_figure(df) -> go.Figure:
    """Fig. 8: mean throughput against the average resource ``M`` (eq. 14) and, below, the
    throughput at the ``M`` nearest the paper's reported setting (M=120) beside the paper's,
    both as % of the Proposed framework's (absolute Mb/slot are not comparable).
    ``df`` from :func:`splitalloc.experiments.fig8_resource`."""
    sigma = df["Sigma"].iloc[0] if len(df) else float("nan")
    s = summarize_with_ci(df, ["framework", "M"], "throughput")
    paper = paper_values("Fig. 8", dataset="geant", metric="mean throughput")
    m_paper = float(paper["setting"].iloc[0].split("=")[1].split()[0]) if len(paper) else float("nan")
    ms = np.array(sorted(df["M"].unique())) if len(df) else np.array([])
    m_near = float(ms[np.argmin(abs(ms - m_paper))]) if len(ms) and np.isfinite(m_paper) else float("nan")
    fig = make_subplots(rows=2, cols=1, row_heights=[0.6, 0.4], vertical_spacing=0.2,
                        subplot_titles=("mean throughput vs M (ours)",
                                        f"at M={m_near:g}, % of Proposed: ours and the paper "
                                        f"(paper: M={m_paper:g})"))
    for fw in ordered(s["framework"]):
        add_line_with_band(fig, s[s["framework"] == fw], "M", framework_label(fw), framework_color(fw),
                           mode="lines+markers", dash="dot" if fw == "offline" else None, row=1, col=1)
    at_m = df[df["M"] == m_near]
    ours = summarize_with_ci(percent_of_reference(at_m, "throughput", keys=("seed", "M")),
                             ["framework"], "throughput")
    comparison_bars(fig, ours, paper_percent_of_reference(paper), unit=PERCENT_OF_PROPOSED,
                    ours_name=f"ours at M={m_near:g}: mean throughput, % of Proposed",
                    paper_name="paper (Sec. V-D-1), % of Proposed", row=2, col=1)
    _finish_two_panels(fig, df, "Fig. 8 — throughput vs average resource M, GEANT",
                       xtitle="average resource M = (μ_C + μ_B)/2 (resource units/slot)",
                       ytitle="mean throughput (Mb/slot)", bottom_xtitle="framework",
                       bottom_ytitle="mean throughput (% of Proposed)", legend_title="framework",
                       hovermode=None, subtitle=f"Σ={sigma:g}, {n_seeds_note(df)}")
    return fig


def fig9_deviation_figure(df) -> go.Figure:
    """Fig. 9: utility (% of the offline optimum) against the average deviation ``Sigma``
    (eq. 15), with the paper's values (its Table 4, TOTEM rows: the numbers of its Fig. 9) as
    dashed lines. Utility is comparable as is. ``df`` from
    :func:`splitalloc.experiments.fig9_deviation`."""
    paper = paper_values("Table 4", dataset="geant", metric="utility")
    return _sweep_figure(df, "Sigma", "utility", "Fig. 9 — utility vs deviation Σ, GEANT",
                         "average standard deviation Σ = (σ_C + σ_B)/2 (resource units/slot)",
                         "utility (% of offline optimum)", paper=paper,
                         paper_unit="% of offline optimum")


def table4_figure(df, *, dataset: str = "geant") -> go.Figure:
    """Table 4 as a chart: utility (%) against Sigma for every framework on ``dataset``, with
    the paper's Table 4 values as dashed lines (comparable as is)."""
    t = df[(df["dataset"] == dataset) & (df["metric"] == "utility")].rename(columns={"value": "utility"})
    return _sweep_figure(t, "Sigma", "utility",
                         f"Table 4 — utility vs Σ, {PAPER_DATASETS.get(dataset, dataset)}",
                         "average standard deviation Σ (resource units/slot)",
                         "utility (% of offline optimum)",
                         paper=paper_values("Table 4", dataset=dataset, metric="utility"),
                         paper_unit="% of offline optimum")


#: The paper's row names of Table 4, by our framework (and improvement) names.
_TABLE4_ROWS = {"two-stage-lstm": "LSTM", "two-stage-bilstm": "Bi-LSTM", "objective-driven": "Proposed",
                "objective-driven - two-stage-lstm": "Proposed vs LSTM",
                "objective-driven - two-stage-bilstm": "Proposed vs Bi-LSTM"}


def table4_styled(df, *, with_paper: bool = True, decimals: int = 2):
    """Table 4 in the paper's layout as a styled DataFrame: rows dataset x framework (and the
    two improvement rows), columns Sigma, cells "mean ± CI half-width" over seeds; with
    ``with_paper`` the paper's value of each cell follows in brackets where it reports one.
    ``df`` from :func:`splitalloc.experiments.table4_utility`."""
    s = summarize_with_ci(df, ["dataset", "framework", "label", "Sigma"], "value")
    paper = paper_numbers()
    paper = paper[paper["artefact"] == "Table 4"]
    lookup = {(r.dataset, r.framework, r.setting): r.value for r in paper.itertuples()}
    cells = []
    for r in s.itertuples():
        half = r.ci95_high - r.mean
        txt = f"{r.mean:.{decimals}f}" + (f" ± {half:.{decimals}f}" if np.isfinite(half) else "")
        if with_paper:
            pv = lookup.get((PAPER_DATASETS.get(r.dataset), _TABLE4_ROWS.get(r.framework), f"Sigma={r.Sigma:g}"))
            if pv is not None:
                txt += f" [{pv:.2f}]"
        cells.append(txt)
    s["cell"] = cells
    s["dataset"] = s["dataset"].map(lambda d: PAPER_DATASETS.get(d, d))
    order = {f: i for i, f in enumerate(list(FRAMEWORK_ORDER) + list(_TABLE4_ROWS)[3:])}
    s["_o"] = s["framework"].map(lambda f: order.get(f, 99))
    ds_order = {d: i for i, d in enumerate(PAPER_DATASETS.values())}  # TOTEM first, as the paper
    s["_d"] = s["dataset"].map(lambda d: ds_order.get(d, 99))
    s = s.sort_values(["_d", "_o", "Sigma"])
    wide = s.pivot_table(index=["dataset", "label"], columns="Sigma", values="cell", aggfunc="first", sort=False)
    wide.columns = [f"Σ={c:g}" for c in wide.columns]
    wide.index.names = ["dataset", "framework"]
    caption = ("Table 4 — utility (% of offline optimum) and improvement of the proposed framework "
               "(percentage points), mean ± 95% CI half-width over seeds"
               + (" [paper's value]" if with_paper else ""))

    def shade(row):
        improvement = "vs" in row.name[1]
        return ["background-color: #fdecea; font-weight: bold" if improvement else "" for _ in row]

    return (wide.style.set_caption(caption).apply(shade, axis=1)
            .set_table_styles([{"selector": "caption", "props": "caption-side: top; font-weight: bold;"}]))
