"""The experiments of the paper's §V (Figs. 5-10, Table 4) as functions returning tidy data.

Every experiment is a list of independent *runs*. A run is one framework trained and
evaluated on one scenario (dataset x network draw), fully described by a :class:`RunSpec`
(dataset, data kind, framework, seed, average resource ``M`` of eq. (14), average deviation
``Sigma`` of eq. (15), training settings). Every artefact (a figure's data, Table 4, the
robustness grid, the paper comparison) is one :class:`Artefact` record in one registry,
:data:`ARTEFACTS`: the runs it needs, its seed rule, how it assembles its table from the
results, the CSV it writes under ``<out_dir>/<scale>/``. Each figure function
(``fig5_splitting`` ... ``table4_utility``) runs one artefact (:func:`produce`) and returns its
tidy :class:`pandas.DataFrame`; :func:`reproduce` runs them all, sharing runs, and judges the
paper's claims.

The paper reports single runs; we run every setting over several seeds (network draw,
weight initialisation and, for synthetic data, the series), pair frameworks by seed (same
network, same traffic) and report confidence intervals.

Where things live (data flows down this list, never up):

========================  ==============================================================
``names``                 datasets, frameworks, the paper's labels, run columns, seasonal periods
``scales``                :class:`ExperimentScale`, :data:`SCALES`, :func:`get_scale`
``runs``                  :class:`RunSpec`, :func:`run_one`, cache, :func:`run_specs`
                          (process pool / dask executors)
``summarize``             per-run summaries, paired improvements, CIs over seeds, bootstrap
``judge``                 the one judge: intervals over seeds (t, MDE), the verdict classes
                          and their definitions, the paper's effects, :func:`judge`
``claims``                the five claims' text, quantity and what each hinges on
``artefacts``             :class:`Artefact`, :class:`Context`, the registry :data:`ARTEFACTS`,
                          :func:`produce` (run, assemble and write one artefact)
``splitting``             Fig. 5 (splitting vs non-splitting)
``traces``                Figs. 6, 7, 10 (per-slot admitted traffic and predictions),
                          :func:`fig7_table`
``sweeps``                Fig. 8 (``M`` sweep), Fig. 9 and Table 4 (``Sigma`` sweep)
``capacities``            the learned capacity estimates Ĉ, B̂ against the truth
``robustness``            the grid: each claim's verdict as one assumption varies
``regime``                the offline optimum's admitted fraction per dataset and ``M``
``paper``                 the paper's numbers beside ours and ``claims.csv`` (the judge on
                          the figures' runs; the ``comparison`` artefact, which reads them)
``reproduction``          :func:`all_specs`, :func:`reproduce`
========================  ==============================================================

Everything a notebook, the CLI or a test needs is re-exported here
(``from splitalloc import experiments; experiments.fig5_splitting(...)``).
"""

from __future__ import annotations

from .names import (ALL_SPLITTING_FRAMEWORKS, BASELINE_FRAMEWORKS, DATA_KINDS, DATASETS, IMPROVEMENTS,
                    NAIVE_FRAMEWORKS, PAPER_DATASETS, PAPER_FRAMEWORKS, PAPER_NAMES, RUN_COLUMNS,
                    SPEC_COLUMNS)
from .scales import SCALES, ExperimentScale, get_scale
from .runs import (CACHE_VERSION, RESULTS_ENV_VAR, RUN_MODULES, RUN_PARAMETER_GROUPS, RunSpec,
                   default_out_dir, make_spec, run_one, run_specs, run_times, validate_specs)
from .summarize import (paired_improvement, per_slot_totals, run_summary, summaries, summarize_runs,
                        summarize_with_ci)
from .judge import (CONTRADICTED, FITTED, INCONCLUSIVE, MIXED, NOT_COMPARABLE, NOT_RUN, REPRODUCED, SMALLER,
                    VERDICT_DEFINITIONS, VERDICTS, seed_interval)
from .claims import CLAIMS, claims_table
from .artefacts import ARTEFACTS, Artefact, Context, produce, register, resolve_seeds
from .reproduction import all_specs, reproduce   # imports the artefact modules in registry order
from .splitting import fig5_splitting
from .traces import (evaluation_window_table, fig6_admitted, fig7_prediction, fig7_table, fig10_kaggle,
                     kaggle_spike_days, origin_report)
from .sweeps import fig8_resource, fig9_deviation, table4_utility, table4_wide
from .paper import compare_with_paper, paper_numbers
from .capacities import capacity_estimates, capacity_summary
from .robustness import AXES, ROBUSTNESS_COLUMNS, robustness_grid, verdict_changes
from .regime import admitted_fractions, admitted_summary
from . import calibrated, calibration
from .calibrated import environment_list, heldout_table, judge_environments
from .calibration import run_calibration
from .runs import run_capacities

__all__ = [
    "ALL_SPLITTING_FRAMEWORKS", "BASELINE_FRAMEWORKS", "NAIVE_FRAMEWORKS", "DATA_KINDS", "DATASETS",
    "IMPROVEMENTS", "PAPER_DATASETS", "PAPER_FRAMEWORKS", "PAPER_NAMES", "RUN_COLUMNS", "SPEC_COLUMNS",
    "SCALES", "ExperimentScale", "get_scale",
    "CACHE_VERSION", "RESULTS_ENV_VAR", "RUN_MODULES", "RUN_PARAMETER_GROUPS", "RunSpec",
    "default_out_dir", "make_spec", "run_one", "run_specs", "run_times", "validate_specs",
    "fig7_table", "paired_improvement", "per_slot_totals", "run_summary", "summaries",
    "summarize_runs", "summarize_with_ci",
    "fig5_splitting", "fig6_admitted", "fig7_prediction", "fig10_kaggle",
    "origin_report", "kaggle_spike_days", "evaluation_window_table",
    "fig8_resource", "fig9_deviation", "table4_utility", "table4_wide",
    "compare_with_paper", "paper_numbers",
    "ARTEFACTS", "Artefact", "Context", "produce", "register", "resolve_seeds", "all_specs", "reproduce",
    "CLAIMS", "claims_table", "VERDICTS", "VERDICT_DEFINITIONS", "REPRODUCED", "SMALLER", "CONTRADICTED",
    "NOT_COMPARABLE", "INCONCLUSIVE", "MIXED", "FITTED", "NOT_RUN", "seed_interval",
    "capacity_estimates", "capacity_summary", "run_capacities",
    "AXES", "ROBUSTNESS_COLUMNS", "robustness_grid", "verdict_changes",
    "admitted_fractions", "admitted_summary",
    "run_calibration", "heldout_table", "environment_list", "judge_environments",
]
