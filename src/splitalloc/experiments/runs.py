"""Running and caching runs: :class:`RunSpec`, :func:`run_one`, :func:`run_specs` and the executors.

A run is one framework trained and evaluated on one scenario (dataset x network draw of
eq. (13) at ``M``, ``Sigma``). Runs are executed in-process (``workers=1``), on a local
process pool (``workers>1``, one torch thread each) or on a dask.distributed cluster
(``scheduler=``); the numbers do not depend on which. Each run is cached under
``<out_dir>/runs/<key>.csv`` where ``key`` hashes the full spec, the run parameters of
:mod:`splitalloc.config` and the code the run executes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
import dataclasses
from dataclasses import dataclass
import functools
import hashlib
import importlib.util
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import config
from ..frameworks import registry
from ..frameworks.settings import TrainSettings
from ..scenario import (INDEPENDENT, Environment, check_data_kind, evaluation_scenarios, evaluation_windows,
                        real_series_length, uses_rolling_origin)
from .names import RUN_COLUMNS, SPEC_COLUMNS
from .scales import ExperimentScale, check_M, check_dataset, check_sigma

#: Bump when the meaning of a cached run changes (columns, evaluation rule, ...).
CACHE_VERSION = 1


#: Environment variable naming the default results directory (else ``./results``).
RESULTS_ENV_VAR = "SPLITALLOC_RESULTS_DIR"


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines one run; its :meth:`key` names its cache file.

    ``training`` is the run's :class:`splitalloc.frameworks.TrainSettings` (one value, passed
    unchanged to the framework; a mapping such as ``as_dict()["training"]`` is accepted too).
    ``environment`` is the :class:`splitalloc.scenario.Environment` the scenario is built in
    (default today's, ``independent``; a calibrated one for the calibration's members).
    """

    dataset: str
    framework: str
    seed: int
    M: float
    Sigma: float
    training: TrainSettings
    data: str = "real"
    n_slots: int | None = None  # length of the synthetic series; None for real data
    information: str = "mean"  # what GUS reads about capacities (network.known_capacities)
    environment: Environment = INDEPENDENT

    def __post_init__(self) -> None:
        # normalise numbers so that equal settings give equal keys (100 == 100.0)
        object.__setattr__(self, "seed", int(self.seed))
        object.__setattr__(self, "M", float(self.M))
        object.__setattr__(self, "Sigma", float(self.Sigma))
        if isinstance(self.training, Mapping):
            object.__setattr__(self, "training", TrainSettings(**self.training))
        if not isinstance(self.training, TrainSettings):
            raise ValueError(f"RunSpec.training must be a TrainSettings, got {type(self.training).__name__}")
        if self.n_slots is not None:
            object.__setattr__(self, "n_slots", int(self.n_slots))
        if isinstance(self.environment, Mapping):
            object.__setattr__(self, "environment", Environment(**self.environment))
        if not isinstance(self.environment, Environment):
            raise ValueError(f"RunSpec.environment must be an Environment, got {type(self.environment).__name__}")

    def as_dict(self) -> dict[str, Any]:
        """The spec as plain values; today's environment is left out (so that the keys of the runs
        in it are those they had before environments existed)."""
        out = dataclasses.asdict(self)
        if self.environment == INDEPENDENT:
            del out["environment"]
        return out

    def key(self, salt: str = "") -> str:
        """sha256 of the full spec (its training settings included), every parameter of
        :mod:`splitalloc.config` in :data:`RUN_PARAMETER_GROUPS`, the source code of the
        modules a run executes (:data:`RUN_MODULES`) and the cache version: the run's cache
        file name. A changed parameter or changed code therefore never reuses a stale run."""
        payload = json.dumps({**self.as_dict(), "_config": config_fingerprint(),
                              "_code": code_fingerprint(), "_v": CACHE_VERSION, "_salt": salt},
                             sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:20]

    @property
    def scenario_key(self) -> tuple:
        """Runs with equal scenario keys see the same network and traffic (paired by seed)."""
        return (self.dataset, self.data, self.n_slots, self.seed, self.M, self.Sigma, self.information,
                self.environment)


