"""What opens a page of the book (presentation only: no science here).

* :func:`run_banner`: the line every result page shows above its first figure, naming the
  scale and the seeds the page actually ran with (the values papermill injected, resolved by
  the experiments package, never the notebook's defaults);
* :func:`read_claims` and :func:`verdict_summary`: the front page's summary of the verdicts,
  read from the ``claims.csv`` that :func:`splitalloc.experiments.reproduce` writes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from ..experiments import all_specs, default_out_dir, get_scale
from ..experiments.judge import HEADLINE_BASELINES, VERDICTS, headline
from .common import verdict_shading
from .comparison import claims_display


@dataclasses.dataclass(frozen=True)
class PageNote:
    """A line of Markdown shown as a cell's output (Jupyter and the book render
    ``text/markdown``; ``str()`` and ``repr()`` give the same text)."""

    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _seed_list(seeds) -> str:
    seeds = sorted(seeds)
    if seeds == list(range(seeds[0], seeds[-1] + 1)) and len(seeds) > 2:
        return f"{seeds[0]}–{seeds[-1]}"
    return ", ".join(map(str, seeds))


def _seed_phrase(seeds) -> str:
    return f"{len(seeds)} seed{'s' if len(seeds) != 1 else ''} ({_seed_list(seeds)})"


def run_banner(scale, seeds=None, *, artefacts=None) -> PageNote:
    """``Scale: **paper** — 10 seeds (0–9), 60 runs.``: the scale and seeds of a page's runs.

    ``scale`` and ``seeds`` are the page's parameters as papermill injected them (a scale name
    or an :class:`~splitalloc.experiments.ExperimentScale` with the page's sweep overrides;
    ``seeds`` as the figure functions take it). The seeds are those of the runs
    :func:`splitalloc.experiments.all_specs` lists for ``artefacts`` (names of
    :data:`splitalloc.experiments.FIGURES`; ``None``: every artefact), so the banner follows the
    package's seed rules: where some settings run fewer seeds (the robustness grid off its
    default point), the banner says so.
    """
    sc = get_scale(scale)
    specs = all_specs(sc, seeds=seeds, only=None if artefacts is None else list(artefacts))
    per_setting: dict = {}
    for s in specs:
        per_setting.setdefault(dataclasses.replace(s, seed=0), set()).add(s.seed)
    sets = sorted({tuple(sorted(v)) for v in per_setting.values()}, key=lambda t: (-len(t), t))
    text = f"Scale: **{sc.name}** — "
    if not sets:
        return PageNote(text + "no runs.")
    text += _seed_phrase(sorted({s.seed for s in specs}))
    if len(sets) > 1:
        text += "; " + ", ".join(_seed_phrase(t) for t in sets[1:]) + " for some settings"
    return PageNote(f"{text}; {len(specs)} run{'s' if len(specs) != 1 else ''}.")


def read_claims(scale: str = "quick", out_dir: str | Path | None = None) -> pd.DataFrame:
    """The claims table (``<out_dir>/<scale>/claims.csv``) that
    :func:`splitalloc.experiments.reproduce` wrote; ``out_dir`` ``None`` is the result cache
    (:func:`splitalloc.experiments.default_out_dir`). A missing file is an error that says
    how to write it."""
    name = get_scale(scale).name
    path = (Path(out_dir) if out_dir is not None else default_out_dir()) / name / "claims.csv"
    if not path.is_file():
        raise FileNotFoundError(f"no claims table at {path}: run `python -m splitalloc reproduce "
                                f"--scale {name}` (or `make book SCALE={name}`) first")
    return pd.read_csv(path)


def verdict_summary(claims, *, caption: str | None = None):
    """The front page's table: the headline rows of the claims table
    (:func:`splitalloc.experiments.judge.headline`: each claim per dataset against the
    non-splitting deployment, the two-stage LSTM and, for claim 2, the equal-information
    baseline), with the verdict (shaded), our estimate and 95 % CI over seeds, the minimum
    detectable effect, the paper's effect and the seeds. ``claims`` is the frame of
    :func:`read_claims`. The caption counts the rows per verdict class."""
    rows = headline(claims)
    table = claims_display(rows).drop(columns=["part", "ci_method", "note"])
    table.insert(1, "verdict", table.pop("verdict"))
    table.insert(4, "comparison", ["equal information" if b == HEADLINE_BASELINES[-1] else "as in the paper"
                                   for b in rows["baseline"]])
    counts = table["verdict"].value_counts()
    order = [v for v in VERDICTS if v in counts] + [v for v in counts.index if v not in VERDICTS]
    tally = ", ".join(f"{counts[v]} {v}" for v in order)
    text = caption or f"The paper's claims per dataset, judged on our runs ({len(table)} rows): {tally}"
    return (table.style.hide(axis="index").apply(verdict_shading, subset=["verdict"])
            .set_properties(**{"text-align": "left", "white-space": "normal"}).set_caption(text)
            .set_table_styles([{"selector": "caption", "props": "caption-side: top; text-align: left;"}])
            .set_uuid("verdict_summary"))
