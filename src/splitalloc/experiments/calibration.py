"""Calibration of the environment on the paper's baseline numbers (issue 17; DESIGN "Calibration").

Table 3 is missing and the evaluation rule is unstated; both decide verdicts. The paper does report
numbers that involve only the environment and its *baselines* (Table 4's LSTM / Bi-LSTM rows,
Fig. 6/10's baseline means, Fig. 5's non-splitting bar): they are the **targets** (:func:`targets`).
Every number about the proposed method is **held out** (:func:`heldout_targets`) and never used here.

The LP (3)-(5) is homogeneous in ``(D, C, B)`` and the evaluation rule is homogeneous of degree 1, so
the unknowns are fitted as dimensionless groups (:class:`CalibrationSpace`): the capacity scale is
fixed at config ``mu_C`` and the demand at config ``service_mean_arrival`` (the *reference*); the
absolute scale then follows in closed form from Fig. 6 (:func:`demand_scale`).

A candidate costs LP solves only: the two-stage forecasters are trained on MSE of *standardised*
series, so their forecasts do not depend on the environment; each is taken from the normal, cached
run of that baseline (:mod:`splitalloc.experiments.forecasts`: Kaggle's 8 rolling origins included)
and the demand scale is applied after forecasting. :func:`evaluate_candidate` turns a point into the
baseline numbers per seed (same seeds and network draws for every candidate: common random numbers),
:func:`implausibility` compares them with the paper, :func:`calibrate` runs a space-filling design
(:mod:`scipy.stats.qmc`), a local refinement (:mod:`scipy.optimize`) and a search near the set's
members, and :func:`morris` (SALib's Morris method) screens which groups the fit depends on.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .. import config
from ..evaluate import serve
from ..scenario import Environment, lp_problem, network_and_deployment, round_derived, true_capacities
from . import forecasts, sensitivity
from .forecasts import BASELINES, Forecast, forecast_specs, load_forecasts  # noqa: F401
from .sensitivity import morris  # noqa: F401

#: Σ (eq. 15) at which Figs. 5, 6 and 10 are taken: an **assumption** (the paper states no default;
#: 30 is the middle of Table 4's sweep).
DEFAULT_SIGMA = 30.0
#: Fig. 8's quoted point (§V-D-1): the baselines' means at M = 120 Mb/slot are a check, not a target.
FIG8_M = 120.0
#: The paper's Fig. 6 means of the two-stage baselines (Mb/slot, §V-C): the closed-form demand scale.
FIG6_MEANS = {"two-stage-lstm": 261.48, "two-stage-bilstm": 256.61}
DATASET_LABELS = {"geant": "TOTEM", "kaggle": "Kaggle"}
#: Stated model discrepancy δ: 2 percentage points on a utility, 3 % of the paper's value on a mean
#: throughput (our test periods are the real series' 20 %, the paper's 700 slots; our own choices of
#: series mapping, window and training differ).
DELTA = {"utility": 2.0, "throughput": 0.03}


# ------------------------------------------------------------------------------------ the space
@dataclass(frozen=True)
class Group:
    """One dimensionless group: declared range ``[low, high]`` (or ``choices``), today's value
    ``default``, the scale the design spreads it on (``linear``, ``log`` or ``categorical``) and a
    one-line reason for the range."""

    name: str
    low: float
    high: float
    default: float
    reason: str
    scale: str = "linear"
    choices: tuple = ()

    def check(self, v) -> float:
        """``v`` as a number inside the declared range, else ``ValueError`` naming the group."""
        if self.scale == "categorical":
            if isinstance(v, bool) or v not in self.choices:
                raise ValueError(f"calibration group {self.name}={v!r} is outside its declared choices "
                                 f"{list(self.choices)} ({self.reason})")
            return int(v)
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = math.nan
        if isinstance(v, bool) or not self.low <= x <= self.high:
            raise ValueError(f"calibration group {self.name}={v!r} is outside its declared range "
                             f"[{self.low}, {self.high}] ({self.reason})")
        return x

    def from_unit(self, u: float):
        """The value at ``u`` in [0, 1] on the group's design scale."""
        u = min(max(float(u), 0.0), 1.0)
        if self.scale == "categorical":
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        if self.scale == "log":
            x = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        return float(min(max(x, self.low), self.high))   # no rounding step outside the range

    def to_unit(self, v) -> float:
        """Inverse of :meth:`from_unit` (a categorical value maps to its bin's centre)."""
        if self.scale == "categorical":
            return (self.choices.index(v) + 0.5) / len(self.choices)
        if self.scale == "log":
            return (math.log(v) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (float(v) - self.low) / (self.high - self.low)


_D0 = float(config.value("service_mean_arrival"))
_MU0 = float(config.value("mu_C"))

#: The groups with today's values as defaults (that point reproduces today's runs).
GROUPS: tuple[Group, ...] = (
    Group("rho_C", 0.25, 4.0, float(config.value("compute_density_total")) * _D0 / _MU0,
          "compute load factor: a whole model's compute at the mean demand over one mean server; below "
          "0.25 capacity hardly binds, above 4 a model outgrows four servers even at Sigma = 0", "log"),
    Group("rho_B", 0.05, 2.0, float(config.value("bandwidth_density_scale")) * _D0 / _MU0,
          "bandwidth load factor: a cut of activation ratio 1 at the mean demand over one mean link; from "
          "links that never bind to links that bind before servers", "log"),
    Group("cv_C", 0.05, 0.45, float(config.value("sigma_C")) / _MU0,
          "sigma_C / mu_C at the default Sigma: §V-D-1 calls negative draws 'few' even at Sigma = 60 "
          "(twice this: at most 13 % negative)"),
    Group("cv_B", 0.05, 0.45, float(config.value("sigma_B")) / float(config.value("mu_B")),
          "sigma_B / mu_B at the default Sigma, as cv_C"),
    Group("gus_ratio", 0.5, 2.5, float(config.value("deployment_demand")) / _D0,
          "demand GUS plans for over the mean arrival: from half the mean to about the series' peak "
          "(the GEANT week peaks near 2x its mean)", "log"),
    Group("n_parts", 2, 6, int(config.value("n_parts")),
          "parts per model: Neurosurgeon-style splits give 2-6; the paper's Fig. 2 path has 4",
          "categorical", (2, 3, 4, 5, 6)),
    Group("alpha", 0.0, 1.0, 0.0, "compute shared between parts: 0 by layer FLOPs (today), 1 equal parts "
          "(§V-A: the partitioning points 'balance' the resource consumption)"),
    Group("inv_gamma", 0.0, 1.0, 1.0, "evaluation rule served = min(d, D) f^gamma as 1/gamma: 1 "
          "proportional (today), 0 all-or-nothing; the paper states none"),
    Group("m_default", 0.5, 1.0, _MU0 / FIG8_M,
          "the default M over Fig. 8's quoted 120: at or below it (Fig. 8's 264.62 vs Fig. 6's 261.48 "
          "says 120 is near the default); moves only the Fig. 8 check"),
    Group("kaggle_ratio", 0.05, 2.0, 1.0, "Kaggle's mean arrival over the GEANT week's: Fig. 10's means are "
          "about a quarter of Fig. 6's", "log"),
)


@dataclass(frozen=True)
class CalibrationSpace:
    """The groups to calibrate; ``fixed`` holds groups at a value (not varied by the design)."""

    groups: tuple[Group, ...] = GROUPS
    fixed: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_name = {g.name: g for g in self.groups}
        for name, v in self.fixed.items():
            if name not in by_name:
                raise ValueError(f"fixed group {name!r} is not a calibration group; expected one of "
                                 f"{list(by_name)}")
            by_name[name].check(v)

    def group(self, name: str) -> Group:
        for g in self.groups:
            if g.name == name:
                return g
        raise ValueError(f"unknown calibration group {name!r}; expected one of {[g.name for g in self.groups]}")

    @property
    def free(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.name not in self.fixed)

    def point(self, **values) -> dict:
        """A full, checked point: defaults, then ``fixed``, then ``values``."""
        unknown = [k for k in values if k not in {g.name for g in self.groups}]
        if unknown:
            raise ValueError(f"unknown calibration groups {unknown}; expected {[g.name for g in self.groups]}")
        out = {g.name: g.default for g in self.groups} | dict(self.fixed) | values
        return {g.name: g.check(out[g.name]) for g in self.groups}

    def from_unit(self, u: Sequence[float], base: Mapping | None = None) -> dict:
        """The point whose free groups sit at ``u`` (unit cube, order of :attr:`free`)."""
        return self.point(**(dict(base or {}) | {g.name: g.from_unit(x) for g, x in zip(self.free, u)}))

    def to_unit(self, point: Mapping) -> np.ndarray:
        return np.array([g.to_unit(point[g.name]) for g in self.free])


def environment(point: Mapping, name: str = "calibrated") -> Environment:
    """The :class:`splitalloc.scenario.Environment` of ``point`` (reference units: capacities at config
    ``mu_C``, demand at config ``service_mean_arrival``): densities, spreads as multiples of Σ (the
    group's cv at the default Σ), GUS's planned demand, Kaggle's demand and the rule. Today's point
    gives today's values exactly (:data:`splitalloc.scenario.INDEPENDENT`'s, up to its name)."""
    return Environment(
        name=name, compute_density_total=round_derived(point["rho_C"] * _MU0 / _D0),
        bandwidth_density_scale=round_derived(point["rho_B"] * _MU0 / _D0), n_parts=int(point["n_parts"]),
        compute_balance=float(point["alpha"]), sigma_scale_C=round_derived(point["cv_C"] * _MU0 / DEFAULT_SIGMA),
        sigma_scale_B=round_derived(point["cv_B"] * _MU0 / DEFAULT_SIGMA),
        deployment_demand_ratio=float(point["gus_ratio"]), kaggle_demand_ratio=float(point["kaggle_ratio"]),
        gamma=math.inf if point["inv_gamma"] == 0 else 1.0 / point["inv_gamma"])


def demand_scale(lstm_mean: float, bilstm_mean: float) -> float:
    """λ minimising ``(λ a1 - 261.48)² + (λ a2 - 256.61)²`` (Fig. 6): ``λ = Σ a_i y_i / Σ a_i²``
    with our reference-scale means ``a``. Everything (demand, capacities, throughput) scales by λ."""
    a = np.array([lstm_mean, bilstm_mean], dtype=float)
    y = np.array([FIG6_MEANS["two-stage-lstm"], FIG6_MEANS["two-stage-bilstm"]])
    return float(a @ y / (a @ a))


# ----------------------------------------------------------------------------------- targets
_TARGET_RULES = (  # (artefact, frameworks, metric, kind, role)
    ("Table 4", ("LSTM", "Bi-LSTM"), "utility", "utility", "target"),
    ("Fig. 6", ("LSTM", "Bi-LSTM"), "mean throughput", "throughput", "target"),
    ("Fig. 10", ("LSTM", "Bi-LSTM"), "mean throughput", "throughput", "target"),
    ("Fig. 5", ("LSTM, non-splitting", "Proposed, non-splitting"), "mean throughput", "throughput", "target"),
    ("Fig. 8", ("LSTM", "Bi-LSTM"), "mean throughput", "throughput", "check"),
)


def _paper_rows(path=None) -> list[tuple[int, dict]]:
    if path is None:
        text = resources.files("splitalloc").joinpath("paper_numbers.csv").read_text()
    else:
        text = Path(path).read_text()
    return list(enumerate(csv.DictReader(text.splitlines()), start=2))


def _target_id(artefact: str, dataset: str, fw: str, setting: str) -> str:
    fw = "non-splitting" if "non-splitting" in fw else fw
    if artefact == "Table 4":
        m = re.fullmatch(r"Sigma=(\d+(?:\.\d+)?)", setting.strip())
        if m is None:
            raise ValueError(f"setting {setting!r} is not 'Sigma=<number>'")
        return f"table4:{dataset}:{fw}:Sigma={float(m.group(1)):g}"
    if artefact == "Fig. 8":
        if not re.match(r"M=120\b", setting.strip()):
            raise ValueError(f"setting {setting!r} is not 'M=120 ...'")
        return f"fig8:{dataset}:{fw}:M=120"
    return f"{artefact.lower().replace('. ', '')}:{dataset}:{fw}"


def targets(path=None) -> pd.DataFrame:
    """The baseline numbers of the paper (package copy of ``reported-numbers.csv`` unless ``path``):
    one row per target with ``target`` (id), ``artefact``, ``dataset``, ``framework``, ``setting``,
    ``value``, ``kind`` (utility/throughput), ``sigma`` and ``role`` (``target``; Fig. 8's points
    are ``check``). Fig. 5's non-splitting bar is a baseline (§V-A: the predictive modules) under
    either label. A selected row that does not parse ends with one ``ValueError`` naming it."""
    out = []
    for line, row in _paper_rows(path):
        for artefact, fws, metric, kind, role in _TARGET_RULES:
            if row.get("artefact") != artefact or row.get("framework") not in fws or row.get("metric") != metric:
                continue
            try:
                tid = _target_id(artefact, row["dataset"], row["framework"], row["setting"])
                value = float(row["value"])
                if not math.isfinite(value):
                    raise ValueError(f"value {row['value']!r} is not finite")
            except (ValueError, TypeError, KeyError) as exc:
                raise ValueError(f"paper numbers, line {line} ({','.join(str(v) for v in row.values())}): "
                                 f"target row does not parse: {exc}") from None
            sigma = float(tid.rsplit("=", 1)[1]) if artefact == "Table 4" else DEFAULT_SIGMA
            out.append({"target": tid, "artefact": artefact, "dataset": row["dataset"],
                        "framework": row["framework"], "setting": row["setting"], "value": value,
                        "kind": kind, "sigma": sigma, "role": role})
    df = pd.DataFrame(out)
    expected = 28 + 2 + 2 + 1 + 2
    if len(df) != expected or df["target"].duplicated().any():
        raise ValueError(f"paper numbers: expected {expected} distinct baseline rows (Table 4 LSTM/Bi-LSTM x "
                         f"2 datasets x 7 Sigma, Figs. 6/10/5/8), found {len(df)}: {sorted(df.get('target', []))}")
    return df


def heldout_targets(path=None) -> pd.DataFrame:
    """Every paper number about the proposed method (framework names 'Proposed', improvements, the
    Abstract's gain): held out, never used in fitting. (Fig. 7's baseline accuracies are neither:
    they do not depend on the environment.)"""
    rows = [r for _, r in _paper_rows(path)
            if "Proposed" in r["framework"] and "non-splitting" not in r["framework"]]
    return pd.DataFrame(rows).assign(value=lambda d: d["value"].astype(float))


# ---------------------------------------------------------------------------- one candidate
def _served(env: Environment, forecasts, seed, *, dataset: str, M: float, Sigma: float, splitting: bool,
            data_dir) -> dict:
    """Served traffic sums (offline and each forecast) on the scenario's network draw and deployment
    (:func:`splitalloc.scenario.network_and_deployment` at ``M``, ``Sigma`` in ``env``), under
    ``env``'s rule, with the forecasts scaled to ``dataset``'s demand after forecasting."""
    import torch   # here, not at the top: the experiments package imports without torch

    from ..frameworks.lp import ScenarioLP, as_tensor

    net, dep = network_and_deployment(dataset, seed=seed, mu_C=M, sigma_C=env.sigma_scale_C * Sigma, mu_B=M,
                                      sigma_B=env.sigma_scale_B * Sigma, environment=env, information="mean",
                                      splitting=splitting, data_dir=data_dir)
    lp = ScenarioLP(lp_problem(net, dep))
    C, B = true_capacities(net)
    factor = env.demand_factor(dataset)
    D_true = factor * next(iter(forecasts.values())).D_true
    out = {}
    with torch.no_grad():
        d_off = lp.solve(as_tensor(C), as_tensor(B), as_tensor(D_true)).numpy()
        out["offline"] = serve(d_off, D_true, C, B, dep.c, dep.b, gamma=env.gamma).sum()
        mean_C = torch.full((lp.N,), float(net.mu_C), dtype=torch.float64)
        mean_B = torch.full((lp.E,), float(net.mu_B), dtype=torch.float64)
        for fw, fc in forecasts.items():
            d = lp.solve(mean_C, mean_B, as_tensor(fc.D_pred(factor))).numpy()
            out[fw] = serve(d, D_true, C, B, dep.c, dep.b, gamma=env.gamma).sum()
    return out


def evaluate_candidate(point: Mapping, *, seeds: Sequence[int], sigmas: Sequence[float], forecasts: Mapping,
                       space: CalibrationSpace | None = None, data_dir=None, fig8: bool = True) -> pd.DataFrame:
    """The baseline numbers of ``point`` per seed, in the paper's units (tidy: ``target, seed, value``).

    Table 4's LSTM / Bi-LSTM utilities (% of the offline optimum) at each of ``sigmas`` on both
    datasets; at the default Σ the Fig. 6 / Fig. 10 means and Fig. 5's non-splitting LSTM, and
    (``fig8``) the Fig. 8 check at M = 120. Mean throughputs are scaled by the closed-form demand
    scale λ of :func:`demand_scale` (``df.attrs``: ``demand_scale``, ``demand``, ``M``)."""
    space = space or CalibrationSpace()
    point = space.point(**dict(point))
    env = environment(point)
    sigmas = sorted({float(s) for s in sigmas} | {DEFAULT_SIGMA})
    rows, raw = [], {}
    for ds, label in DATASET_LABELS.items():
        for seed in seeds:
            fcs = {fw: forecasts[(ds, int(seed), fw)] for fw in BASELINES}
            n = next(iter(fcs.values())).D_true.shape[0]
            for s in sigmas:
                tot = _served(env, fcs, seed, dataset=ds, M=_MU0, Sigma=s, splitting=True, data_dir=data_dir)
                for fw, name in BASELINES.items():
                    rows.append((f"table4:{label}:{name}:Sigma={s:g}", seed, 100.0 * tot[fw] / tot["offline"]))
                    if s == DEFAULT_SIGMA:
                        raw[(f"{'fig6' if ds == 'geant' else 'fig10'}:{label}:{name}", seed)] = tot[fw] / n
            if ds != "geant":
                continue
            lstm = {"two-stage-lstm": fcs["two-stage-lstm"]}
            raw[("fig5:TOTEM:non-splitting", seed)] = _served(
                env, lstm, seed, dataset=ds, M=_MU0, Sigma=DEFAULT_SIGMA, splitting=False,
                data_dir=data_dir)["two-stage-lstm"] / n
            if fig8:   # M = 120 with the default Σ's absolute spreads
                tot = _served(env, fcs, seed, dataset=ds, M=_MU0 / point["m_default"], Sigma=DEFAULT_SIGMA,
                              splitting=True, data_dir=data_dir)
                for fw, name in BASELINES.items():
                    raw[(f"fig8:TOTEM:{name}:M=120", seed)] = tot[fw] / n
    lam = demand_scale(np.mean([raw[("fig6:TOTEM:LSTM", s)] for s in seeds]),
                       np.mean([raw[("fig6:TOTEM:Bi-LSTM", s)] for s in seeds]))
    rows += [(t, s, lam * v) for (t, s), v in raw.items()]
    df = pd.DataFrame(rows, columns=["target", "seed", "value"])
    df.attrs.update({"demand_scale": lam, "demand": lam * _D0, "M": lam * _MU0})
    return df


# ------------------------------------------------------------------------- history matching
def implausibility(ours_per_seed: pd.DataFrame, paper: pd.DataFrame, delta: Mapping | None = None) -> pd.DataFrame:
    """Per target: ``|paper - mean| / sqrt(s²_seed (1 + 1/n) + δ²)`` (δ: :data:`DELTA`, absolute for
    utilities, relative for throughputs) and the squared error ``((paper - mean) / δ)²`` that the best
    fit minimises (the seed spread does not enter it: a noisier environment must not fit better)."""
    delta = dict(DELTA if delta is None else delta)
    g = ours_per_seed.groupby("target")["value"]
    stats = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1).fillna(0.0), "n": g.size()})
    df = paper.set_index("target")[["value", "kind", "role"]].rename(columns={"value": "paper"}).join(stats, how="inner")
    d = np.where(df["kind"] == "utility", delta["utility"], delta["throughput"] * df["paper"])
    err = df["paper"] - df["mean"]
    df["implausibility"] = np.abs(err) / np.sqrt(df["sd"] ** 2 * (1 + 1 / df["n"]) + d ** 2)
    df["sq_error"] = (err / d) ** 2
    return df.reset_index()


