"""One record per artefact of the reproduction (:class:`Artefact`) and one registry of them.

An *artefact* is what the reproduction writes as CSV: a figure's data, Table 4, the robustness
grid, the paper comparison. Its record says

* ``work(scale, seeds)``: the runs it needs (a list of :class:`RunSpec`; runs that several
  artefacts need are run once), given the reproduction's resolved seeds;
* ``seed_rule(scale, seeds)``: the artefact's own seed rule, which ``work`` applies: which of
  the reproduction's seeds its runs use. Most artefacts run them all (:func:`all_seeds`); the
  robustness grid runs fewer in the cells it does not share with the headline figures
  (:func:`splitalloc.experiments.robustness.grid_seeds`: 5 at the paper scale against the
  headline's 10), so its record names that rule for pages and tests to read;
* ``assemble(context)``: its tables, built from the run results in a :class:`Context`;
* ``files``: the CSV file of each table, under ``<out_dir>/<scale>/``;
* ``reads``: the artefacts whose tables and runs it assembles from (the paper comparison reads
  the figures); such an artefact is always assembled after them.

An artefact whose work is not a list of runs (a calibration, say) leaves ``work`` empty and
computes in ``assemble``: the context carries the scale, the seeds, the results directory and
the executor settings.

Each artefact module registers its record next to its code (:func:`register`);
:data:`ARTEFACTS` holds them in registration order. :func:`produce` runs and writes one
artefact (each figure function, ``fig5_splitting`` ..., is a call of it);
:func:`splitalloc.experiments.reproduce` plans every artefact's work, runs all of it once and
assembles the artefacts from the results. The scale and the seeds are resolved once, at that
entry point (:func:`resolve_seeds`), and passed down.

To add an artefact: in the module of its family, write its ``work`` and ``assemble``,
``register(Artefact(...))`` them and add a public function that calls :func:`produce` (what
notebooks call); a new module is imported by :mod:`splitalloc.experiments.reproduction`, in
the registry's order. Its quick CSV then needs a reference table in ``tests/reference/quick``
(``scripts/store_notebook_outputs.sh`` writes them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .names import PAPER_NAMES
from .runs import RunSpec, default_out_dir, run_specs
from .scales import ExperimentScale, get_scale

#: Seeds as every layer below the entry points takes them: resolved, a tuple of ints.
Seeds = tuple[int, ...]


def resolve_seeds(scale: ExperimentScale, seeds) -> Seeds:
    """The seeds a caller asked for: ``None`` (the scale's own), a count ``n`` (seeds
    ``0 .. n-1``) or a list of seeds; raises ``ValueError`` naming a bad value."""
    if seeds is None:
        return tuple(scale.seeds)
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"seeds must be >= 1, got {seeds}")
        return tuple(range(int(seeds)))
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    return seeds


def all_seeds(scale: ExperimentScale, seeds: Seeds) -> Seeds:
    """The default seed rule: an artefact runs every seed of the reproduction."""
    return seeds


def no_runs(scale: ExperimentScale, seeds: Seeds) -> list[RunSpec]:
    """The work of an artefact that needs no runs of its own."""
    return []


@dataclass(frozen=True)
class Context:
    """What an artefact's ``assemble`` reads.

    ``scale`` and ``seeds``: the reproduction's, resolved once. ``results``: the runs of the
    artefact's work, ``{spec: per-slot frame}`` in the order of its work. ``tables`` and
    ``runs``: the tables (by result key) and the runs (by artefact name) of the artefacts it
    ``reads`` that were produced. ``out_dir``, ``workers``, ``scheduler``, ``progress`` and
    ``run_fn`` are the reproduction's settings (for artefacts that read their runs' side files
    or compute work of another kind)."""

    scale: ExperimentScale
    seeds: Seeds
    out_dir: Path
    results: Mapping[RunSpec, pd.DataFrame] = field(default_factory=dict)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    runs: Mapping[str, Mapping[RunSpec, pd.DataFrame]] = field(default_factory=dict)
    workers: int | None = 1
    scheduler: Any = None
    progress: bool = True
    run_fn: Callable[[RunSpec], pd.DataFrame] | None = None


@dataclass(frozen=True, eq=False)
class Artefact:
    """One artefact: its name, the runs it needs, how it builds its tables and where it writes them.

    ``files`` maps each table's result key to its CSV name without ``.csv``
    (``{"fig5": "fig5_splitting"}``); ``assemble`` returns the one table of a single-file
    artefact as a frame, or a mapping with exactly the keys of ``files``. See the module
    docstring for ``work``, ``seed_rule`` and ``reads``."""

    name: str
    title: str
    files: Mapping[str, str]
    assemble: Callable[[Context], pd.DataFrame | Mapping[str, pd.DataFrame]]
    work: Callable[[ExperimentScale, Seeds], Sequence[RunSpec]] = no_runs
    seed_rule: Callable[[ExperimentScale, Seeds], Seeds] = all_seeds
    reads: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise ValueError(f"Artefact: name must be a non-empty string, got {self.name!r}")
        if not self.files:
            raise ValueError(f"artefact {self.name!r}: files must name at least one table")
        for key, stem in self.files.items():
            if not stem or "/" in stem or stem.endswith(".csv"):
                raise ValueError(f"artefact {self.name!r}: file of {key!r} must be a bare name like "
                                 f"'fig5_splitting', got {stem!r}")

    def specs(self, scale: ExperimentScale, seeds: Seeds) -> list[RunSpec]:
        """The distinct runs of this artefact at ``scale`` for the reproduction's ``seeds``."""
        return list(dict.fromkeys(self.work(scale, seeds)))

    def build(self, context: Context) -> dict[str, pd.DataFrame]:
        """``assemble(context)`` as ``{result key: table}``, checked against ``files``."""
        out = self.assemble(context)
        if isinstance(out, pd.DataFrame):
            if len(self.files) != 1:
                raise ValueError(f"artefact {self.name!r} returned one table for the files {list(self.files)}")
            return {next(iter(self.files)): out}
        out = dict(out)
        if set(out) != set(self.files):
            raise ValueError(f"artefact {self.name!r} returned the tables {sorted(out)}; "
                             f"its files are {sorted(self.files)}")
        return {k: out[k] for k in self.files}

    def write(self, tables: Mapping[str, pd.DataFrame], out_dir: Path, scale: ExperimentScale) -> None:
        """Each table as ``<out_dir>/<scale name>/<file>.csv``."""
        d = Path(out_dir) / scale.name
        d.mkdir(parents=True, exist_ok=True)
        for key, stem in self.files.items():
            tables[key].to_csv(d / f"{stem}.csv", index=False)


