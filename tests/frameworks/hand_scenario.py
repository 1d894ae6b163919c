"""A small hand-built scenario for the framework tests (fast), and tiny training settings.

The hand-built scenario has the exact shape of the LP (4)-(5): 2 servers, 1 link, 2 services,
``G = [c; b; I; -I]``, with capacities near the demand so that both the demand rows and the
capacity rows bind on some slots.
"""

from types import SimpleNamespace

import numpy as np
import pandas as pd

from splitalloc.frameworks import TrainSettings
from splitalloc.scenario import Scenario

TINY = TrainSettings(max_steps=8, eval_every=2, patience=2, window=4, hidden_size=4,
                     learning_rate=1e-2, batch_size=8, quantile_grid=(0.4, 0.6))


def hand_scenario(T=48, seed=0, splitting=False) -> Scenario:
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    base = np.stack([5 + 2 * np.sin(2 * np.pi * t / 12), 4 + 1.5 * np.cos(2 * np.pi * t / 8)], 1)
    arrivals = pd.DataFrame(np.maximum(base + rng.normal(0, 0.5, base.shape), 0),
                            index=pd.date_range("2005-05-04", periods=T, freq="6h"),   # a season = 4 slots
                            columns=["AlexNet", "VGG16"])
    c = np.array([[1.0, 0.5], [0.5, 1.0]])
    b = np.array([[0.5, 0.5]])
    N, E, K = 2, 1, 2
    G = np.vstack([c, b, np.eye(K), -np.eye(K)])
    network = SimpleNamespace(C=np.array([6.5, 5.0]), B=np.array([4.5]), mu_C=6.0, mu_B=6.0,
                              sigma_C=1.0, sigma_B=1.0, usable_servers=np.array([True, True]),
                              usable_links=np.array([True]))
    deployment = SimpleNamespace(c=c, b=b, splitting=splitting, services=list(arrivals.columns))
    problem = SimpleNamespace(G=G, p=np.array([1.0, 1.2]), n_servers=N, n_links=E, n_services=K)
    return Scenario(dataset="hand", arrivals=arrivals, network=network, deployment=deployment,
                    problem=problem, train_end=28, val_end=38, seed=seed, M=6.0, Sigma=1.0)