def in_set(imp: pd.DataFrame, *, threshold: float = 3.0, allow_one: bool = False) -> bool:
    """Every target's implausibility at most ``threshold`` (``allow_one``: the worst one may exceed
    it). Checks (Fig. 8) do not count."""
    v = np.sort(imp.loc[imp["role"] == "target", "implausibility"].to_numpy())[::-1]
    return bool((v[1:] if allow_one else v).max(initial=0.0) <= threshold)


def candidate_row(point: Mapping, ours: pd.DataFrame, paper: pd.DataFrame, *, stage: str, delta=None,
                  allow_one: bool = False) -> dict:
    """One row of the calibration table: groups, demand scale, per-target means and implausibilities."""
    imp = implausibility(ours, paper, delta)
    tgt = imp[imp["role"] == "target"]
    row = {"stage": stage, **point, **{k: ours.attrs[k] for k in ("demand_scale", "demand", "M")},
           "sq_error": float(tgt["sq_error"].sum()), "max_implausibility": float(tgt["implausibility"].max()),
           "in_set": in_set(imp, allow_one=allow_one)}
    row.update({f"mean[{t}]": m for t, m in zip(imp["target"], imp["mean"])})
    row.update({f"I[{t}]": v for t, v in zip(imp["target"], imp["implausibility"])})
    return row


