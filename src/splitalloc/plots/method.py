"""The figures and tables of the method page: the LP layer's gradient check, its speed against
its peers and its scaling with the network size (presentation only: no science here).
"""

from __future__ import annotations

import plotly.graph_objects as go

from .common import title_layout

#: One colour per line (network size or number of services) in the scaling figures.
_SCALING_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


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
    fig.update_layout(**title_layout("Gradient of the revenue p·d* with respect to h",
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
    fig.update_layout(**title_layout("LP layer vs peers: time per LP", batch + machine, legend_below=False),
                      xaxis_title="median wall-clock time per LP (µs, log scale)", xaxis_type="log",
                      yaxis_title="method", yaxis=dict(autorange="reversed"), showlegend=True,
                      legend=dict(orientation="h", yanchor="top", y=-0.2, x=0),
                      height=max(420, 60 * n_methods + 200))
    return fig


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
    palette = _SCALING_PALETTE
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
    palette = _SCALING_PALETTE
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
    fig.update_layout(**title_layout("LP layer time vs number of services",
                                      f"forward + backward, batch of {', '.join(map(str, batches))} LPs; "
                                      "dashed: Moreau active-set"),
                      xaxis_title="services K", yaxis_title=f"time [{unit}]", xaxis_type="log",
                      yaxis_type="log", height=460)
    return fig
