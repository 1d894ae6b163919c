"""Figures and tables of the robustness page (presentation only: no science here).

* :func:`robustness_heatmap`: the grid of :func:`splitalloc.experiments.robustness_grid` as
  coloured cells (claim x assumption value), the verdict in words in each cell and the
  estimate with its 95 % CI on hover.
* :func:`robustness_styled`: the same grid as a table, the quick-scale verdict beside the
  paper-scale one where they differ (:func:`splitalloc.experiments.verdict_changes`).
* :func:`capacity_error_figure`: ``|Ĉ - C|`` against ``|mu - C|`` on the resources the
  deployment uses, one panel per Sigma (:func:`splitalloc.experiments.capacity_estimates`).
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..experiments import verdict_changes
from ..experiments.judge import NOT_RUN, VERDICTS
from .common import VERDICT_COLOURS, format_estimate, title_layout, verdict_shading
from .comparison import CLAIM_SHORT as _CLAIM_SHORT

#: The verdict classes in the heatmap's colour order (the judge's); a class's code is its index.
_VERDICT_ORDER = VERDICTS
_VERDICT_CODE = {v: i for i, v in enumerate(_VERDICT_ORDER)}


def _check_grid(grid) -> None:
    need = {"claim", "axis", "value", "verdict", "estimate", "ci_low", "ci_high"}
    missing = need - set(grid.columns)
    if missing:
        raise ValueError(f"robustness grid lacks columns {sorted(missing)}; expected the frame of "
                         "splitalloc.experiments.robustness_grid")


def robustness_heatmap(grid, *, title: str = "How each verdict moves with our assumptions") -> go.Figure:
    """Claims (rows) x assumption values (columns, grouped by axis), coloured by verdict."""
    _check_grid(grid)
    cols = list(dict.fromkeys(zip(grid["axis"], grid["value"])))
    claims = list(dict.fromkeys(grid["claim"]))
    idx = grid.set_index(["claim", "axis", "value"])
    z, text, hover = [], [], []
    for c in claims:
        zr, tr, hr = [], [], []
        for a, v in cols:
            r = idx.loc[(c, a, v)]
            zr.append(_VERDICT_CODE.get(r["verdict"], _VERDICT_CODE[NOT_RUN]))
            tr.append(r["verdict"])
            est = format_estimate(r["estimate"], r["ci_low"], r["ci_high"])
            unit = f" {r['unit']}" if "unit" in grid.columns else ""
            eff = f"<br>paper's effect {r['paper_effect']:+.2f}, MDE {r['mde']:.2f}" if "mde" in grid.columns \
                and r["mde"] == r["mde"] else ""
            hr.append(f"{_CLAIM_SHORT.get(c, c)}<br>{a} = {v}<br>{r['verdict']}: {est}{unit}{eff}")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    colorscale, k = [], len(_VERDICT_ORDER)
    for i, name in enumerate(_VERDICT_ORDER):
        colorscale += [[i / k, VERDICT_COLOURS[name]], [(i + 1) / k, VERDICT_COLOURS[name]]]
    x = [f"{a}:<br>{v}" for a, v in cols]
    y = [_CLAIM_SHORT.get(c, c) for c in claims]
    fig = go.Figure(go.Heatmap(z=z, x=x, y=y, text=text, texttemplate="%{text}", hovertext=hover,
                               hoverinfo="text", colorscale=colorscale, zmin=-0.5, zmax=k - 0.5,
                               showscale=False, xgap=2, ygap=2))
    layout = title_layout(title, "one factor varied at a time around the default "
                                  "(first value of each axis); verdict from the 95% CI over seeds "
                                  "and the paper's effect",
                           legend_below=False)
    layout["margin"] = {**layout.get("margin", {}), "b": 160}
    fig.update_layout(**layout,
                      xaxis=dict(title="assumption (axis: value)", tickangle=-45, side="bottom"),
                      yaxis=dict(title="claim of the paper", autorange="reversed"),
                      height=420 + 8 * len(claims))
    return fig


def robustness_styled(grid, quick=None, *, decimals: int = 2):
    """The grid as a table (claim, axis, value, verdict, estimate [CI]); with ``quick`` (the
    quick-scale grid) a column shows the quick verdict where it differs."""
    _check_grid(grid)
    g = verdict_changes(grid, quick)
    units = g["unit"] if "unit" in g.columns else [""] * len(g)
    table = g.assign(claim=g["claim"].map(lambda c: _CLAIM_SHORT.get(c, c)),
                     estimate=[format_estimate(e, lo, hi, decimals=decimals, unit=u)
                               for e, lo, hi, u in zip(g["estimate"], g["ci_low"], g["ci_high"], units)])
    num = lambda x: "" if x != x else f"{x:.2f}"  # noqa: E731
    table = table.assign(mde=[num(x) for x in g["mde"]], paper_effect=[num(x) for x in g["paper_effect"]])
    keep = ["claim", "axis", "value", "verdict", "estimate", "mde", "paper_effect", "n_seeds"] + (
        ["quick_verdict"] if quick is not None else [])
    table = table[keep].rename(columns={"estimate": "estimate [95% CI]", "n_seeds": "seeds", "mde": "MDE",
                                        "paper_effect": "paper's effect",
                                        "quick_verdict": "quick scale (if different)"})
    return (table.style.hide(axis="index").apply(verdict_shading, subset=["verdict"])
            .set_properties(**{"text-align": "left"}).set_uuid("robustness"))


def capacity_error_figure(df, *, framework: str = "objective-driven") -> go.Figure:
    """``|Ĉ - C|`` (y) against ``|mu - C|`` (x) on the used servers and links, one panel per
    Sigma; points below the diagonal are resources whose learned estimate is closer to the true
    capacity than the mean the two-stage baselines use."""
    need = {"framework", "Sigma", "kind", "used", "err_estimate", "err_mean"}
    if not need <= set(df.columns):
        raise ValueError(f"capacity frame lacks columns {sorted(need - set(df.columns))}; expected "
                         "splitalloc.experiments.capacity_estimates")
    d = df[(df["framework"] == framework) & df["used"].astype(bool)]
    if d.empty:
        raise ValueError(f"no used resources of framework {framework!r} in the capacity frame")
    sigmas = sorted(d["Sigma"].unique())
    fig = make_subplots(rows=1, cols=len(sigmas), subplot_titles=[f"Σ = {s:g}" for s in sigmas],
                        shared_yaxes=True)
    colors = {"server": "#d62728", "link": "#1f77b4"}
    top = float(max(d["err_estimate"].max(), d["err_mean"].max(), 1.0)) * 1.05
    for j, s in enumerate(sigmas, start=1):
        sel = d[d["Sigma"] == s]
        for kind in ("server", "link"):
            k = sel[sel["kind"] == kind]
            if k.empty:
                continue
            fig.add_trace(go.Scatter(x=k["err_mean"], y=k["err_estimate"], mode="markers",
                                     marker=dict(color=colors[kind], size=6, opacity=0.6),
                                     name=f"{kind}s", legendgroup=kind, showlegend=j == 1,
                                     hovertemplate=f"{kind}: |μ - C| %{{x:.1f}}, |Ĉ - C| %{{y:.1f}}<extra></extra>"),
                          row=1, col=j)
        fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", line=dict(color="#888", dash="dot"),
                                 name="|Ĉ - C| = |μ - C|", showlegend=j == 1, hoverinfo="skip"), row=1, col=j)
        fig.update_xaxes(title_text="|μ - C| (units/slot)", range=[0, top], row=1, col=j)
    fig.update_yaxes(title_text="|Ĉ - C| (units/slot)", range=[0, top], row=1, col=1)
    n = d["seed"].nunique() if "seed" in d.columns else 1
    fig.update_layout(**title_layout("Learned capacity estimates against the truth",
                                      f"{framework}, resources used by the deployment, {n} seeds; "
                                      "below the diagonal: the estimate is closer to C than the mean"),
                      height=420)
    return fig