def calibrate(space: CalibrationSpace | None = None, *, n_design: int, seeds: Sequence[int],
              sigmas: Sequence[float], forecasts: Mapping, paper: pd.DataFrame | None = None,
              n_refine: int = 2, refine_evals: int = 30, member_evals: int = 0, seed: int = 0, delta=None,
              allow_one: bool = False, data_dir=None,
              progress: Callable[[int, dict], None] | None = None) -> pd.DataFrame:
    """History matching: today's point, a scrambled Sobol design of ``n_design`` points over the free
    groups, then Nelder-Mead (``refine_evals`` evaluations each) on the continuous free groups from
    the ``n_refine`` best points by squared error, then ``member_evals`` points near the members of the
    set (:func:`_search_members`). One row per candidate (:func:`candidate_row`, ``stage`` today /
    design / refine / member); ``best`` marks the least squared error. Same seeds and network draws
    for every candidate."""
    space = space or CalibrationSpace()
    paper = targets() if paper is None else paper
    paper = paper[(paper["kind"] != "utility") | paper["sigma"].isin([float(s) for s in sigmas])]
    rows: list[dict] = []

    def run(point: dict, stage: str) -> float:
        ours = evaluate_candidate(point, seeds=seeds, sigmas=sigmas, forecasts=forecasts, space=space,
                                  data_dir=data_dir)
        rows.append(candidate_row(point, ours, paper, stage=stage, delta=delta, allow_one=allow_one))
        if progress is not None:
            progress(len(rows), rows[-1])
        return rows[-1]["sq_error"]

    run(space.point(), "today")
    design = stats.qmc.Sobol(d=len(space.free), scramble=True, seed=seed).random(n_design)
    for u in design:
        run(space.from_unit(u), "design")
    cont = [i for i, g in enumerate(space.free) if g.scale != "categorical"]
    for start in sorted(rows, key=lambda r: r["sq_error"])[:n_refine]:
        base = {g.name: start[g.name] for g in space.groups}
        u0 = space.to_unit(base)

        def objective(x, u0=u0, base=base):
            u = u0.copy()
            u[cont] = np.clip(x, 0.0, 1.0)
            return run(space.from_unit(u, base), "refine")

        if cont:
            optimize.minimize(objective, u0[cont], method="Nelder-Mead",
                              options={"maxfev": refine_evals, "xatol": 1e-3, "fatol": 1e-3,
                                       "initial_simplex": _simplex(u0[cont])})
    _search_members(space, rows, run, evals=member_evals, seed=seed)
    table = pd.DataFrame(rows)
    table["best"] = False
    table.loc[table["sq_error"].idxmin(), "best"] = True
    return table


