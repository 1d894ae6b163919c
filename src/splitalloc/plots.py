"""Plotly figures for the book (presentation only: no science here).

Every function takes a tidy :class:`pandas.DataFrame` produced by the package (for the §V
figures, the frames of :mod:`splitalloc.experiments`) and returns a
:class:`plotly.graph_objects.Figure` with a title, axis titles with units and a legend.
Where several seeds are present, lines show the mean over seeds and a filled band the 95 %
confidence interval (Student t, :func:`splitalloc.experiments.summarize_with_ci`).
"""

from __future__ import annotations

import plotly.graph_objects as go

from .experiments.claims import INCONCLUSIVE, NOT_RUN, NOT_SUPPORTED, NOT_SUPPORTED_OR_INCONCLUSIVE, SUPPORTED

# ============================================================ §V figures (Figs. 5-10, Table 4)
#: One colour per framework, the same in every §V figure.
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
_FALLBACK_COLORS = ("#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd")


def framework_color(framework: str) -> str:
    """The colour of ``framework`` in every figure (a stable fallback for new names)."""
    import zlib

    if framework in FRAMEWORK_COLORS:
        return FRAMEWORK_COLORS[framework]
    return _FALLBACK_COLORS[zlib.crc32(framework.encode()) % len(_FALLBACK_COLORS)]
_FRAMEWORK_ORDER = ("offline", "objective-driven", "two-stage-lstm", "two-stage-bilstm",
                    "two-stage-persistence", "two-stage-seasonal", "two-stage-quantile",
                    "objective-driven-regret", "objective-driven-warm", "objective-driven-frozen",
                    "two-stage-fitted", "non-splitting")


def _framework_label(fw: str) -> str:
    from .experiments import PAPER_NAMES

    return PAPER_NAMES.get(fw, fw)


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _ordered(frameworks) -> list[str]:
    present = list(dict.fromkeys(frameworks))
    return [f for f in _FRAMEWORK_ORDER if f in present] + [f for f in present if f not in _FRAMEWORK_ORDER]


def _add_line_with_band(fig: go.Figure, s, x: str, name: str, color: str, *, dash: str | None = None,
                        mode: str = "lines", legendgroup: str | None = None, row=None, col=None) -> None:
    """Mean line plus a filled 95 % CI band (drawn only where the CI exists, i.e. >= 2 seeds)."""
    s = s.sort_values(x)
    group = legendgroup or name
    where = dict(row=row, col=col) if row is not None else {}
    has_ci = s["ci95_low"].notna().any()
    if has_ci:
        xs = list(s[x]) + list(s[x])[::-1]
        ys = list(s["ci95_high"]) + list(s["ci95_low"])[::-1]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=_rgba(color, 0.18),
                                 line=dict(width=0), hoverinfo="skip", showlegend=False,
                                 legendgroup=group, name=f"{name} 95% CI"), **where)
    fig.add_trace(go.Scatter(x=s[x], y=s["mean"], mode=mode, name=name, legendgroup=group,
                             line=dict(color=color, dash=dash)), **where)


def _n_seeds_note(df) -> str:
    n = df["seed"].nunique() if "seed" in df.columns else 1
    return f"mean over {n} seed{'s' if n != 1 else ''}" + (", band: 95% CI" if n > 1 else "")


def _data_note(df) -> str:
    kinds = sorted(df["data"].unique()) if "data" in df.columns else ["real"]
    return "synthetic series fitted to the real data" if kinds == ["synthetic"] else (
        "real data" if kinds == ["real"] else "real and synthetic data")


def _title_layout(title: str, subtitle: str | None = None, *, legend_below: bool = True) -> dict:
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


def _real_runs(df):
    """One row per run (framework x seed, and sweep settings) of the real series."""
    if "data" in df.columns:
        df = df[df["data"] == "real"]
    keys = [c for c in ("dataset", "data", "framework", "seed", "M", "Sigma") if c in df.columns]
    return df.drop_duplicates(keys)


def _paper_percent_of_reference(paper):
    """The paper's values as a percentage of its Proposed framework's value (same setting)."""
    ref = paper[paper["framework_id"] == REFERENCE_FRAMEWORK]["value"]
    if ref.empty:
        return paper.iloc[0:0]
    return paper.assign(value=100.0 * paper["value"] / float(ref.iloc[0]))


_PERCENT_OF_PROPOSED = "% of Proposed"


def fig5_splitting_figure(df) -> go.Figure:
    """Fig. 5: mean throughput of the splitting and non-splitting frameworks, with the paper's
    reported values. Both sides are drawn as a percentage of their own Proposed framework's
    throughput (splitting deployment), because absolute Mb/slot are not comparable (our traffic
    scale differs); the hover of our bars also gives the absolute Mb/slot. Whiskers: 95 % CI
    over seeds of the per-seed ratio. ``df`` from :func:`splitalloc.experiments.fig5_splitting`."""
    from .experiments import summarize_with_ci

    runs = _real_runs(df)
    rel = summarize_with_ci(percent_of_reference(runs, "throughput"), ["framework"], "throughput")
    absolute = summarize_with_ci(runs, ["framework"], "throughput").set_index("framework")["mean"]
    order = _ordered(rel["framework"])
    rel = rel.set_index("framework").loc[order].reset_index()

    def label(fw: str) -> str:
        return _framework_label(fw) + (" (non-splitting)" if fw == "non-splitting" else " (splitting)")

    fig = go.Figure(go.Bar(
        x=[label(f) for f in rel["framework"]], y=rel["mean"],
        marker_color=[framework_color(f) for f in rel["framework"]],
        error_y=dict(type="data", symmetric=False, array=(rel["ci95_high"] - rel["mean"]).fillna(0),
                     arrayminus=(rel["mean"] - rel["ci95_low"]).fillna(0)),
        customdata=[absolute.get(f) for f in rel["framework"]],
        name="ours: mean throughput, % of Proposed (splitting)",
        hovertemplate="ours, %{x}: %{y:.1f} % of Proposed (%{customdata:.1f} Mb/slot)<extra></extra>",
    ))
    paper = _paper_percent_of_reference(paper_values("Fig. 5", metric="mean throughput"))
    paper = paper[paper["framework_id"].isin(order)]
    _add_paper_markers(fig, paper, [label(f) for f in paper["framework_id"]], paper["value"],
                       unit=_PERCENT_OF_PROPOSED, name="paper (Sec. V-B), % of Proposed (splitting)")
    layout = _title_layout("Fig. 5 — splitting vs non-splitting, GEANT",
                           _n_seeds_note(runs).replace("band", "whiskers"))
    layout["legend"]["y"] = -0.28
    fig.update_layout(**layout, xaxis_title="framework (deployment)",
                      yaxis_title="mean throughput (% of Proposed, splitting)", showlegend=True)
    return fig


