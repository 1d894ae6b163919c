"""The Calibration page (issue 17): the paper's baseline targets beside the best fit with their
implausibilities, the spread of the calibrated set (or of the closest candidates) per group, the Morris
screening of the fit, the held-out table; and the declared ranges for the parameters page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..experiments import calibration as cal
from .common import VERDICT_COLOURS, title_layout


def calibration_ranges() -> pd.DataFrame:
    """Each calibration group with its declared range (or choices), today's value, its design scale and
    the reason for the range (:data:`splitalloc.experiments.calibration.GROUPS`)."""
    return pd.DataFrame([{"group": g.name,
                          "range": str(list(g.choices)) if g.scale == "categorical" else f"[{g.low:g}, {g.high:g}]",
                          "today": f"{g.default:.4g}", "design scale": g.scale, "reason": g.reason}
                         for g in cal.GROUPS])


def calibration_ranges_styled(table: pd.DataFrame | None = None):
    """:func:`calibration_ranges` as a styled table."""
    table = calibration_ranges() if table is None else table
    return (table.style.hide(axis="index").set_uuid("calibration_ranges")
            .set_properties(subset=["reason"], **{"text-align": "left", "white-space": "normal"})
            .set_caption("Calibration groups: declared ranges, today's value and why (fixed before fitting)"))


def target_fit(table: pd.DataFrame) -> pd.DataFrame:
    """One row per target (and check) of the calibration: the paper's value, today's point and the best
    fit (our mean over seeds, implausibility)."""
    paper = cal.targets().set_index("target")
    today = table[table["stage"] == "today"].iloc[0]
    best = table[table["best"].astype(bool)].iloc[0]
    names = [c[2:-1] for c in table.columns if c.startswith("I[")]
    return pd.DataFrame([{"target": t, "role": paper.loc[t, "role"], "paper": paper.loc[t, "value"],
                          "today": today[f"mean[{t}]"], "I today": today[f"I[{t}]"],
                          "best fit": best[f"mean[{t}]"], "I best fit": best[f"I[{t}]"]} for t in names])


def target_fit_styled(table: pd.DataFrame):
    """:func:`target_fit` as a styled table; implausibilities above 3 in red."""
    fit = target_fit(table)

    def _red(col):
        return ["color: #b00020; font-weight: bold" if v > cal.SET_THRESHOLD else "" for v in col]

    return (fit.style.hide(axis="index").set_uuid("calibration_targets").format(precision=2)
            .apply(_red, subset=["I today", "I best fit"])
            .set_caption("Baseline targets: the paper, today's environment and the best fit "
                         "(I: implausibility; Fig. 8 rows are checks, not fitted)"))


def implausibility_figure(table: pd.DataFrame) -> go.Figure:
    """Implausibility of each target at today's point and at the best fit, with the threshold 3."""
    fit = target_fit(table)
    fig = go.Figure()
    for col, colour in (("I today", "#999999"), ("I best fit", "#1f77b4")):
        fig.add_bar(y=fit["target"], x=fit[col], orientation="h", name=col.replace("I ", ""), marker_color=colour)
    fig.add_vline(x=cal.SET_THRESHOLD, line_dash="dash", line_color="#b00020",
                  annotation_text="threshold", annotation_position="top")
    fig.update_layout(barmode="group", height=max(400, 18 * len(fit)),
                      **title_layout("Implausibility of each baseline target",
                                     "|paper − ours| / √(s²(1 + 1/n) + δ²); a candidate is in the set when "
                                     "every target is at most 3"),
                      xaxis_title="implausibility", yaxis_title="target", yaxis_autorange="reversed")
    return fig


def set_members(table: pd.DataFrame, closest: int = 10) -> tuple[pd.DataFrame, bool]:
    """The calibrated set's members, or (when it is empty) the ``closest`` candidates by worst
    implausibility; the flag says which."""
    members = table[table["in_set"].astype(bool)]
    if len(members):
        return members, True
    return table.nsmallest(closest, "max_implausibility"), False


def set_spread_figure(table: pd.DataFrame, closest: int = 10) -> go.Figure:
    """Per group, every candidate's value on its declared range (0: low end, 1: high end), the set's
    members (or the closest candidates) highlighted and the best fit marked."""
    members, in_set = set_members(table, closest)
    best = table[table["best"].astype(bool)]
    fig = go.Figure()
    for frame, name, colour, size, symbol in ((table, "every candidate", "#cccccc", 6, "circle"),
                                              (members, "in the set" if in_set else f"{len(members)} closest",
                                               "#1f77b4", 9, "circle"),
                                              (best, "best fit", "#b00020", 13, "diamond")):
        xs, ys = [], []
        for g in cal.GROUPS:
            xs += [g.to_unit(v) for v in frame[g.name]]
            ys += [g.name] * len(frame)
        fig.add_scatter(x=xs, y=ys, mode="markers", name=name,
                        marker=dict(color=colour, size=size, symbol=symbol, opacity=0.8))
    fig.update_layout(**title_layout("Where the candidates lie in each group's declared range",
                                     "0 = low end, 1 = high end (log groups on a log scale)"),
                      xaxis_title="position in the declared range", yaxis_title="group", height=450,
                      xaxis_range=[-0.05, 1.05])
    return fig