#: Half-width (unit-cube coordinates) of the box around a member in which :func:`_search_members` draws.
MEMBER_RADIUS = 0.1


def _search_members(space: CalibrationSpace, rows: list[dict], run, *, evals: int, seed: int) -> None:
    """More members of the calibrated set, for the verdicts across it: ``evals`` scrambled Sobol
    points, each in the box of half-width :data:`MEMBER_RADIUS` around one member found so far (in
    turn, best squared error first) on the continuous free groups, the categorical ones kept. A
    fixed number of evaluations and only clear members as centres (worst implausibility more than
    :data:`SET_MARGIN` from the threshold), so that no near-tie can move the draws between CPU
    kernels. Nothing when there is no clear member: the closest candidates are not members."""
    members = sorted((r for r in rows if r["in_set"] and clear_of_threshold(r["max_implausibility"])),
                     key=lambda r: r["sq_error"])
    cont = [i for i, g in enumerate(space.free) if g.scale != "categorical"]
    if not members or not cont or evals < 1:
        return
    draws = stats.qmc.Sobol(d=len(cont), scramble=True, seed=seed + 1).random(evals)
    for i, u in enumerate(draws):
        base = {g.name: members[i % len(members)][g.name] for g in space.groups}
        x = space.to_unit(base)
        x[cont] = np.clip(x[cont] + MEMBER_RADIUS * (2.0 * u - 1.0), 0.0, 1.0)
        run(space.from_unit(x, base), "member")