def _per_slot_figure(df, value: str, title: str, yaxis: str, *, data: str | None = "real",
                     frameworks=None, paper_artefact: str | None = None,
                     paper_dataset: str = "geant") -> go.Figure:
    """Per-slot lines (top) and, with ``paper_artefact``, a bottom panel comparing the mean
    throughput with the paper's, both as % of the Proposed framework's (same seed)."""
    from plotly.subplots import make_subplots

    from .experiments import summarize_with_ci

    if data is not None and "data" in df.columns:
        df = df[df["data"] == data]
    if frameworks is not None:
        df = df[df["framework"].isin(frameworks)]
    x = "time" if "time" in df.columns else "slot"
    s = summarize_with_ci(df, ["framework", x], value)
    paper = None
    if paper_artefact is not None:
        paper = _paper_percent_of_reference(paper_values(paper_artefact, dataset=paper_dataset,
                                                         metric="mean throughput"))
    if paper is None or not len(paper):
        fig = go.Figure()
        where = {}
    else:
        fig = make_subplots(rows=2, cols=1, row_heights=[0.6, 0.4], vertical_spacing=0.2,
                            subplot_titles=("per test slot (ours)",
                                            "mean over the test period, % of Proposed: ours and the paper"))
        where = dict(row=1, col=1)
    for fw in _ordered(s["framework"]):
        _add_line_with_band(fig, s[s["framework"] == fw], x, _framework_label(fw),
                            framework_color(fw),
                            dash="dot" if fw == "offline" else None, **where)
    xtitle = "time slot (test period)" if x == "time" else "test slot"
    height = 540
    if where:
        runs = df.drop_duplicates(["framework", "seed"])
        ours = summarize_with_ci(percent_of_reference(runs, "throughput"), ["framework"], "throughput")
        source = paper["where_in_paper"].iloc[0]
        _comparison_bars(fig, ours, paper, unit=_PERCENT_OF_PROPOSED,
                         ours_name="ours: mean throughput, % of Proposed",
                         paper_name=f"paper ({source}), % of Proposed", row=2, col=1)
        fig.update_xaxes(title_text=xtitle, row=1, col=1)
        fig.update_yaxes(title_text=yaxis, row=1, col=1)
        fig.update_xaxes(title_text="framework", row=2, col=1)
        fig.update_yaxes(title_text="mean throughput (% of Proposed)", row=2, col=1)
        height = 860
        layout = _title_layout(title, f"{_data_note(df)}, {_n_seeds_note(df)}")
        layout["legend"]["y"] = -0.2
    else:
        layout = dict(_title_layout(title, f"{_data_note(df)}, {_n_seeds_note(df)}"),
                      xaxis_title=xtitle, yaxis_title=yaxis)
    fig.update_layout(**layout, height=height, legend_title="framework", hovermode="x unified")
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
    from plotly.subplots import make_subplots

    from .experiments import summarize_with_ci

    if "data" in df.columns:
        df = df[df["data"] == data]
    x = "time" if "time" in df.columns else "slot"
    fig = make_subplots(rows=2, cols=1, row_heights=[0.6, 0.4], vertical_spacing=0.2,
                        subplot_titles=("per test slot (ours)",
                                        "prediction accuracy: ours and the paper"))
    truth = summarize_with_ci(df[df["framework"] == "offline"], [x], "D_true")
    _add_line_with_band(fig, truth, x, "ground truth", FRAMEWORK_COLORS["offline"], dash="dot",
                        row=1, col=1)
    runs = df.drop_duplicates(["framework", "seed"])
    runs = runs[runs["framework"] != "offline"].assign(accuracy=100 * runs["accuracy"])
    acc = summarize_with_ci(runs, ["framework"], "accuracy")
    acc_mean = acc.set_index("framework")["mean"]
    for fw in _ordered(runs["framework"]):
        s = summarize_with_ci(df[df["framework"] == fw], [x], "D_pred")
        _add_line_with_band(fig, s, x, f"{_framework_label(fw)} (accuracy {acc_mean[fw]:.1f}%)",
                            framework_color(fw), row=1, col=1)
    paper = paper_values("Fig. 7", dataset="geant", metric="prediction accuracy")
    _comparison_bars(fig, acc, paper, unit="%", ours_name="ours: prediction accuracy (1 − WAPE)",
                     paper_name="paper (Fig. 7, Sec. V-C): prediction accuracy", row=2, col=1)
    fig.update_xaxes(title_text="time slot (test period)" if x == "time" else "test slot", row=1, col=1)
    fig.update_yaxes(title_text="total traffic over services (Mb/slot)", row=1, col=1)
    fig.update_xaxes(title_text="framework", row=2, col=1)
    fig.update_yaxes(title_text="prediction accuracy, 1 − WAPE (%)", row=2, col=1)
    layout = _title_layout("Fig. 7 — predicted vs true traffic, GEANT",
                           f"{_data_note(df)}, {_n_seeds_note(df)}")
    layout["legend"]["y"] = -0.2
    fig.update_layout(**layout, height=860, legend_title="prediction", hovermode="x unified")
    return fig


def _sweep_figure(df, x: str, value: str, title: str, xaxis: str, yaxis: str, *,
                  subtitle: str | None = None, paper=None, paper_unit: str = "") -> go.Figure:
    """Mean and 95 % band per framework against ``x``; with ``paper`` (rows of
    :func:`paper_values` with ``Sigma``), the paper's values as dashed lines."""
    from .experiments import summarize_with_ci

    s = summarize_with_ci(df, ["framework", x], value)
    fig = go.Figure()
    for fw in _ordered(s["framework"]):
        _add_line_with_band(fig, s[s["framework"] == fw], x, _framework_label(fw),
                            framework_color(fw), mode="lines+markers",
                            dash="dot" if fw == "offline" else None)
    if paper is not None:
        _add_paper_lines(fig, paper, unit=paper_unit)
    fig.update_layout(**_title_layout(title, subtitle or _n_seeds_note(df)), height=560 if paper is not None else 520,
                      xaxis_title=xaxis, yaxis_title=yaxis, legend_title="framework")
    return fig


