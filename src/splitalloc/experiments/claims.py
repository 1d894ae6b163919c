"""The paper's five claims: what each states, the per-seed quantity the judge reduces it to, and
what its verdict is expected to hinge on (the text of the pages).

The verdicts themselves, their classes (:data:`splitalloc.experiments.judge.VERDICTS`) and the
one rule that assigns them live in :mod:`splitalloc.experiments.judge` (intervals over seeds,
the paper's effect beside ours); this module only describes the claims, under the keys the judge
uses (:data:`splitalloc.experiments.judge.CLAIM_KEYS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .judge import CLAIM_KEYS


@dataclass(frozen=True)
class Claim:
    """One claim of the paper: its key (:data:`judge.CLAIM_KEYS`), its text, the per-seed
    quantity :func:`judge.judge` reduces it to, and what its verdict is expected to hinge on."""

    key: str
    text: str
    quantity: str
    hinges_on: str


#: The five claims, in the order of the paper-vs-ours page.
CLAIMS: tuple[Claim, ...] = (
    Claim("splitting", "Splitting achieves far higher throughput than non-splitting (Fig. 5)",
          "per seed, the log of the throughput ratio objective-driven (splitting) / non-splitting "
          "deployment at the default operating point",
          "the load of a whole model at the mean arrival (compute_density_total x service_mean_arrival) "
          "against a server's capacity M: where a whole model nearly fits one server, non-splitting loses "
          "little; the paper's 4.2x needs whole models several times larger than a server (regime)"),
    Claim("beats-baselines", "Objective-driven beats both two-stage baselines (Figs. 6, 9; Table 4)",
          "per seed and dataset, the mean over the Sigma points of the paired utility improvement "
          "objective-driven - two-stage (pp); also against the two-stage LSTM with fitted capacities "
          "(equal information)",
          "the deployment information (GUS deploying on the true capacities leaves the two-stage LP, "
          "which allocates on the means, mismatched with the servers it uses, and the learned "
          "capacities pay off), the regime (capacity-bound: little to gain) and the forecaster"),
    Claim("accuracy-paradox", "Lower prediction accuracy, yet higher throughput (Figs. 6-7)",
          "per seed and dataset at the default Sigma, the paired accuracy difference objective-driven - "
          "two-stage (1 - WAPE, pp; claimed below 0) and the paired utility difference (pp; claimed "
          "above 0); the worse of the two parts decides",
          "how far the objective-driven model's forecasts drift from the arrivals (training start, "
          "step budget, early stopping) and, for the throughput part, what claim 2 hinges on (above "
          "all the deployment information)"),
    Claim("grows-with-sigma", "The gain grows with the resource deviation Sigma (Fig. 9, Table 4)",
          "per seed and dataset, the OLS slope of the paired utility improvement on Sigma (pp per 10 "
          "of Sigma)",
          "the information model: the learned capacity estimates can only help where capacities "
          "deviate from their means and the two-stage baseline allocates on the means"),
    Claim("kaggle-larger", "The gain is larger on the more complex Kaggle dataset (Fig. 10, Table 4)",
          "per seed, Kaggle's mean improvement over the Sigma points minus GEANT's, paired by seed number",
          "the series: Kaggle's 92 spiky daily slots leave the objective-driven model a few dozen "
          "training windows, and Kaggle's regime is scarcer than GEANT's at the same M (the admitted "
          "fractions are on the robustness page)"),
)
CLAIM_BY_KEY = {c.key: c for c in CLAIMS}
assert tuple(CLAIM_BY_KEY) == tuple(CLAIM_KEYS.values()), "claims and judge must use the same keys"


def claims_table() -> pd.DataFrame:
    """The five claims as a table: claim, the per-seed quantity judged, and the assumption the
    verdict hinges on (the robustness page)."""
    return pd.DataFrame([{"claim": c.text, "quantity judged (per seed)": c.quantity, "hinges_on": c.hinges_on}
                         for c in CLAIMS])