def _simplex(x0: np.ndarray, step: float = 0.15) -> np.ndarray:
    """Nelder-Mead's first simplex in the unit cube: ``step`` along each axis, inward at the edges."""
    pts = [x0]
    for i in range(x0.size):
        x = x0.copy()
        x[i] = x[i] + step if x[i] + step <= 1 else x[i] - step
        pts.append(x)
    return np.array(pts)


# ------------------------------------------------------------------------------ the artefact
#: The calibration design of each named scale. Quick: a FIXED design (today's point and 64 scrambled
#: Sobol points, no Nelder-Mead: an optimiser's path can diverge between CPU kernels), Σ ∈ {0, 30, 60};
#: paper: 64 Sobol points and two Nelder-Mead refinements of 40 evaluations, every Σ of Table 4. Then
#: (both) a fixed number of points near the set's members (:func:`_search_members`). Any other scale
#: (tests) gets the smallest design. The seeds are the reproduction's (quick 3, paper 10).
DESIGNS = {"quick": {"n_design": 64, "n_refine": 0, "refine_evals": 0, "member_evals": 8, "sigmas": (0.0, 30.0, 60.0),
                     "morris_r": 4},
           "paper": {"n_design": 64, "n_refine": 2, "refine_evals": 40, "member_evals": 32, "sigmas": None,
                     "morris_r": 8}}