def fig8_resource_figure(df) -> go.Figure:
    """Fig. 8: mean throughput against the average resource ``M`` (eq. 14) and, below, the
    throughput at the ``M`` nearest the paper's reported setting (M=120) beside the paper's,
    both as % of the Proposed framework's (absolute Mb/slot are not comparable).
    ``df`` from :func:`splitalloc.experiments.fig8_resource`."""
    import numpy as np
    from plotly.subplots import make_subplots

    from .experiments import summarize_with_ci

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
    for fw in _ordered(s["framework"]):
        _add_line_with_band(fig, s[s["framework"] == fw], "M", _framework_label(fw),
                            framework_color(fw), mode="lines+markers",
                            dash="dot" if fw == "offline" else None, row=1, col=1)
    at_m = df[df["M"] == m_near]
    ours = summarize_with_ci(percent_of_reference(at_m, "throughput", keys=("seed", "M")),
                             ["framework"], "throughput")
    _comparison_bars(fig, ours, _paper_percent_of_reference(paper), unit=_PERCENT_OF_PROPOSED,
                     ours_name=f"ours at M={m_near:g}: mean throughput, % of Proposed",
                     paper_name="paper (Sec. V-D-1), % of Proposed", row=2, col=1)
    fig.update_xaxes(title_text="average resource M = (μ_C + μ_B)/2 (resource units/slot)", row=1, col=1)
    fig.update_yaxes(title_text="mean throughput (Mb/slot)", row=1, col=1)
    fig.update_xaxes(title_text="framework", row=2, col=1)
    fig.update_yaxes(title_text="mean throughput (% of Proposed)", row=2, col=1)
    layout = _title_layout("Fig. 8 — throughput vs average resource M, GEANT",
                           f"Σ={sigma:g}, {_n_seeds_note(df)}")
    layout["legend"]["y"] = -0.2
    fig.update_layout(**layout, height=860, legend_title="framework")
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


def fig10_kaggle_figure(df, *, data: str = "real", frameworks=None) -> go.Figure:
    """Fig. 10: admitted traffic per test slot on the Kaggle dataset (as Fig. 6), with the
    paper's mean throughputs below (as % of the Proposed framework's).
    ``df`` from :func:`splitalloc.experiments.fig10_kaggle`."""
    return _per_slot_figure(df, "served", "Fig. 10 — admitted traffic, Kaggle",
                            "admitted traffic (Mb/slot)", data=data, frameworks=frameworks,
                            paper_artefact="Fig. 10", paper_dataset="kaggle")


def table4_figure(df, *, dataset: str = "geant") -> go.Figure:
    """Table 4 as a chart: utility (%) against Sigma for every framework on ``dataset``, with
    the paper's Table 4 values as dashed lines (comparable as is)."""
    t = df[(df["dataset"] == dataset) & (df["metric"] == "utility")].rename(columns={"value": "utility"})
    from .experiments import PAPER_DATASETS

    return _sweep_figure(t, "Sigma", "utility",
                         f"Table 4 — utility vs Σ, {PAPER_DATASETS.get(dataset, dataset)}",
                         "average standard deviation Σ (resource units/slot)",
                         "utility (% of offline optimum)",
                         paper=paper_values("Table 4", dataset=dataset, metric="utility"),
                         paper_unit="% of offline optimum")


def table4_styled(df, *, with_paper: bool = True, decimals: int = 2):
    """Table 4 in the paper's layout as a styled DataFrame: rows dataset x framework (and the
    two improvement rows), columns Sigma, cells "mean ± CI half-width" over seeds; with
    ``with_paper`` the paper's value of each cell follows in brackets where it reports one.
    ``df`` from :func:`splitalloc.experiments.table4_utility`."""
    import numpy as np

    from .experiments import PAPER_DATASETS, paper_numbers, summarize_with_ci

    s = summarize_with_ci(df, ["dataset", "framework", "label", "Sigma"], "value")
    paper = paper_numbers()
    paper = paper[paper["artefact"] == "Table 4"]
    lookup = {(r.dataset, r.framework, r.setting): r.value for r in paper.itertuples()}
    paper_fw = {"two-stage-lstm": "LSTM", "two-stage-bilstm": "Bi-LSTM", "objective-driven": "Proposed",
                "objective-driven - two-stage-lstm": "Proposed vs LSTM",
                "objective-driven - two-stage-bilstm": "Proposed vs Bi-LSTM"}
    cells = []
    for r in s.itertuples():
        half = r.ci95_high - r.mean
        txt = f"{r.mean:.{decimals}f}" + (f" ± {half:.{decimals}f}" if np.isfinite(half) else "")
        if with_paper:
            pv = lookup.get((PAPER_DATASETS.get(r.dataset), paper_fw.get(r.framework), f"Sigma={r.Sigma:g}"))
            if pv is not None:
                txt += f" [{pv:.2f}]"
        cells.append(txt)
    s["cell"] = cells
    s["dataset"] = s["dataset"].map(lambda d: PAPER_DATASETS.get(d, d))
    order = {f: i for i, f in enumerate(list(_FRAMEWORK_ORDER) + list(paper_fw)[3:])}
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


# ============================================================ the paper's reported numbers
#: How the paper's reported numbers are drawn on our figures: black markers, one symbol.
PAPER_MARKER = dict(color="#000000", symbol="diamond-open", size=11, line=dict(width=2))
#: The reference of the normalised comparisons (the paper reports no offline throughput).
REFERENCE_FRAMEWORK = "objective-driven"
#: Names in the paper's Fig. 5 that are not framework names (the deployment is in the name).
_PAPER_FIG5_NAMES = {"Proposed, splitting": "objective-driven",
                     "Proposed, non-splitting": "non-splitting"}


def paper_values(artefact: str, *, dataset: str | None = None, metric: str | None = None):
    """The paper's reported numbers for ``artefact`` ("Fig. 5" ... "Table 4") from the
    package's copy (``splitalloc/paper_numbers.csv``, :func:`splitalloc.experiments.paper_numbers`).

    ``dataset`` is ours ("geant", "kaggle"). Adds ``framework_id`` (our framework name, or the
    paper's name when it has none), ``Sigma`` (from settings like "Sigma=30", else NaN) and
    ``source`` ("Table 4, TOTEM" ...), used in the hover of every paper trace.
    """
    import numpy as np

    from .experiments import PAPER_DATASETS, PAPER_NAMES, paper_numbers

    paper = paper_numbers()
    paper = paper[paper["artefact"] == artefact]
    if dataset is not None:
        paper = paper[paper["dataset"] == PAPER_DATASETS.get(dataset, dataset)]
    if metric is not None:
        paper = paper[paper["metric"] == metric]
    ids = {name: fw for fw, name in PAPER_NAMES.items()} | _PAPER_FIG5_NAMES
    paper = paper.assign(framework_id=paper["framework"].map(lambda f: ids.get(f, f)))
    sigma = paper["setting"].astype(str).str.extract(r"Sigma=([0-9.]+)")[0].astype(float)
    where = paper["where_in_paper"].astype(str)
    source = np.where(where == artefact, artefact, artefact + ", " + where)
    return paper.assign(Sigma=sigma, source=[f"{s}, {d}" for s, d in zip(source, paper["dataset"])])


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