def morris_figure(morris: pd.DataFrame) -> go.Figure:
    """Morris screening of the fit's squared error: mu* (how much the fit depends on a group, with its
    bootstrap 95 % half-width as a whisker) and the spread sigma (interactions, non-linearity) as a
    second bar."""
    m = morris.sort_values("mu_star")
    fig = go.Figure()
    conf = (dict(type="data", array=m["mu_star_conf"], color="#333") if "mu_star_conf" in m.columns else None)
    fig.add_bar(y=m["group"], x=m["mu_star"], orientation="h", name="μ* (mean |elementary effect|)",
                marker_color="#1f77b4", error_x=conf)
    fig.add_bar(y=m["group"], x=m["sigma"], orientation="h", name="σ (spread of the effects)",
                marker_color="#ff7f0e")
    fig.update_layout(barmode="group", height=450,
                      **title_layout("Which groups the targets pin down (Morris screening)",
                                     "elementary effects of the squared error over the targets, per unit of "
                                     "each group's declared range"),
                      xaxis_title="effect on the squared error (per unit range)", yaxis_title="group",
                      xaxis_type="log")
    return fig


def best_fit_styled(record: pd.DataFrame):
    """:func:`splitalloc.experiments.calibration.best_fit_record` as a styled table."""
    return (record.style.hide(axis="index").set_uuid("calibration_best_fit").format(precision=4)
            .set_properties(subset=["provenance"], **{"text-align": "left", "white-space": "normal"})
            .set_caption("The best fit's values (source: calibrated) beside today's"))


def heldout_styled(heldout: pd.DataFrame):
    """The held-out table (``heldout.csv``): the paper's number, ours with its interval over seeds and the
    prediction error; rows we do not compute are kept and say so."""
    cols = ["artefact", "dataset", "framework", "setting", "metric", "paper", "ours", "ci_low", "ci_high",
            "n_seeds", "error", "comparable", "environment"]
    t = heldout[cols].copy()
    return (t.style.hide(axis="index").set_uuid("calibration_heldout").format(precision=2, na_rep="—")
            .set_caption("Held-out paper numbers (the proposed method) beside ours "
                         "(absolute throughputs are on our traffic scale: not comparable)"))


def calibration_summary(table: pd.DataFrame) -> dict:
    """Counts and the best fit for the page's prose: ``n`` candidates, ``n_set`` (in the set),
    ``n_set_allow_one`` (in the set if the worst single target may exceed 3), ``best_max_I``,
    ``best_worst_target``, ``best_in_set``."""
    icols = [c for c in table.columns if c.startswith("I[") and not c.startswith("I[fig8")]
    I = table[icols].to_numpy()
    second = np.sort(I, axis=1)[:, -2] if I.shape[1] > 1 else np.zeros(len(table))
    best = table[table["best"].astype(bool)].iloc[0]
    return {"n": len(table), "n_set": int(table["in_set"].astype(bool).sum()),
            "n_set_allow_one": int((second <= cal.SET_THRESHOLD).sum()),
            "best_max_I": float(best["max_implausibility"]),
            "best_worst_target": icols[int(np.argmax(best[icols].to_numpy(dtype=float)))][2:-1],
            "best_in_set": bool(best["in_set"])}


def calibration_note(table: pd.DataFrame, scale) -> "PageNote":
    """The page's summary line: the design, the set's size (strict, and with the worst single target
    allowed above 3) and where the best fit stands."""
    from ..experiments import get_scale
    from .pages import PageNote

    s = calibration_summary(table)
    d = cal.design_for(get_scale(scale))
    refine = f", {d['n_refine']} Nelder-Mead refinements" if d["n_refine"] else ", no refinement"
    members = int((table["stage"] == "member").sum())
    refine += f", {members} points near the set's members" if members else ", no member to search near"
    sigmas = ", ".join(f"{x:g}" for x in d["sigmas"])
    where = "in" if s["best_in_set"] else "**not** in"
    return PageNote(f"**{s['n']} candidates** (today's point, {d['n_design']} Sobol points{refine}; "
                    f"Σ ∈ {{{sigmas}}}). In the calibrated set (every target's implausibility at most "
                    f"{cal.SET_THRESHOLD:g}): **{s['n_set']}**; if the worst single target may exceed it: "
                    f"{s['n_set_allow_one']}. The best fit (least squared error) is {where} the set: its worst "
                    f"implausibility is {s['best_max_I']:.2f}, on `{s['best_worst_target']}`.")


#: The judged rows of ``environments.csv`` the page shows, with their panel titles.
ENVIRONMENT_PANELS = (
    (2, "two-stage-lstm", "", "Claim 2: proposed − two-stage LSTM (utility, pp)"),
    (2, "two-stage-fitted", "", "Claim 2, equal information: proposed − LSTM with fitted capacities (pp)"),
    (3, "two-stage-lstm", "accuracy", "Claim 3: proposed − LSTM accuracy (pp)"),
    (4, "two-stage-lstm", "", "Claim 4: growth of the gain over the LSTM (pp per 10 of Σ)"),
)