SMALL_DESIGN = {"n_design": 2, "n_refine": 0, "refine_evals": 0, "member_evals": 0, "sigmas": (0.0, 30.0, 60.0),
                "morris_r": 2}   # two trajectories: the spread sigma needs two effects per group
#: The in-set flag is compared only where the worst implausibility is this far from the threshold
#: (``in_set_margin``): a near-tie may flip between CPU kernels.
SET_THRESHOLD = 3.0
SET_MARGIN = 0.05


def clear_of_threshold(max_implausibility):
    """Whether a worst implausibility (a number or a Series) lies more than :data:`SET_MARGIN` from
    :data:`SET_THRESHOLD`: an in-set flag that no CPU kernel's last digits can flip."""
    return abs(max_implausibility - SET_THRESHOLD) > SET_MARGIN


def design_for(scale) -> dict:
    """The design settings of ``scale`` (:data:`DESIGNS`; ``sigmas`` None: the scale's Σ sweep)."""
    d = dict(DESIGNS.get(scale.name, SMALL_DESIGN))
    if d["sigmas"] is None:
        d["sigmas"] = tuple(float(s) for s in scale.sigma_sweep)
    return d


def check_inputs(path=None) -> None:
    """Everything the calibration reads from outside the code, checked before any run: the target rows
    parse, the held-out rows exist, and every group's default lies in its declared range. Raises one
    ``ValueError`` naming the bad row or setting."""
    targets(path)
    heldout_targets(path)
    CalibrationSpace().point()