def _add_paper_markers(fig, paper, x, y, *, unit: str, name: str, row=None, col=None) -> None:
    """One marker trace of the paper's values at categories or settings ``x``."""
    if not len(paper):
        return
    trace = go.Scatter(x=list(x), y=list(y), mode="markers", name=name, marker=PAPER_MARKER,
                       customdata=list(paper["source"]), hovertemplate=_paper_hover(unit))
    fig.add_trace(trace, row=row, col=col) if row is not None else fig.add_trace(trace)


def _add_paper_lines(fig, paper, *, unit: str, row=None, col=None) -> None:
    """One dashed line per framework of the paper's values against ``Sigma`` (Fig. 9,
    Table 4), in the framework's colour, legend name "paper: <framework>"."""
    for fw in _ordered(paper["framework_id"]):
        p = paper[paper["framework_id"] == fw].sort_values("Sigma")
        trace = go.Scatter(x=p["Sigma"], y=p["value"], mode="lines+markers",
                           name=f"paper: {_framework_label(fw)} ({p['source'].iloc[0]})",
                           line=dict(color=framework_color(fw), dash="dash", width=1.5),
                           marker=dict(symbol="diamond-open", size=9, line=dict(width=2)),
                           customdata=list(p["source"]), hovertemplate=_paper_hover(unit))
        fig.add_trace(trace, row=row, col=col) if row is not None else fig.add_trace(trace)


def _comparison_bars(fig, ours, paper, *, unit: str, ours_name: str, paper_name: str,
                     row=None, col=None) -> None:
    """Bars of ours (mean, 95 % CI whiskers; one colour per framework) and the paper's value of
    the same framework as a black marker on the same category."""
    order = _ordered(ours["framework"])
    ours = ours.set_index("framework").loc[order].reset_index()
    labels = {fw: _framework_label(fw) for fw in order}
    bar = go.Bar(x=[labels[f] for f in ours["framework"]], y=ours["mean"], name=ours_name,
                 marker_color=[framework_color(f) for f in ours["framework"]],
                 error_y=dict(type="data", symmetric=False,
                              array=(ours["ci95_high"] - ours["mean"]).fillna(0),
                              arrayminus=(ours["mean"] - ours["ci95_low"]).fillna(0)),
                 hovertemplate="ours, %{x}: %{y:.2f} " + unit + "<extra></extra>")
    fig.add_trace(bar, row=row, col=col) if row is not None else fig.add_trace(bar)
    paper = paper[paper["framework_id"].isin(order)]
    _add_paper_markers(fig, paper, [labels[f] for f in paper["framework_id"]], paper["value"],
                       unit=unit, name=paper_name, row=row, col=col)


# ----------------------------------------------------------------- system model (H3)