#: Every artefact, in registration order (the order :func:`reproduce` assembles and returns them).
ARTEFACTS: dict[str, Artefact] = {}


def register(artefact: Artefact) -> Artefact:
    """Add ``artefact`` to :data:`ARTEFACTS` and return it. Its name, its result keys and its
    files must be new, and every artefact it reads must be registered before it."""
    if artefact.name in ARTEFACTS:
        raise ValueError(f"artefact {artefact.name!r} is registered twice")
    keys = {k for a in ARTEFACTS.values() for k in a.files}
    stems = {s for a in ARTEFACTS.values() for s in a.files.values()}
    for key, stem in artefact.files.items():
        if key in keys or stem in stems:
            raise ValueError(f"artefact {artefact.name!r}: table {key!r} ({stem}.csv) is already "
                             "written by another artefact")
    unknown = [r for r in artefact.reads if r not in ARTEFACTS]
    if unknown:
        raise ValueError(f"artefact {artefact.name!r} reads {unknown}, not registered before it; "
                         f"registered: {list(ARTEFACTS)}")
    ARTEFACTS[artefact.name] = artefact
    return artefact


def resolve_out_dir(out_dir: str | Path | None) -> Path:
    """``out_dir`` as a path; ``None``: :func:`splitalloc.experiments.default_out_dir`."""
    return Path(out_dir) if out_dir is not None else default_out_dir()


def produce(artefact: Artefact, *, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
            progress=True, run_fn=None) -> pd.DataFrame:
    """Run (or read from the cache) the work of one artefact, assemble its table and write it.

    The arguments are the figure functions' (``fig5_splitting(scale=..., seeds=...)``): ``scale``
    a name or an :class:`ExperimentScale`, ``seeds`` ``None``, a count or a list. Returns the
    table (an artefact that reads others is produced by :func:`reproduce` only)."""
    if artefact.reads:
        raise ValueError(f"artefact {artefact.name!r} reads {list(artefact.reads)}; produce it with reproduce()")
    if len(artefact.files) != 1:
        raise ValueError(f"artefact {artefact.name!r} writes several tables; produce it with reproduce()")
    sc = get_scale(scale)
    seeds = resolve_seeds(sc, seeds)
    out = resolve_out_dir(out_dir)
    results = run_specs(artefact.specs(sc, seeds), out_dir=out, workers=workers, scheduler=scheduler,
                        progress=progress, run_fn=run_fn)
    tables = artefact.build(Context(scale=sc, seeds=seeds, out_dir=out, results=results, workers=workers,
                                    scheduler=scheduler, progress=progress, run_fn=run_fn))
    artefact.write(tables, out, sc)
    return next(iter(tables.values()))


def label_frameworks(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with the paper's name of each framework (``label``) after ``framework``."""
    df = df.copy()
    df.insert(df.columns.get_loc("framework") + 1, "label", df["framework"].map(PAPER_NAMES))
    return df