def _table_key(scale, seeds, design: dict) -> str:
    """The cache key of the tables: seeds, design, training, the forecast runs' keys (which hash the
    config and the code every run executes: the scenario, the LP layer, the evaluation rule), the
    calibration's own code and the paper numbers."""
    h = hashlib.sha256(json.dumps({"seeds": [int(s) for s in seeds], "design": design,
                                   "training": dataclasses.astuple(scale.training),
                                   "forecasts": [s.key() for s in forecast_specs(seeds, settings=scale.training)]},
                                  default=str).encode())
    for module_file in (__file__, forecasts.__file__, sensitivity.__file__):
        h.update(Path(module_file).read_bytes())
    h.update(resources.files("splitalloc").joinpath("paper_numbers.csv").read_bytes())
    return h.hexdigest()[:20]


def finish_table(table: pd.DataFrame) -> pd.DataFrame:
    """The stored table: the in-set margin flag beside ``in_set`` and the groups first."""
    table = table.copy()
    table["in_set_margin"] = clear_of_threshold(table["max_implausibility"])
    front = ["stage", *[g.name for g in GROUPS], "demand_scale", "demand", "M", "sq_error",
             "max_implausibility", "in_set", "in_set_margin", "best"]
    return table[front + [c for c in table.columns if c not in front]]