def spring_layout(n_nodes: int, links, *, seed: int = 0, iterations: int = 300):
    """Deterministic force-directed 2-D positions (Fruchterman-Reingold), shape (n_nodes, 2).

    Drawing aid only (no science): used when the topology has no node coordinates, as
    ``geant.txt`` has none (its node ids are not mapped to SNDlib's named, located nodes).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1, 1, size=(n_nodes, 2))
    links = np.asarray(links, dtype=int).reshape(-1, 2)
    k = 1.0 / np.sqrt(max(n_nodes, 1))
    temp = 0.2
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=-1), 1e-6)
        disp = (delta / dist[..., None] * (k * k / dist)[..., None]).sum(axis=1)  # repulsion
        d = pos[links[:, 0]] - pos[links[:, 1]]
        dl = np.maximum(np.linalg.norm(d, axis=1), 1e-6)
        f = d / dl[:, None] * (dl * dl / k)[:, None]  # attraction along links
        np.add.at(disp, links[:, 0], -f)
        np.add.at(disp, links[:, 1], f)
        length = np.maximum(np.linalg.norm(disp, axis=1), 1e-9)
        pos += disp / length[:, None] * np.minimum(length, temp)[:, None]
        temp *= 0.985
    pos -= pos.mean(axis=0)
    return pos / np.abs(pos).max()


_SERVICE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")


def plot_network(network, deployment, *, positions=None, title: str | None = None):
    """The edge network with each service's deployed parts and paths (the paper's Fig. 2).

    Servers are sized by their true capacity ``C_i`` (eq. 13), links drawn once per
    undirected pair; discarded servers/links (non-positive draws, §V-D-1) are shown
    crossed/dotted. Each service has a legend entry: its parts' servers (labelled with the
    part number) and its cut paths (offset slightly so overlapping services stay visible).
    Hover text gives capacities and the parts each server hosts. ``positions`` (N, 2), e.g.
    map coordinates, is used when given; otherwise a deterministic force-directed layout
    (:func:`spring_layout`), which the figure says.
    """
    import numpy as np
    import plotly.graph_objects as go

    n = network.n_servers
    links = np.asarray(network.links)
    if positions is None:
        pos = spring_layout(n, links, seed=0)
        layout_note = "layout: force-directed (no node coordinates in geant.txt)"
    else:
        pos = np.asarray(positions, dtype=float)
        if pos.shape != (n, 2) or not np.isfinite(pos).all():
            raise ValueError(f"positions must be a finite ({n}, 2) array, got shape {pos.shape}")
        layout_note = "layout: given node coordinates"
    C, B = np.asarray(network.C), np.asarray(network.B)
    us, ul = np.asarray(network.usable_servers), np.asarray(network.usable_links)
    fig = go.Figure()
    # links: one segment per undirected pair, hover at the midpoint with both directions
    pairs: dict[tuple[int, int], list[int]] = {}
    for e, (u, v) in enumerate(links):
        pairs.setdefault((min(u, v), max(u, v)), []).append(e)
    for usable_pair, dash, colour, name in ((True, "solid", "#bbbbbb", "link"),
                                            (False, "dot", "#e89c9c", "discarded link")):
        xs, ys = [], []
        for (u, v), es in pairs.items():
            if all(ul[e] for e in es) == usable_pair:
                xs += [pos[u, 0], pos[v, 0], None]
                ys += [pos[u, 1], pos[v, 1], None]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, hoverinfo="skip",
                                     line=dict(color=colour, width=1.5, dash=dash)))
    mid = np.array([(pos[u] + pos[v]) / 2 for (u, v) in pairs])
    hover = ["<br>".join(f"link {e}: {links[e, 0]}→{links[e, 1]}, B = {B[e]:.1f} Mb/slot"
                         + ("" if ul[e] else " (discarded)") for e in es) for es in pairs.values()]
    fig.add_trace(go.Scatter(x=mid[:, 0], y=mid[:, 1], mode="markers", name="link capacity (hover)",
                             marker=dict(size=6, color="rgba(150,150,150,0.25)"), hovertext=hover,
                             hoverinfo="text", showlegend=False))
    hosts: dict[int, list[str]] = {i: [] for i in range(n)}
    for name, servers in zip(deployment.services, deployment.servers):
        for j, i in enumerate(servers):
            hosts[i].append(f"{name} part {j + 1}")
    # servers (under the services' markers)
    size = 8 + 14 * np.clip(C / max(C.max(), 1e-9), 0, 1)
    server_hover = [f"server {i}<br>C = {C[i]:.1f} resource units/slot"
                    + ("" if us[i] else " (discarded: draw ≤ 0)")
                    + (f"<br>hosts: {', '.join(hosts[i])}" if hosts[i] else "") for i in range(n)]
    for usable_flag, name, symbol in ((True, "server (size ∝ C)", "circle"), (False, "discarded server", "x")):
        idx = np.flatnonzero(us == usable_flag)
        if idx.size:
            fig.add_trace(go.Scatter(
                x=pos[idx, 0], y=pos[idx, 1], mode="markers", name=name,
                marker=dict(size=size[idx] if usable_flag else 10, symbol=symbol,
                            color="rgba(255,255,255,0.6)" if usable_flag else "#d62728",
                            line=dict(color="#444", width=1.5)),
                hovertext=[server_hover[i] for i in idx], hoverinfo="text"))
    # service paths and parts
    K = len(deployment.services)
    span = 0.012 * (K - 1)
    for k, (name, servers) in enumerate(zip(deployment.services, deployment.servers)):
        colour = _SERVICE_COLOURS[k % len(_SERVICE_COLOURS)]
        off = np.array([1.0, 1.0]) * (k * 0.012 - span / 2) if K > 1 else np.zeros(2)
        xs, ys = [], []
        cuts = deployment.cut_paths[k] if deployment.cut_paths else ()
        for cut in cuts:
            for e in cut:
                u, v = links[e]
                xs += [pos[u, 0] + off[0], pos[v, 0] + off[0], None]
                ys += [pos[u, 1] + off[1], pos[v, 1] + off[1], None]
        n_links = sum(len(c) for c in cuts)
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", legendgroup=name, showlegend=False,
                                     name=f"{name} path", hoverinfo="skip",
                                     line=dict(color=colour, width=4)))
        on = list(dict.fromkeys(servers))  # distinct servers, in chain order
        pts = np.array([pos[i] + off for i in on])
        parts_on = [[j + 1 for j, x in enumerate(servers) if x == i] for i in on]
        fig.add_trace(go.Scatter(
            x=pts[:, 0], y=pts[:, 1], mode="markers+text+lines" if not xs else "markers+text",
            name=f"{name}: {len(servers)} part(s) on {len(on)} server(s), {n_links} link(s)", legendgroup=name,
            text=[name[0] + ",".join(map(str, js)) for js in parts_on],
            textposition=("top center", "bottom center", "middle right", "middle left")[k % 4],
            textfont=dict(color=colour, size=12), line=dict(color=colour, width=4),
            marker=dict(size=11, color=colour, symbol="diamond"),
            hovertext=[f"{name} part(s) {', '.join(map(str, js))} on server {i}" for i, js in zip(on, parts_on)],
            hoverinfo="text"))
    kind = "split" if deployment.splitting else "non-splitting"
    details = (f"{n} servers, {len(links)} directed links, {kind} deployment (μ_C={network.mu_C:g}, "
               f"σ_C={network.sigma_C:g}, μ_B={network.mu_B:g}, σ_B={network.sigma_B:g})")
    layout = _title_layout(title or f"{getattr(network.topology, 'name', 'network')} network and service paths",
                           details)
    layout["legend"].update(title="legend (click to hide)", y=-0.02)
    layout["margin"] = dict(t=110)
    fig.update_layout(
        **layout,
        xaxis=dict(visible=False, title="x (layout units)"), yaxis=dict(visible=False, scaleanchor="x",
                                                                          title="y (layout units)"),
        plot_bgcolor="white", height=720,
        annotations=[dict(text=layout_note, xref="paper", yref="paper", x=0, y=1.0, showarrow=False,
                          font=dict(size=11, color="#666"), xanchor="left", yanchor="bottom")],
    )
    return fig


def plot_profiles(layers):
    """Per-layer FLOPs and output activation size of each service, with the chosen cuts.

    ``layers`` is the tidy frame of :func:`splitalloc.profiles.layer_frame` (or a list of
    :class:`~splitalloc.profiles.ServiceProfile`, converted with it). One row of panels per
    service: left, FLOPs per inference (GFLOP, log scale) coloured by part; right, output
    activation elements per input element (the bandwidth density a cut there would have,
    Mb per Mb of input, log scale). Dashed lines mark the cuts.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if not hasattr(layers, "columns"):
        from .profiles import layer_frame

        layers = layer_frame(list(layers))
    need = {"service", "position", "layer", "flops", "out_ratio", "part", "cut_after"}
    if missing := need - set(layers.columns):
        raise ValueError(f"plot_profiles: missing columns {sorted(missing)}")
    services = list(dict.fromkeys(layers["service"]))
    fig = make_subplots(rows=len(services), cols=2, shared_xaxes=False, vertical_spacing=0.16 if len(services) > 1 else 0.1,
                        subplot_titles=[t for s in services for t in (f"{s}: FLOPs per layer",
                                                                      f"{s}: output size / input size")])
    part_colours = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2")
    for r, s in enumerate(services, start=1):
        t = layers[layers["service"] == s]
        for part, tp in t.groupby("part"):
            fig.add_trace(go.Bar(x=tp["layer"], y=tp["flops"] / 1e9, name=f"part {part + 1}",
                                 legendgroup=f"part {part + 1}", showlegend=(r == 1),
                                 marker_color=part_colours[int(part) % len(part_colours)],
                                 hovertemplate="%{x}: %{y:.3g} GFLOP<extra>" + s + f" part {part + 1}</extra>"),
                          row=r, col=1)
        fig.add_trace(go.Scatter(x=t["layer"], y=t["out_ratio"], mode="lines+markers", name="output / input",
                                 legendgroup="ratio", showlegend=(r == 1), line=dict(color="#555"),
                                 hovertemplate="after %{x}: %{y:.3g} Mb per Mb input<extra>" + s + "</extra>"),
                      row=r, col=2)
        cuts = t[t["cut_after"]]
        fig.add_trace(go.Scatter(x=cuts["layer"], y=cuts["out_ratio"], mode="markers", name="chosen cut (b)",
                                 legendgroup="cut", showlegend=(r == 1),
                                 marker=dict(size=12, symbol="x", color="#d62728"),
                                 hovertemplate="cut after %{x}: b = %{y:.3g} Mb/Mb<extra>" + s + "</extra>"),
                      row=r, col=2)
        for col in (1, 2):
            for pos in cuts["position"]:
                fig.add_vline(x=pos + 0.5, line=dict(color="#d62728", dash="dash", width=1), row=r, col=col)
        fig.update_yaxes(type="log", title_text="GFLOP", row=r, col=1)
        fig.update_yaxes(type="log", title_text="Mb per Mb input", row=r, col=2)
        fig.update_xaxes(title_text="layer", tickangle=-60, row=r, col=1)
        fig.update_xaxes(title_text="cut after layer", tickangle=-60, row=r, col=2)
    fig.update_layout(title="Service profiles: compute and activation size per layer, with the chosen split points",
                      height=400 * len(services), barmode="stack", legend=dict(title="legend"))
    return fig