def _panel(env: pd.DataFrame, claim_no: int, baseline: str, part: str) -> pd.DataFrame:
    part_col = env["part"].astype(object).fillna("").astype(str)
    return env[(env["claim_no"] == claim_no) & (env["baseline"] == baseline) & (part_col == part)]


def environments_figure(env: pd.DataFrame) -> go.Figure:
    """Each held-out claim's estimate with its 95 % interval over seeds in every environment of
    ``environments.csv`` (today's, all-or-nothing, the best fit, the set's members), marker coloured by
    the judge's verdict, the paper's effect as a dashed line."""
    fig = make_subplots(rows=len(ENVIRONMENT_PANELS), cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=[p[3] for p in ENVIRONMENT_PANELS])
    shown: set[str] = set()
    for i, (claim_no, base, part, title) in enumerate(ENVIRONMENT_PANELS, start=1):
        rows = _panel(env, claim_no, base, part)
        for verdict, grp in rows.groupby("verdict", sort=False):
            fig.add_trace(go.Scatter(
                x=grp["environment"], y=grp["estimate"], mode="markers", name=verdict, legendgroup=verdict,
                showlegend=verdict not in shown,
                marker=dict(size=10, color=VERDICT_COLOURS.get(verdict, "#ffffff"), line=dict(width=1, color="#333")),
                error_y=dict(type="data", symmetric=False, array=grp["ci_high"] - grp["estimate"],
                             arrayminus=grp["estimate"] - grp["ci_low"], color="#555"),
                customdata=np.stack([grp["kind"], grp["ci_low"], grp["ci_high"], grp["mde"]], axis=1),
                hovertemplate="%{x} (%{customdata[0]})<br>estimate %{y:.2f} [%{customdata[1]:.2f}, "
                              "%{customdata[2]:.2f}]<br>MDE %{customdata[3]:.2f}<extra>" + verdict + "</extra>"),
                row=i, col=1)
            shown.add(verdict)
        if len(rows) and np.isfinite(rows["paper_effect"].iloc[0]):
            fig.add_hline(y=float(rows["paper_effect"].iloc[0]), line_dash="dash", line_color="#b00020",
                          row=i, col=1, annotation_text="paper", annotation_position="top left")
        fig.add_hline(y=0.0, line_color="#999", line_width=1, row=i, col=1)
        fig.update_yaxes(title_text="pp" if claim_no != 4 else "pp / 10 Σ", row=i, col=1)
    # one column per environment in the table's order (today's, all-or-nothing, best fit, members),
    # not in the order the verdict traces happen to be drawn
    fig.update_xaxes(categoryorder="array", categoryarray=list(pd.unique(env["environment"])))
    fig.update_xaxes(title_text="environment", row=len(ENVIRONMENT_PANELS), col=1)
    fig.update_layout(height=250 * len(ENVIRONMENT_PANELS) + 120,
                      **title_layout("The held-out claims in each environment",
                                     "GEANT week, Σ ∈ {0, 30, 60}; 95 % t-interval over seeds; colour: the verdict"))
    return fig


def environment_verdicts(env: pd.DataFrame) -> pd.DataFrame:
    """One row per judged claim of :data:`ENVIRONMENT_PANELS`: its verdict in today's environment,
    under all-or-nothing serving and in the best fit, and how many of the set's members give each
    verdict."""
    out = []
    for claim_no, base, part, title in ENVIRONMENT_PANELS:
        rows = _panel(env, claim_no, base, part)
        by_kind = {k: g["verdict"].tolist() for k, g in rows.groupby("kind")}
        members = by_kind.get("member", [])
        counts = pd.Series(members, dtype=object).value_counts()
        out.append({"claim": title, "today": "; ".join(by_kind.get("independent", [])) or "—",
                    "all-or-nothing": "; ".join(by_kind.get("rule", [])) or "—",
                    "best fit": "; ".join(by_kind.get("best fit", [])) or "—",
                    "members": len(members),
                    "across the set": ", ".join(f"{v}: {n}" for v, n in counts.items()) or "no member"})
    return pd.DataFrame(out)


def environment_verdicts_styled(env: pd.DataFrame):
    """:func:`environment_verdicts` as a styled table, each single verdict shaded in its colour."""
    def _shade(col):
        return [f"background-color: {VERDICT_COLOURS[v]}" if v in VERDICT_COLOURS else "" for v in col]

    return (environment_verdicts(env).style.hide(axis="index").set_uuid("calibration_environments")
            .apply(_shade, subset=["today", "all-or-nothing", "best fit"])
            .set_properties(subset=["claim", "across the set"], **{"text-align": "left", "white-space": "normal"})
            .set_caption("The judge's verdict in each environment, and across the calibrated set's members"))
