"""The drawings of the system-model page (presentation only: no science here).

* :func:`plot_network`: the edge network with each service's deployed parts and paths (the
  paper's Fig. 2), on a deterministic force-directed layout (:func:`spring_layout`) when the
  topology has no coordinates;
* :func:`plot_profiles`: each service's FLOPs and activation size per layer, with the cuts.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..profiles import layer_frame
from .common import title_layout


def spring_layout(n_nodes: int, links, *, seed: int = 0, iterations: int = 300):
    """Deterministic force-directed 2-D positions (Fruchterman-Reingold), shape (n_nodes, 2).

    Drawing aid only (no science): used when the topology has no node coordinates, as
    ``geant.txt`` has none (its node ids are not mapped to SNDlib's named, located nodes).
    """
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
    layout = title_layout(title or f"{getattr(network.topology, 'name', 'network')} network and service paths",
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
    if not hasattr(layers, "columns"):
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