# ============================================================== LP layer scaling (benchmarks)
def plot_scaling(df, *, per_lp: bool = False) -> go.Figure:
    """Time per batch of :func:`splitalloc.layer.lp_solve` against the number of servers ``N``.

    ``df`` is ``benchmarks/results/scaling.csv`` (``python benchmarks/lp_layer.py --scaling``):
    columns ``N``, ``K``, ``m``, ``batch``, ``forward_ms``, ``forward_backward_ms``. One line per
    number of services ``K`` (solid: forward + backward, dotted: forward only; dashed: Moreau's
    active-set solver forward + backward where the CSV has ``moreau_ms``), log-log axes; hover
    shows ``m`` (rows of ``G``, eq. (4a)) and the batch size, which is smaller for the largest
    sizes. ``per_lp=True`` divides by the batch size (microseconds per LP). A
    dashed grey guide shows cubic growth in ``m`` (the cost the paper quotes for a dense KKT
    solve), anchored at the first point of the smallest K, for comparison only.
    """
    need = {"N", "K", "m", "batch", "forward_ms", "forward_backward_ms"}
    missing = need - set(df.columns)
    if missing:
        raise ValueError(f"plot_scaling: missing columns {sorted(missing)}; expected the CSV written by "
                         "benchmarks/lp_layer.py --scaling")
    palette = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
    df = df.copy()
    unit = "ms per batch"
    if per_lp:
        for col in ("forward_ms", "forward_backward_ms"):
            df[col] = df[col] / df["batch"] * 1e3
        unit = "µs per LP"
    fig = go.Figure()
    for i, (K, s) in enumerate(df.sort_values("N").groupby("K", sort=True)):
        color = palette[i % len(palette)]
        hover = [f"m={m}, batch={b}" for m, b in zip(s["m"], s["batch"])]
        fig.add_trace(go.Scatter(x=s["N"], y=s["forward_backward_ms"], mode="lines+markers",
                                 name=f"K={K}, forward+backward", line=dict(color=color),
                                 legendgroup=f"K{K}", text=hover,
                                 hovertemplate="N=%{x}: %{y:.3g} " + unit + " (%{text})<extra></extra>"))
        fig.add_trace(go.Scatter(x=s["N"], y=s["forward_ms"], mode="lines+markers",
                                 name=f"K={K}, forward", line=dict(color=color, dash="dot"),
                                 legendgroup=f"K{K}", text=hover,
                                 hovertemplate="N=%{x}: %{y:.3g} " + unit + " (%{text})<extra></extra>"))
    if "moreau_ms" in df.columns:                                  # the peer, dashed (same colours)
        for i, (K, s) in enumerate(df.sort_values("N").groupby("K", sort=True)):
            y = s["moreau_ms"] / (s["batch"] / 1e3 if per_lp else 1.0)
            if y.notna().any():
                fig.add_trace(go.Scatter(x=s["N"], y=y, mode="lines+markers", name=f"K={K}, Moreau active-set",
                                         line=dict(color=palette[i % len(palette)], dash="dash"),
                                         marker=dict(symbol="x"), legendgroup=f"K{K}",
                                         hovertemplate="N=%{x}: %{y:.3g} " + unit + "<extra>Moreau</extra>"))
    base = df[df["K"] == df["K"].min()].sort_values("N")
    if len(base) >= 2:
        m0, t0 = float(base["m"].iloc[0]), float(base["forward_backward_ms"].iloc[0])
        fig.add_trace(go.Scatter(x=base["N"], y=[t0 * (float(m) / m0) ** 3 for m in base["m"]],
                                 mode="lines", name="guide: ∝ m³ (dense KKT solve)",
                                 line=dict(color="#999999", dash="dash"), hoverinfo="skip"))
    batches = sorted(set(int(b) for b in df["batch"]))
    what = "time per LP" if per_lp else "time per batch"
    fig.update_layout(title=f"LP layer {what} vs network size (batch of {', '.join(map(str, batches))} LPs)",
                      xaxis_title="servers N (links E ≈ 3N)", yaxis_title=f"{what} [{unit.split(' per')[0]}]",
                      xaxis_type="log", yaxis_type="log", legend_title="services")
    return fig


