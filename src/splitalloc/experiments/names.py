"""Names shared by every experiment: datasets, data kinds, frameworks, the paper's labels, run
columns, and each dataset's seasonal period (:func:`period_slots`, from :mod:`splitalloc.scenario`).

The framework names and labels are derived from the framework registry
(:mod:`splitalloc.frameworks.registry`), where each is defined once; the data kinds and the
seasonal period come from :mod:`splitalloc.scenario`.
"""

from __future__ import annotations

from ..frameworks.registry import REGISTRY, names_with
from ..scenario import DATA_KINDS, period_slots  # noqa: F401  (re-exported)


#: The paper's two datasets: the GEANT week (headline) and Kaggle (figures, Table 4).
DATASETS = ("geant", "kaggle")


#: Every dataset a run may use: also the May 2005 GEANT subset (the robustness grid).
ALL_DATASETS = DATASETS + ("geant-may",)


#: The paper's names for our frameworks (Table 4 / Figs. 6-10 legends).
PAPER_NAMES = {f.name: f.label for f in REGISTRY}


#: The paper's dataset names.
PAPER_DATASETS = {"geant": "TOTEM", "kaggle": "Kaggle"}


#: Frameworks compared in the paper's sweeps (Figs. 8, 9; Table 4 main rows).
PAPER_FRAMEWORKS = names_with(role="paper")


#: Naive two-stage forecasters (persistence, seasonal naive): reported wherever the LSTM is
#: (DESIGN.md, fair comparison), so that a weak LSTM cannot pass for a baseline.
NAIVE_FRAMEWORKS = names_with(role="naive")


#: The paper's frameworks and the naive baselines (Figs. 7, 8, 9).
BASELINE_FRAMEWORKS = PAPER_FRAMEWORKS + NAIVE_FRAMEWORKS


#: The paper's frameworks, the naive baselines and our variants (Table 4, Figs. 6, 10).
ALL_SPLITTING_FRAMEWORKS = BASELINE_FRAMEWORKS + names_with(role="variant")


#: Improvement rows of Table 4: proposed minus each two-stage baseline (percentage points).
IMPROVEMENTS = (("objective-driven", "two-stage-lstm"), ("objective-driven", "two-stage-bilstm"))


RUN_COLUMNS = ("time", "service", "D_true", "D_pred", "d", "served")


SPEC_COLUMNS = ("dataset", "data", "framework", "seed", "M", "Sigma")


#: Ablations that isolate the paper's mechanism (Table 4 and its chart, the claims' prose):
#: the objective-driven framework with Ĉ, B̂ frozen at the means, and the two-stage LSTM with
#: Ĉ, B̂ fitted through the layer (:mod:`splitalloc.frameworks.objective_driven`).
ABLATION_FRAMEWORKS = names_with(role="ablation")


#: Frameworks whose runs learn capacity estimates Ĉ, B̂ through the layer.
LEARNS_CAPACITIES = names_with(learns_capacities=True)
