"""Time per training epoch: objective-driven (LSTM -> LP layer) vs two-stage (LSTM on MSE).

Goal (issue 4): an objective-driven epoch costs at most 2x a two-stage epoch. Both train the
same LSTM (config defaults: window, hidden size, batch size) on the same GEANT scenario
(seed 0, default M and Sigma); the objective-driven epoch adds, per mini-batch, one batched
``lp_solve`` forward and its implicit backward (eq. 12) and the learnable capacities. The offline
targets ``d*`` are computed once before timing (as in ``run_framework``).

    SPLITALLOC_DATA_DIR=../shared/data python benchmarks/epoch_cost.py [--epochs 5] [--repeats 3] [--threads 1]

Prints one table (median seconds per epoch over repeats) and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from splitalloc import frameworks as fw
from splitalloc.models import TrafficPredictor


def _time_epochs(loss_fn, params, n, settings, epochs, seed):
    gen = torch.Generator().manual_seed(seed)
    fw._fit(params, loss_fn, n, 1, settings.batch_size, gen, False, "")   # warm-up, untimed
    t0 = time.perf_counter()
    fw._fit(params, loss_fn, n, epochs, settings.batch_size, gen, False, "")
    return (time.perf_counter() - t0) / epochs


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="geant")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch intra-op threads (1: stable timings on a shared 2-core machine)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)

    scenario = fw.make_scenario(args.dataset, seed=args.seed)
    settings = fw.TrainSettings()
    data = fw._prepare(scenario, settings)
    X = data.X["train"]
    n = X.shape[0]
    K = data.scale.shape[0]
    Y = torch.as_tensor(data.Y["train"] / data.scale, dtype=torch.float32)

    lp = fw._LP(scenario.problem)
    d_star = torch.as_tensor(fw._offline(lp, scenario, data.Y["train"]))

    two_stage, objective = [], []
    for r in range(args.repeats):
        model = TrafficPredictor(K, settings.hidden_size, num_layers=settings.num_layers, seed=r)
        two_stage.append(_time_epochs(lambda idx: ((Y[idx] - model(X[idx])) ** 2).mean(),
                                      [{"params": model.parameters(), "lr": settings.learning_rate}],
                                      n, settings, args.epochs, r))

        policy = fw.ObjectiveDrivenPolicy(
            TrafficPredictor(K, settings.hidden_size, num_layers=settings.num_layers, seed=r),
            scenario.problem, mu_C=scenario.network.mu_C, mu_B=scenario.network.mu_B, scale=data.scale)

        def od_loss(idx):
            d, _ = policy(X[idx])
            return (((d - d_star[idx]) / policy.scale) ** 2).mean()

        objective.append(_time_epochs(
            od_loss,
            [{"params": policy.predictor.parameters(), "lr": settings.learning_rate},
             {"params": [policy.theta_C, policy.theta_B], "lr": settings.capacity_learning_rate}],
            n, settings, args.epochs, r))

    ts, od = statistics.median(two_stage), statistics.median(objective)
    ratio = od / ts
    m = lp.G.shape[0]
    print(f"dataset={args.dataset} seed={args.seed} train samples={n} batch={settings.batch_size} "
          f"window={settings.window} hidden={settings.hidden_size} LP: K={lp.K}, m={m} "
          f"torch threads={torch.get_num_threads()}")
    print(f"{'framework':<20}{'s/epoch (median)':>18}{'all repeats':>40}")
    print(f"{'two-stage-lstm':<20}{ts:>18.4f}{str([round(x, 4) for x in two_stage]):>40}")
    print(f"{'objective-driven':<20}{od:>18.4f}{str([round(x, 4) for x in objective]):>40}")
    print(f"ratio objective-driven / two-stage = {ratio:.2f} (goal <= 2)")
    return {"two_stage": ts, "objective_driven": od, "ratio": ratio}


if __name__ == "__main__":
    main()