def plot_scaling_K(df, *, per_lp: bool = False) -> go.Figure:
    """Time per batch (forward + backward) against the number of services ``K``, one line per
    network size ``N``; Moreau's active-set solver dashed where ``df`` has ``moreau_ms``.

    ``df`` is ``benchmarks/results/scaling.csv``. Log-log axes; ``per_lp=True`` gives
    microseconds per LP. A missing Moreau point (a failed or out-of-memory run; the CSV's
    ``moreau_note`` says which) leaves a gap.
    """
    need = {"N", "K", "batch", "forward_backward_ms"}
    missing = need - set(df.columns)
    if missing:
        raise ValueError(f"plot_scaling_K: missing columns {sorted(missing)}; expected the CSV written by "
                         "benchmarks/lp_layer.py --scaling")
    palette = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
    div = (df["batch"] / 1e3) if per_lp else 1.0
    unit = "µs per LP" if per_lp else "ms per batch"
    d = df.assign(ours=df["forward_backward_ms"] / div,
                  moreau=(df["moreau_ms"] / div) if "moreau_ms" in df.columns else float("nan"))
    fig = go.Figure()
    for i, (N, s) in enumerate(d.sort_values("K").groupby("N", sort=True)):
        color = palette[i % len(palette)]
        fig.add_trace(go.Scatter(x=s["K"], y=s["ours"], mode="lines+markers", name=f"N={N}, lp_solve",
                                 line=dict(color=color), legendgroup=f"N{N}",
                                 hovertemplate="K=%{x}: %{y:.3g} " + unit + "<extra>lp_solve</extra>"))
        if s["moreau"].notna().any():
            fig.add_trace(go.Scatter(x=s["K"], y=s["moreau"], mode="lines+markers", name=f"N={N}, Moreau",
                                     line=dict(color=color, dash="dash"), marker=dict(symbol="x"),
                                     legendgroup=f"N{N}", connectgaps=False,
                                     hovertemplate="K=%{x}: %{y:.3g} " + unit + "<extra>Moreau</extra>"))
    batches = sorted(set(int(b) for b in df["batch"]))
    fig.update_layout(**_title_layout("LP layer time vs number of services",
                                      f"forward + backward, batch of {', '.join(map(str, batches))} LPs; "
                                      "dashed: Moreau active-set"),
                      xaxis_title="services K", yaxis_title=f"time [{unit}]", xaxis_type="log",
                      yaxis_type="log", height=460)
    return fig


# ============================================================== method page (LP layer checks)
def plot_gradient_check(df, *, tol: float = 1e-12, fd_tol: float = 1e-9) -> go.Figure:
    """Bar chart of the layer's gradient ``d(p·d*)/dh`` (eqs. 9-12) with the central finite
    differences as markers, on the rows where either is non-zero (autograd beyond ``tol``,
    finite difference beyond ``fd_tol``, which allows for its rounding noise).

    ``df`` is :func:`splitalloc.diagnostics.finite_difference_check`'s frame (columns
    ``label``, ``autograd``, ``finite_difference``).
    """
    need = {"label", "autograd", "finite_difference"}
    if need - set(df.columns):
        raise ValueError(f"plot_gradient_check: missing columns {sorted(need - set(df.columns))}; expected "
                         "the frame of splitalloc.diagnostics.finite_difference_check")
    rows = df[(df["autograd"].abs() > tol) | (df["finite_difference"].abs() > fd_tol)]
    fig = go.Figure()
    fig.add_bar(x=rows["label"], y=rows["autograd"], name="autograd (KKT backward)", marker_color="#1f77b4")
    fig.add_scatter(x=rows["label"], y=rows["finite_difference"], mode="markers",
                    name="central finite difference", marker=dict(symbol="x", size=12, color="#d62728"))
    fig.update_layout(**_title_layout("Gradient of the revenue p·d* with respect to h",
                                      "rows of h with a non-zero entry", legend_below=False),
                      xaxis_title="row of h", yaxis_title="∂(p·d*)/∂h (revenue per unit of h)",
                      legend_title="method", height=440)
    return fig


def _check_benchmark(df) -> None:
    need = {"method", "median_ms", "best_ms", "per_lp_us", "ratio"}
    if need - set(df.columns):
        raise ValueError(f"missing columns {sorted(need - set(df.columns))}; expected "
                         "benchmarks/results/lp_layer.csv written by benchmarks/lp_layer.py")


def lp_layer_table_styled(df):
    """``benchmarks/results/lp_layer.csv`` as a styled table: (case,) method, median and best
    time per batch (ms), median time per LP (µs), the ratio to our forward+backward pass of the
    same case and, where the CSV has them, the objective gap to HiGHS and the largest
    difference from our ``dl/dh`` on the clearly non-degenerate instances. A method that failed
    shows its error instead of times."""
    _check_benchmark(df)
    cols = {"case": "case", "method": "method", "median_ms": "median [ms]", "best_ms": "best [ms]",
            "per_lp_us": "per LP [µs]", "ratio": "× ours fwd+bwd", "obj_gap_vs_highs": "objective gap vs HiGHS",
            "grad_gap_vs_ours_nondeg": "|dl/dh − ours|", "note": "note"}
    t = df[[c for c in cols if c in df.columns]].rename(columns=cols)
    if "note" in t.columns:
        t["note"] = t["note"].fillna("")
    sci = [c for c in ("objective gap vs HiGHS", "|dl/dh − ours|") if c in t.columns]
    return (t.style.hide(axis="index").format(precision=2, na_rep="–")
            .format(precision=1, subset=["per LP [µs]", "× ours fwd+bwd"], na_rep="–")
            .format("{:.1e}", subset=sci, na_rep="–").set_uuid("lp_layer"))


def plot_lp_layer_benchmark(df) -> go.Figure:
    """Median time per LP (µs, log axis) of each method in ``benchmarks/results/lp_layer.csv``,
    one group of bars per case (number of services ``K``) when the CSV has a ``case`` column;
    without one, our layer in red and the peers in grey. The hover shows the median and best
    time per batch; failed methods are left out."""
    _check_benchmark(df)
    df = df[df["per_lp_us"].notna()]
    batch = f"batch of {int(df['batch'].iloc[0])} LPs, " if "batch" in df.columns else ""
    machine = (f"torch {df['torch'].iloc[0]}, {int(df['threads'].iloc[0])} threads, load {df['load_avg_1min'].iloc[0]:g}, "
               f"{df['date'].iloc[0]}" if {"torch", "threads", "load_avg_1min", "date"} <= set(df.columns) else "")
    hover = ("%{y}: %{x:.3g} µs per LP (batch median %{customdata[0]:.3g} ms, "
             "best %{customdata[1]:.3g} ms)<extra>%{fullData.name}</extra>")
    fig = go.Figure()
    if "case" in df.columns:
        palette = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e")
        for i, (case, s) in enumerate(df.groupby("case", sort=False)):
            fig.add_trace(go.Bar(x=s["per_lp_us"], y=s["method"], orientation="h", name=str(case),
                                 marker_color=palette[i % len(palette)],
                                 customdata=s[["median_ms", "best_ms"]].to_numpy(), hovertemplate=hover))
        fig.update_layout(barmode="group", legend_title="case")
    else:
        ours = df["method"].str.startswith("ours")
        fig.add_trace(go.Bar(x=df["per_lp_us"], y=df["method"], orientation="h", name="median time per LP",
                             marker_color=["#d62728" if o else "#7f7f7f" for o in ours],
                             customdata=df[["median_ms", "best_ms"]].to_numpy(), hovertemplate=hover))
    n_methods = df["method"].nunique()
    fig.update_layout(**_title_layout("LP layer vs peers: time per LP", batch + machine, legend_below=False),
                      xaxis_title="median wall-clock time per LP (µs, log scale)", xaxis_type="log",
                      yaxis_title="method", yaxis=dict(autorange="reversed"), showlegend=True,
                      legend=dict(orientation="h", yanchor="top", y=-0.2, x=0),
                      height=max(420, 60 * n_methods + 200))
    return fig


