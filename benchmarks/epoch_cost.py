"""Time per training epoch: objective-driven (LSTM -> LP layer) vs two-stage (LSTM on MSE),
and the objective-driven epoch with and without warm starts of the LP layer.

Issue 4's goal: an objective-driven epoch costs at most 2x a two-stage epoch. Issue 11: the
objective-driven training re-solves nearly the same LPs every epoch (the same training
samples, slightly changed forecasts and capacity estimates), so each solve can start from
the sample's optimal working set of the previous epoch (``TrainSettings.lp_warm_start``,
``splitalloc.layer.lp_solve(..., warm_start=...)``). This script reports the epoch-cost ratio
objective-driven / two-stage *before* (cold starts) and *after* (warm starts), and the time
spent inside the LP layer per epoch.

All three train the same LSTM (config defaults: window, hidden size, batch size, input
normalisation 'global') on the same GEANT scenario (seed 0, default M and Sigma) through the
same ``_fit`` loop, for whole epochs without validation; the objective-driven ones add, per
mini-batch, one batched ``lp_solve`` forward and its implicit backward (eq. 12) and the
learnable capacities. The offline targets ``d*`` are computed once before timing (as in
``run_framework``). Methods alternate within every repeat (the machine is shared); one
untimed epoch first (it also fills the warm-start memory, as the first epoch of a training
run would).

    SPLITALLOC_DATA_DIR=../shared/data python benchmarks/epoch_cost.py [--epochs 5] [--repeats 5] [--threads 1]

Prints one table (median seconds per epoch over repeats, and the LP layer's share) and the
ratios.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import time

import torch

from splitalloc import frameworks as fw
from splitalloc import layer
from splitalloc.models import TrafficPredictor


class _LayerClock:
    """Adds up the time spent in the LP layer (``splitalloc.layer._LPFunction``: its forward
    pass, i.e. the solve, and its backward pass) while active."""

    def __init__(self):
        self.seconds = 0.0

    def __enter__(self):
        fn = layer._LPFunction
        self._saved = (fn.__dict__["forward"], fn.__dict__["backward"])
        fwd, bwd = (f.__func__ for f in self._saved)

        def timed(f):
            def run(*args):
                t0 = time.perf_counter()
                out = f(*args)
                self.seconds += time.perf_counter() - t0
                return out
            return staticmethod(run)

        fn.forward, fn.backward = timed(fwd), timed(bwd)
        return self

    def __exit__(self, *exc):
        layer._LPFunction.forward, layer._LPFunction.backward = self._saved


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="geant")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch intra-op threads (1: stable timings on a shared 2-core machine)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)

    scenario = fw.make_scenario(args.dataset, seed=args.seed)
    base = dataclasses.replace(fw.TrainSettings(), input_normalisation="global", eval_every=10**9)
    data = fw.prepare_data(scenario, base)
    X = data.X["train"]
    n = X.shape[0]
    K = data.mean.shape[0]
    steps = math.ceil(n / base.batch_size)
    Z = data.z("train")
    lp = fw.ScenarioLP(scenario.problem)
    d_star = torch.as_tensor(fw.offline_allocation(lp, scenario, data.Y["train"]))

    def two_stage(r):
        model = TrafficPredictor(K, base.hidden_size, num_layers=base.num_layers, seed=r)
        return model, [{"params": model.parameters(), "lr": base.learning_rate}], \
            lambda idx: ((Z[idx] - model(X[idx])) ** 2).mean()

    def objective(r, warm):
        policy = fw.ObjectiveDrivenPolicy(
            TrafficPredictor(K, base.hidden_size, num_layers=base.num_layers, seed=r), scenario.problem,
            mu_C=scenario.network.mu_C, mu_B=scenario.network.mu_B, mean=data.mean, std=data.std)
        mem = policy.lp.memory(n) if warm else None

        def loss(idx):
            d, _ = policy(X[idx], mem, idx if warm else None)
            return (((d - d_star[idx]) / policy.scale) ** 2).mean()

        return policy, [{"params": policy.predictor.parameters(), "lr": base.learning_rate},
                        {"params": [policy.theta_C, policy.theta_B], "lr": base.capacity_learning_rate}], loss

    kinds = {"two-stage-lstm": lambda r: two_stage(r),
             "objective-driven (cold LP starts)": lambda r: objective(r, False),
             "objective-driven (warm LP starts)": lambda r: objective(r, True)}
    times = {k: [] for k in kinds}
    layer = {k: [] for k in kinds}
    for r in range(args.repeats):
        for name, make in kinds.items():
            module, params, loss = make(r)
            gen = torch.Generator().manual_seed(r)
            fw.fit(module, params, loss, n, dataclasses.replace(base, max_steps=steps), gen, None, False, "")
            st = dataclasses.replace(base, max_steps=steps * args.epochs)
            with _LayerClock() as clock:
                t0 = time.perf_counter()
                fw.fit(module, params, loss, n, st, gen, None, False, "")
                times[name].append((time.perf_counter() - t0) / args.epochs)
            layer[name].append(clock.seconds / args.epochs)

    med = {k: statistics.median(v) for k, v in times.items()}
    lmed = {k: statistics.median(v) for k, v in layer.items()}
    ts = med["two-stage-lstm"]
    cold, warm = med["objective-driven (cold LP starts)"], med["objective-driven (warm LP starts)"]
    print(f"dataset={args.dataset} seed={args.seed} train samples={n} batch={base.batch_size} "
          f"({steps} steps per epoch) window={base.window} hidden={base.hidden_size} LP: K={lp.K}, "
          f"m={lp.G.shape[0]}; torch threads={torch.get_num_threads()}; {args.repeats} repeats of "
          f"{args.epochs} epochs, alternating")
    print(f"{'framework':<36}{'s/epoch (median)':>18}{'LP layer s/epoch':>18}{'all repeats [s/epoch]':>50}")
    for k in kinds:
        print(f"{k:<36}{med[k]:>18.4f}{lmed[k]:>18.4f}{str([round(x, 4) for x in times[k]]):>50}")
    print(f"ratio objective-driven / two-stage: before (cold) {cold / ts:.2f}, after (warm) {warm / ts:.2f} "
          f"(issue 4's goal <= 2); warm / cold epoch {warm / cold:.2f}, LP layer warm / cold "
          f"{lmed['objective-driven (warm LP starts)'] / max(lmed['objective-driven (cold LP starts)'], 1e-12):.2f}")
    return {"two_stage": ts, "cold": cold, "warm": warm, "ratio_before": cold / ts, "ratio_after": warm / ts}


if __name__ == "__main__":
    main()
