"""Names shared by every experiment: datasets, data kinds, frameworks, the paper's labels, run
columns, and each dataset's seasonal period (:func:`period_slots`).
"""

from __future__ import annotations

from .. import config

#: The paper's two datasets: the GEANT week (headline) and Kaggle (figures, Table 4).
DATASETS = ("geant", "kaggle")


#: Every dataset a run may use: also the May 2005 GEANT subset (the robustness grid).
ALL_DATASETS = DATASETS + ("geant-may",)


#: ``real`` series, ``synthetic`` series fitted to them, and ``permuted``: the real GEANT series
#: with a seeded random node-to-service mapping (the robustness grid).
DATA_KINDS = ("real", "synthetic", "permuted")


#: The paper's names for our frameworks (Table 4 / Figs. 6-10 legends).
PAPER_NAMES = {
    "offline": "Offline",
    "two-stage-lstm": "LSTM",
    "two-stage-bilstm": "Bi-LSTM",
    "objective-driven": "Proposed",
    "non-splitting": "Non-splitting",
    "two-stage-quantile": "Quantile LSTM (ours)",
    "objective-driven-regret": "Proposed, regret loss (ours)",
    "objective-driven-warm": "Proposed, warm start (ours)",
    "two-stage-persistence": "Persistence (naive)",
    "two-stage-seasonal": "Seasonal naive",
}


#: The paper's dataset names.
PAPER_DATASETS = {"geant": "TOTEM", "kaggle": "Kaggle"}


#: Frameworks compared in the paper's sweeps (Figs. 8, 9; Table 4 main rows).
PAPER_FRAMEWORKS = ("offline", "two-stage-lstm", "two-stage-bilstm", "objective-driven")


#: Naive two-stage forecasters (persistence, seasonal naive): reported wherever the LSTM is
#: (DESIGN.md, fair comparison), so that a weak LSTM cannot pass for a baseline.
NAIVE_FRAMEWORKS = ("two-stage-persistence", "two-stage-seasonal")


#: The paper's frameworks and the naive baselines (Figs. 7, 8, 9).
BASELINE_FRAMEWORKS = PAPER_FRAMEWORKS + NAIVE_FRAMEWORKS


#: The paper's frameworks, the naive baselines and our variants (Table 4, Figs. 6, 10).
ALL_SPLITTING_FRAMEWORKS = BASELINE_FRAMEWORKS + ("two-stage-quantile", "objective-driven-regret",
                                                  "objective-driven-warm")


#: Improvement rows of Table 4: proposed minus each two-stage baseline (percentage points).
IMPROVEMENTS = (("objective-driven", "two-stage-lstm"), ("objective-driven", "two-stage-bilstm"))


RUN_COLUMNS = ("time", "service", "D_true", "D_pred", "d", "served")


SPEC_COLUMNS = ("dataset", "data", "framework", "seed", "M", "Sigma")


#: Ablations that isolate the paper's mechanism (Table 4 and its chart, the claims' prose):
#: the objective-driven framework with Ĉ, B̂ frozen at the means, and the two-stage LSTM with
#: Ĉ, B̂ fitted through the layer (frameworks module docstring).
ABLATION_FRAMEWORKS = ("objective-driven-frozen", "two-stage-fitted")
PAPER_NAMES.update({"objective-driven-frozen": "Proposed, capacities frozen at μ (ablation)",
                    "two-stage-fitted": "LSTM + capacities fitted (ablation)"})


def period_slots(dataset: str) -> int:
    """The seasonal period of ``dataset``'s series in slots: one day of GEANT slots (96 of
    15 min, config ``geant_slot_minutes``), one week of Kaggle's daily slots (7). The
    moving-block bootstrap uses it as its block length."""
    if dataset.startswith("geant"):
        return 24 * 60 // int(config.value("geant_slot_minutes"))
    return 7