# ============================================================== paper vs ours, parameters
#: Background of each verdict word in the claims table.
VERDICT_COLOURS = {SUPPORTED: "#e6f4ea", NOT_SUPPORTED: "#fdecea", INCONCLUSIVE: "#fff4d6",
                   NOT_SUPPORTED_OR_INCONCLUSIVE: "#fdecea", NOT_RUN: "#f2f2f2"}


def claim_verdicts(claims):
    """One word per claim. A ``verdict`` column (the experiments package's words: supported /
    not supported / inconclusive) is used as is; otherwise the boolean ``supported`` column is
    put in words: True is "supported", False "not supported or inconclusive" (the boolean does
    not tell the two apart), missing "not run"."""
    import pandas as pd

    if "verdict" in claims.columns:
        return claims["verdict"].fillna(NOT_RUN).astype(str)
    return pd.Series([NOT_RUN if v is None or v != v else (SUPPORTED if bool(v) else
                      NOT_SUPPORTED_OR_INCONCLUSIVE) for v in claims["supported"]],
                     index=claims.index, name="verdict")


def claims_styled(claims):
    """The claims table of :func:`splitalloc.experiments.compare_with_paper` with the verdict
    in words (:func:`claim_verdicts`), first, shaded by verdict."""
    shown = [c for c in ("claim", "paper", "ours", "note") if c in claims.columns]
    table = claims[shown].copy()  # estimate, CI and n are in the "ours" text already
    table.insert(0, "verdict", claim_verdicts(claims))

    def _shade(col):
        return [f"background-color: {VERDICT_COLOURS.get(v, '#ffffff')}" for v in col]

    return (table.style.hide(axis="index").format(precision=2).apply(_shade, subset=["verdict"])
            .set_properties(**{"text-align": "left", "white-space": "normal"}).set_uuid("claims"))


#: Column titles of the summary tables printed above the figures.
_SUMMARY_TITLES = {"framework": "framework", "n": "seeds", "mean": "mean", "ci95_low": "95% CI low",
                   "ci95_high": "95% CI high", "data": "data", "M": "M", "Sigma": "Σ"}


def summary_styled(summary, *, columns, caption: str, decimals: int = 1, titles=None, uuid: str | None = None):
    """A summary frame (e.g. :func:`splitalloc.experiments.summarize_with_ci`) as a styled HTML
    table: the chosen ``columns``, frameworks under the paper's names, floats to ``decimals``,
    column ``titles`` (defaults for the usual summary columns), a caption, no index."""
    t = summary[list(columns)].copy()
    if "framework" in t.columns:  # settings first, then frameworks in the figures' order
        rank = {fw: i for i, fw in enumerate(_ordered(t["framework"]))}
        keys = [c for c in ("dataset", "data", "M", "Sigma") if c in t.columns]
        t = (t.assign(_rank=t["framework"].map(rank)).sort_values([*keys, "_rank"], kind="stable")
             .drop(columns="_rank"))
        t["framework"] = t["framework"].map(_framework_label)
    t = t.rename(columns={**_SUMMARY_TITLES, **(titles or {})})
    styler = (t.style.hide(axis="index").format(precision=decimals).set_caption(caption)
              .set_table_styles([{"selector": "caption", "props": "caption-side: top; text-align: left;"}]))
    return styler.set_uuid(uuid) if uuid else styler


_COMPARISON_COLUMNS = ("artefact", "dataset", "framework", "setting", "metric", "data", "paper",
                       "ours (95% CI)", "difference", "comparable")


def comparison_styled(comparison):
    """The side-by-side numbers of :func:`splitalloc.experiments.compare_with_paper`, compact:
    the unit joined to the metric, ours as "mean [low, high]" (95 % CI), "comparable" in words,
    two decimals; each row's note is the tooltip of its "ours" cell (hover)."""
    import numpy as np

    table = comparison.copy()
    if "unit" in table.columns:
        table["metric"] = table["metric"].astype(str) + " (" + table["unit"].fillna("").astype(str) + ")"
    if {"mean", "ci95_low", "ci95_high"} <= set(table.columns):
        table["ours (95% CI)"] = [
            "" if not np.isfinite(m) else f"{m:.2f}" + (f" [{lo:.2f}, {hi:.2f}]" if np.isfinite(lo) else "")
            for m, lo, hi in zip(table["mean"], table["ci95_low"], table["ci95_high"])]
    if "comparable" in table.columns:  # words, not Python booleans
        table["comparable"] = table["comparable"].map({True: "yes", False: "no"}).fillna("")
    cols = [c for c in _COMPARISON_COLUMNS if c in table.columns]
    styler = table[cols].style.hide(axis="index").format(precision=2).set_uuid("comparison")
    if "note" in table.columns and "ours (95% CI)" in cols:
        import pandas as pd

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
                    marker=dict(color="#1f77b4", size=8),
                    error_x=dict(type="data", symmetric=False,
                                 array=(comp["ci95_high"] - comp["mean"]).fillna(0),
                                 arrayminus=(comp["mean"] - comp["ci95_low"]).fillna(0)))
    fig.add_scatter(x=comp["paper"], y=label, mode="markers", name="paper",
                    marker=dict(color="#d62728", symbol="x", size=9))
    fig.update_layout(**_title_layout("Comparable numbers: paper vs ours", legend_below=False),
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
    for source, colour in (("paper", "#1f77b4"), ("assumption", "#ff7f0e")):
        if source in by_group:
            fig.add_bar(x=list(by_group.index), y=by_group[source].tolist(), name=source, marker_color=colour)
    fig.update_layout(barmode="stack", **_title_layout("Parameters by group and source", legend_below=False),
                      xaxis_title="parameter group", yaxis_title="number of parameters", legend_title="source",
                      height=400)
    return fig