#: Modules (or packages: every ``.py`` file in them) whose source code determines what a run
#: computes (hashed into the cache key).
RUN_MODULES = ("data", "synthetic", "profiles", "network", "problem", "scenario", "layer", "_dual_kernel",
               "models", "frameworks", "evaluate")


def source_files(module: str) -> list[tuple[str, Path]]:
    """``(name, path)`` of the source of ``splitalloc.<module>``: the module's file, or every
    ``.py`` file of the package, sorted by their path relative to it."""
    spec = importlib.util.find_spec(f"splitalloc.{module}")
    if spec is None or not spec.origin or not os.path.exists(spec.origin):
        return []
    if spec.submodule_search_locations is None:
        return [(module, Path(spec.origin))]
    root = Path(spec.origin).parent
    return [(f"{module}/{p.relative_to(root).as_posix()}", p) for p in sorted(root.rglob("*.py"))]


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of every source file of :data:`RUN_MODULES`, each with its name."""
    h = hashlib.sha256()
    for mod in RUN_MODULES:
        h.update(mod.encode())
        for name, path in source_files(mod):
            h.update(name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


#: Parameter groups of :mod:`splitalloc.config` that can change what a run computes.
RUN_PARAMETER_GROUPS = ("data", "network", "revenue", "training")


def config_fingerprint() -> str:
    items = {name: repr(p.value) for name, p in sorted(config.PARAMETERS.items())
             if p.group in RUN_PARAMETER_GROUPS}
    return hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest()[:16]


def make_spec(scale: ExperimentScale, *, dataset: str, framework: str, seed: int,
              M: float | None = None, Sigma: float | None = None, data: str = "real") -> RunSpec:
    """A :class:`RunSpec` at ``scale``'s training settings (``M``/``Sigma`` default to the scale's)."""
    return RunSpec(
        dataset=dataset, framework=framework, seed=seed,
        M=scale.default_M if M is None else M,
        Sigma=scale.default_Sigma if Sigma is None else Sigma,
        training=scale.training, data=data, n_slots=scale.synthetic_slots if data == "synthetic" else None,
    )


def _real_length(dataset: str) -> int:
    return real_series_length(dataset)


def _split_fractions() -> tuple[float, float]:
    return float(config.value("train_fraction")), float(config.value("val_fraction"))


def validate_specs(specs: Iterable[RunSpec], *, frameworks: Sequence[str] | None = None,
                   series_length: Callable[[RunSpec], int] | None = None, lengths: bool = True) -> None:
    """Check every spec before any work starts; raise ``ValueError`` naming the bad value.

    Checks: known dataset and data kind, known framework, ``Sigma >= 0`` (eq. 15),
    ``M > 0`` (eq. 14), and that the window ``L`` of the spec's training settings (which
    check their own values) fits in the training part of the series (the shortest training
    period of its evaluation windows, :func:`splitalloc.scenario.evaluation_windows`).
    ``lengths=False`` skips that last check (it loads the series).
    """
    known = tuple(frameworks) if frameworks is not None else registry.FRAMEWORKS
    length = series_length or (lambda s: s.n_slots if s.data == "synthetic" else _real_length(s.dataset))
    train_frac, _ = _split_fractions()
    checked_len: dict[tuple, int] = {}
    for s in specs:
        where = f"run {s.framework!r} on {s.dataset!r} (seed {s.seed})"
        check_dataset(s.dataset, where)
        try:
            check_data_kind(s.dataset, s.data, s.n_slots)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None
        if s.framework not in known:
            raise ValueError(f"{where}: unknown framework {s.framework!r}; expected one of {list(known)}")
        check_sigma(s.Sigma, where)
        check_M(s.M, where)
        if s.information not in ("mean", "true"):
            raise ValueError(f"{where}: information must be 'mean' or 'true' (what the deployment "
                             f"reads about capacities), got {s.information!r}")
        if not lengths:
            continue
        lkey = (s.dataset, s.data, s.n_slots)
        if lkey not in checked_len:
            checked_len[lkey] = int(length(s))
        n = checked_len[lkey]
        try:
            n_train = min(w[0] for w in evaluation_windows(s.dataset, n, s.data))
        except ValueError as err:
            raise ValueError(f"{where}: the {s.data} {s.dataset!r} series: {err}") from None
        window = s.training.window
        if window > n_train - 2:  # at least two training samples (frameworks.check_framework)
            how = ("at its first rolling origin" if uses_rolling_origin(s.dataset, s.data)
                   else f"at train_fraction={train_frac}")
            raise ValueError(
                f"{where}: window L={window} slots is too long for the {s.data} {s.dataset!r} series "
                f"({n} slots, {n_train} for training {how}); "
                f"use a window <= {n_train - 2}")


def capacity_table(scenario, C_hat, B_hat) -> pd.DataFrame:
    """One row per server and link of ``scenario``: ``kind``, ``index``, ``used`` (hosts a part /
    carries a cut of the deployment), ``usable`` (its draw is positive), the mean ``mu`` of
    eq. (13), the ``true`` capacity and the learned ``estimate`` (Ĉ or B̂)."""
    dep, net = scenario.deployment, scenario.network
    frames = []
    for kind, true, est, dens, usable, mu in (
            ("server", scenario.C_true, C_hat, dep.c, net.usable_servers, net.mu_C),
            ("link", scenario.B_true, B_hat, dep.b, net.usable_links, net.mu_B)):
        true = np.asarray(true, dtype=float)
        frames.append(pd.DataFrame({
            "kind": kind, "index": np.arange(true.size),
            "used": np.asarray(dens).sum(axis=1) > 0, "usable": np.asarray(usable, dtype=bool),
            "mu": float(mu), "true": true, "estimate": np.asarray(est, dtype=float)}))
    return pd.concat(frames, ignore_index=True)


def run_one(spec: RunSpec) -> pd.DataFrame:
    """The real run: build the scenario (arrivals of kind ``spec.data``, network draw eq. (13)
    at ``M``, ``Sigma``, the deployment the framework runs on), train and evaluate
    ``spec.framework`` on it with ``spec.training``, on every evaluation window of the series
    (:func:`splitalloc.scenario.evaluation_scenarios`: one chronological split on GEANT; on
    Kaggle one window per rolling origin, each trained from scratch with
    ``torch.manual_seed(spec.seed)`` on the same network draw). Returns one row per scored
    slot x service, in time order, with ``time, service, D_true, D_pred, d, served`` and the
    service's unit revenue ``p`` (eq. 4c); a rolling-origin run adds ``origin`` (the first
    scored slot of the window that scored the row). Learned capacity estimates are those of
    the last window (trained on the most data).
    """
    import torch

    from ..frameworks.run import run_framework

    scenarios = evaluation_scenarios(spec.dataset, seed=spec.seed, M=spec.M, Sigma=spec.Sigma, data=spec.data,
                                     n_slots=spec.n_slots, information=spec.information,
                                     environment=spec.environment,
                                     splitting=not registry.framework(spec.framework).non_splitting)
    rolling = uses_rolling_origin(spec.dataset, spec.data)
    frames, caps = [], None
    for scenario in scenarios:
        torch.manual_seed(spec.seed)   # each window's training independent of the others' order
        out = run_framework(spec.framework, scenario, seed=spec.seed, settings=spec.training, progress=False)
        p = np.asarray(scenario.problem.p, dtype=float)
        services = list(scenario.deployment.services)
        caps = (capacity_table(scenario, out.attrs["C_hat"], out.attrs["B_hat"])
                if "C_hat" in out.attrs and "B_hat" in out.attrs else None)
        out = out.copy()
        out["p"] = out["service"].map(dict(zip(services, p)))
        if rolling:
            out["origin"] = scenario.val_end
        out.attrs = {}
        frames.append(out)
    out = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    out.attrs = {"capacities": caps} if caps is not None else {}
    return out


def _roundtrip(df: pd.DataFrame) -> pd.DataFrame:
    """CSV text round trip: fresh and cached results are bit-identical (round-trip floats)."""
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format=None)
    buf.seek(0)
    return _read_run_csv(buf)


def _read_run_csv(src) -> pd.DataFrame:
    df = pd.read_csv(src)  # pandas >= 3 parses floats exactly (round trip)
    if "time" in df.columns:
        df["time"] = pd.to_datetime(df["time"])
    return df


def _execute(run_fn: Callable[[RunSpec], pd.DataFrame], spec: RunSpec) -> pd.DataFrame:
    """Run one spec with one torch thread (results independent of the worker layout)."""
    import torch

    import time

    prev = torch.get_num_threads()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    try:
        torch.manual_seed(spec.seed)
        out = run_fn(spec)
    finally:
        torch.set_num_threads(prev)
    wall = time.perf_counter() - t0
    caps = out.attrs.get("capacities") if isinstance(out.attrs.get("capacities"), pd.DataFrame) else None
    missing = [c for c in RUN_COLUMNS if c not in out.columns]
    if missing:
        raise ValueError(f"run {spec} returned a frame without columns {missing}")
    out = out.reset_index(drop=True)
    if "p" not in out.columns:
        out["p"] = 1.0
    for c in SPEC_COLUMNS:
        if c in out.columns:
            out = out.drop(columns=c)
    spec_cols = pd.DataFrame({c: [getattr(spec, c)] * len(out) for c in SPEC_COLUMNS})
    out = pd.DataFrame(out)
    out.attrs = {}
    return _roundtrip(pd.concat([spec_cols, out], axis=1)), wall, caps


def _worker_init() -> None:
    import torch

    torch.set_num_threads(1)


def default_out_dir() -> Path:
    """``$SPLITALLOC_RESULTS_DIR`` if set, else ``./results``."""
    return Path(os.environ.get(RESULTS_ENV_VAR) or "results")


def _salt(run_fn: Callable | None) -> str:
    if run_fn is None or run_fn is run_one:
        return ""
    return f"{getattr(run_fn, '__module__', '?')}.{getattr(run_fn, '__qualname__', repr(run_fn))}"


def _cache_path(out_dir: Path, spec: RunSpec, salt: str) -> Path:
    return Path(out_dir) / "runs" / f"{spec.key(salt)}.csv"


def _capacities_path(path: Path) -> Path:
    return path.with_name(path.stem + ".capacities.csv")


def _write_cache(path: Path, spec: RunSpec, df: pd.DataFrame, wall_s: float,
                 capacities: pd.DataFrame | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if capacities is not None:  # written first: a run counts as cached once its CSV exists
        cpath = _capacities_path(path)
        tmpc = cpath.with_suffix(f".tmp{os.getpid()}c")
        capacities.to_csv(tmpc, index=False)
        os.replace(tmpc, cpath)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    df.to_csv(tmp, index=False)
    os.replace(tmp, path)
    meta = path.with_suffix(".json")
    tmpm = meta.with_suffix(f".tmp{os.getpid()}j")
    tmpm.write_text(json.dumps({**spec.as_dict(), "_v": CACHE_VERSION, "wall_s": round(wall_s, 3)},
                               sort_keys=True, indent=1))
    os.replace(tmpm, meta)


def run_specs(specs: Iterable[RunSpec], *, out_dir: str | Path | None = None, workers: int | None = 1,
              scheduler: Any = None, progress: bool = True,
              run_fn: Callable[[RunSpec], pd.DataFrame] | None = None,
              frameworks: Sequence[str] | None = None,
              series_length: Callable[[RunSpec], int] | None = None) -> dict[RunSpec, pd.DataFrame]:
    """Run (or load from cache) every spec; return ``{spec: per-slot frame}``.

    ``workers=1`` runs in this process; ``workers>1`` (or ``None``: all cores) uses a
    ``ProcessPoolExecutor`` (forked workers where available, one torch thread each); ``scheduler`` (an address
    string or a ``distributed.Client``) sends the runs to an existing dask cluster instead.
    ``run_fn`` replaces the real :func:`run_one` (dependency injection for tests; the cache key
    then carries its name). Everything is validated before any run starts. Results are
    identical whatever the executor: each run seeds itself and uses one torch thread.
    """
    run_fn = run_fn or run_one
    specs = list(dict.fromkeys(specs))  # dedupe, keep order
    validate_specs(specs, frameworks=frameworks, lengths=False)
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir()
    salt = _salt(run_fn)
    todo = [s for s in specs if not _cache_path(out_dir, s, salt).exists()]
    # series lengths (window fits the training period) only matter for runs still to do
    validate_specs(todo, frameworks=frameworks, series_length=series_length)
    todo_set = set(todo)
    results: dict[RunSpec, pd.DataFrame] = {
        s: _read_run_csv(_cache_path(out_dir, s, salt)) for s in specs if s not in todo_set}
    if todo:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc="runs", disable=not progress, unit="run")

        def done(spec: RunSpec, result: tuple) -> None:
            df, wall_s, caps = result
            _write_cache(_cache_path(out_dir, spec, salt), spec, df, wall_s, caps)
            results[spec] = df
            bar.update(1)

        try:
            if scheduler is not None:
                _run_dask(todo, run_fn, scheduler, done)
            elif workers is None or workers > 1:
                _run_pool(todo, run_fn, workers, done)
            else:
                for s in todo:
                    done(s, _execute(run_fn, s))
        finally:
            bar.close()
    return {s: results[s] for s in specs}


def run_capacities(specs: Iterable[RunSpec], *, out_dir: str | Path | None = None,
                   run_fn: Callable[[RunSpec], pd.DataFrame] | None = None) -> pd.DataFrame:
    """The capacity estimates Ĉ, B̂ saved with each cached run that learned them (objective-driven
    frameworks): one row per run x resource, the spec columns (and ``information``) followed by
    :func:`capacity_table`'s columns. Runs without estimates are skipped; empty if none."""
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir()
    salt = _salt(run_fn or run_one)
    frames = []
    for s in dict.fromkeys(specs):
        p = _capacities_path(_cache_path(out_dir, s, salt))
        if p.exists():
            t = pd.read_csv(p)
            for c in reversed((*SPEC_COLUMNS, "information")):
                t.insert(0, c, getattr(s, c))
            frames.append(t)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def run_times(out_dir: str | Path | None = None) -> pd.DataFrame:
    """Wall time of every cached run (seconds, measured in the worker), one row per run with its
    spec (training settings as ``training.<field>`` columns)."""
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir()
    rows = [json.loads(p.read_text()) for p in sorted((out_dir / "runs").glob("*.json"))]
    return pd.json_normalize(rows) if rows else pd.DataFrame()