def run_calibration(scale, seeds, out_dir, *, data_dir=None, workers=1) -> dict[str, pd.DataFrame]:
    """The calibration of ``scale`` (:func:`design_for`) on ``seeds``: ``{"calibration": candidates,
    "calibration_morris": Morris screening of the squared error}``. The forecasts are the two-stage
    runs' (:func:`~splitalloc.experiments.forecasts.load_forecasts`, in the run cache under
    ``out_dir``), both tables are cached under ``<out_dir>/calibration/<key>-*.csv`` (key: code,
    config, paper numbers, seeds, design and training); a cached table is read, never rewritten."""
    design = design_for(scale)
    cache = Path(out_dir) / "calibration"
    key = _table_key(scale, seeds, design)
    paths = {k: cache / f"{key}-{k}.csv" for k in ("calibration", "calibration_morris")}
    if all(p.exists() for p in paths.values()):
        return {k: pd.read_csv(p) for k, p in paths.items()}
    check_inputs()
    fcs = load_forecasts(seeds, settings=scale.training, out_dir=out_dir, workers=workers)
    paper = targets()
    space = CalibrationSpace()
    table = calibrate(space, n_design=design["n_design"], seeds=seeds, sigmas=design["sigmas"], forecasts=fcs,
                      paper=paper, n_refine=design["n_refine"], refine_evals=max(design["refine_evals"], 1),
                      member_evals=design["member_evals"], data_dir=data_dir)
    fit = paper[(paper["kind"] != "utility") | paper["sigma"].isin([float(s) for s in design["sigmas"]])]

    def sq_error(point: dict) -> float:
        ours = evaluate_candidate(point, seeds=seeds, sigmas=design["sigmas"], forecasts=fcs, space=space,
                                  data_dir=data_dir, fig8=False)
        imp = implausibility(ours, fit)
        return float(imp.loc[imp["role"] == "target", "sq_error"].sum())

    out = {"calibration": finish_table(table), "calibration_morris": morris(space, sq_error, r=design["morris_r"])}
    cache.mkdir(parents=True, exist_ok=True)
    for k, p in paths.items():
        tmp = p.with_suffix(".tmp")
        out[k].to_csv(tmp, index=False)
        tmp.replace(p)
    return {k: pd.read_csv(p) for k, p in paths.items()}   # the same numbers whether computed or read


def best_fit(table: pd.DataFrame) -> dict:
    """The best fit's groups (least squared error over the targets) from a calibration table, with
    ``in_set`` and ``max_implausibility``."""
    row = table.loc[table["best"].astype(bool)].iloc[0]
    return {g.name: (int(row[g.name]) if g.scale == "categorical" else float(row[g.name])) for g in GROUPS} | {
        "in_set": bool(row["in_set"]), "max_implausibility": float(row["max_implausibility"]),
        "demand_scale": float(row["demand_scale"])}