def _run_pool(todo, run_fn, workers, done) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    n = workers or os.cpu_count() or 1
    # fork starts workers without re-importing torch (seconds each on a loaded 2-core machine);
    # torch resets its intra-op thread pool in forked children. $SPLITALLOC_MP_START overrides.
    method = os.environ.get("SPLITALLOC_MP_START") or (
        "fork" if "fork" in mp.get_all_start_methods() else "spawn")
    groups: dict[tuple, list[RunSpec]] = {}
    for s in todo:
        groups.setdefault(_affinity(s), []).append(s)
    with ProcessPoolExecutor(max_workers=min(n, len(groups)), mp_context=mp.get_context(method),
                             initializer=_worker_init) as pool:
        futures = [pool.submit(_execute_group, run_fn, g) for g in groups.values()]
        for fut in as_completed(futures):
            for spec, result in fut.result():
                done(spec, result)


def _affinity(spec: RunSpec) -> tuple:
    """Runs that share a trained two-stage forecaster (it does not depend on ``M``, ``Sigma``,
    :mod:`splitalloc.frameworks.training`'s predictor cache) go to one worker, one after the
    other: a Kaggle run trains at every rolling origin, so re-training the same forecasters in
    another worker would cost most of a sweep. Numbers do not depend on it."""
    return (spec.dataset, spec.data, spec.n_slots, spec.seed, spec.framework, spec.information, spec.training)


def _execute_group(run_fn, specs: list[RunSpec]) -> list[tuple[RunSpec, tuple]]:
    return [(s, _execute(run_fn, s)) for s in specs]


def _run_dask(todo, run_fn, scheduler, done) -> None:
    from distributed import Client, as_completed

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        futures = [client.submit(_execute, run_fn, s, key=f"splitalloc-run-{s.key(_salt(run_fn))}",
                                 pure=False) for s in todo]
        index = {f.key: s for f, s in zip(futures, todo)}
        for fut in as_completed(futures):
            done(index[fut.key], fut.result())
    finally:
        if own:
            client.close()
