"""Speed of the LP layer (splitalloc.layer.lp_solve) against its peers, and how it scales.

Default mode: one table, all measured in this process on the *same* batch of 700
GEANT-size LPs (eq. (4): K = 3 services, N = 23 servers, E = 74 directed links,
m = N + E + 2K = 103 rows). ``G`` and ``p`` come from the real GEANT deployment (GUS,
seed 0, config defaults) when the data directory is available, otherwise from random
service paths on a GEANT-sized synthetic graph (the header says which). ``h`` holds, per
instance, server and link capacities drawn from eq. (13) with the config's mu/sigma
(negative draws clipped to 0) and demands ``D`` uniform in [0, 2 * service_mean_arrival].

Rows (median and best wall-clock time over repeats; ratio = median / median of ours fwd+bwd):

* ours forward, ours forward + backward (dl/dh by eq. (12) for a random dl/dd);
* cvxpylayers 1.2 on the pure LP, ``solver_args={"solve_method": "Clarabel"}``, fwd+bwd;
* a cvxpy DPP loop (one Parameter ``h``, Clarabel, forward only);
* a SciPy HiGHS loop (``linprog(method="highs")``, forward only).

``--scaling``: synthetic topologies (N in {23, 100, 500, 2000}, E ~ 3N directed links, each
service's parts on a random walk of servers) and K in {3, 10, 50}; ours fwd and fwd+bwd
per batch (batch 700; smaller only if ``h`` would exceed 10 M entries; the CSV records it). Writes
``benchmarks/results/scaling.csv`` (read by :func:`splitalloc.plots.plot_scaling`). The default
mode also writes its table to ``benchmarks/results/lp_layer.csv`` (read by the method page).

    python benchmarks/lp_layer.py [--repeats 21] [--repeats-slow 3] [--batch 700] [--threads 1]
    python benchmarks/lp_layer.py --scaling [--scaling-repeats 5]

The machine is shared (2 cores, other jobs running): numbers are wall-clock medians and
vary with the load; the table prints torch's thread count and the 1-minute load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from splitalloc.layer import lp_solve, solve_batch

RESULTS = Path(__file__).resolve().parent / "results"


# ------------------------------------------------------------------------------ instances
def synthetic_problem(N: int, E: int, K: int, rng: np.random.Generator, hops: int = 4):
    """``G`` (eq. 4a) and ``p`` (eq. 4c) on a random graph: each service has ``hops`` parts on a
    random walk of servers (compute densities on those servers, bandwidth on the links)."""
    # ring (connected) plus random chords, directed both ways
    und = {(i, (i + 1) % N) for i in range(N)}
    while len(und) < max(E // 2, N):
        u, v = rng.integers(0, N, 2)
        if u != v and (v, u) not in und:
            und.add((int(u), int(v)))
    links = np.array(sorted(und) + sorted((v, u) for u, v in und))[:E]
    E = len(links)
    out = {}
    for e, (u, v) in enumerate(links):
        out.setdefault(int(u), []).append((e, int(v)))
    c = np.zeros((N, K))
    b = np.zeros((E, K))
    for k in range(K):
        node = int(rng.integers(N))
        for j in range(hops):
            c[node, k] += rng.uniform(0.2, 1.0)
            if j < hops - 1 and out.get(node):
                e, nxt = out[node][int(rng.integers(len(out[node])))]
                b[e, k] += rng.uniform(0.1, 0.6)
                node = nxt
    G = np.vstack([c, b, np.eye(K), -np.eye(K)])
    p = np.ones(K)
    return G, p, N, E


def geant_problem(seed: int = 0):
    """The real GEANT deployment (GUS), or ``None`` when the data are not available."""
    try:
        from splitalloc import config
        from splitalloc.data import load_geant_topology
        from splitalloc.network import deploy_gus, draw_network
        from splitalloc.problem import build_problem
        from splitalloc.profiles import default_profiles

        topo = load_geant_topology()
        rng = np.random.default_rng(seed)
        net = draw_network(topo, mu_C=config.value("mu_C"), sigma_C=config.value("sigma_C"),
                           mu_B=config.value("mu_B"), sigma_B=config.value("sigma_B"), rng=rng)
        dep = deploy_gus(net, default_profiles(), rng=rng)
        pr = build_problem(net, dep, r=config.value("r"), q_C=config.value("q_C"), q_B=config.value("q_B"))
        return np.asarray(pr.G, float), np.asarray(pr.p, float), pr.n_servers, pr.n_links
    except Exception as exc:  # data directory missing: say so and use the synthetic graph
        print(f"# GEANT deployment unavailable ({type(exc).__name__}: {exc}); using a synthetic "
              f"GEANT-sized graph", file=sys.stderr)
        return None


def draw_h(G, N, E, K, B, rng, mu=100.0, sigma=30.0, d_mean=110.0):
    """``h = [C; B; D; 0]`` (eq. 4b) for ``B`` instances (eq. 13 draws, negatives clipped)."""
    C = np.clip(rng.normal(mu, sigma, (B, N)), 0, None)
    Bw = np.clip(rng.normal(mu, sigma, (B, E)), 0, None)
    D = rng.uniform(0, 2 * d_mean, (B, K))
    return np.hstack([C, Bw, D, np.zeros((B, K))])


# --------------------------------------------------------------------------------- timing
def timings(fn, repeats: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return ts


def median_time(fn, repeats: int, warmup: int = 1) -> float:
    return statistics.median(timings(fn, repeats, warmup))


def ours_fns(p, G, h, w):
    pt, Gt, ht0 = (torch.as_tensor(x, dtype=torch.float64) for x in (p, G, h))
    wt = torch.as_tensor(w, dtype=torch.float64)

    def fwd():
        with torch.no_grad():
            return lp_solve(pt, Gt, ht0)

    ht = ht0.clone().requires_grad_(True)

    def fwdbwd():
        ht.grad = None
        d = lp_solve(pt, Gt, ht)
        d.backward(wt)                      # dl/dd = w
        return d, ht.grad

    return fwd, fwdbwd


def cvxpy_problem(p, G):
    import cvxpy as cp

    hp = cp.Parameter(G.shape[0])
    x = cp.Variable(G.shape[1])
    prob = cp.Problem(cp.Maximize(p @ x), [G @ x <= hp])
    assert prob.is_dpp()
    return prob, hp, x


def main_table(args) -> None:
    import cvxpy as cp
    from cvxpylayers.torch import CvxpyLayer
    from scipy.optimize import linprog

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    rng = np.random.default_rng(args.seed)
    K = 3
    real = None if args.synthetic else geant_problem(args.seed)
    if real is None:
        G, p, N, E = synthetic_problem(23, 74, K, rng)
        source = "synthetic GEANT-sized graph (23 nodes, 74 directed links, random 4-part paths)"
    else:
        G, p, N, E = real
        source = "real GEANT deployment (GUS, seed %d, config defaults)" % args.seed
    m = G.shape[0]
    B = args.batch
    h = draw_h(G, N, E, K, B, rng)
    w = rng.normal(size=(B, K))
    nz = int((np.abs(G).sum(1) > 0).sum())

    rows = []
    fwd, fwdbwd = ours_fns(p, G, h, w)
    rows.append(("ours: lp_solve forward", timings(fwd, args.repeats), B))
    rows.append(("ours: lp_solve forward+backward", timings(fwdbwd, args.repeats), B))
    d_ours, g_ours = fwdbwd()

    # cvxpylayers 1.2, pure LP, Clarabel, fwd+bwd
    prob, hp, x = cvxpy_problem(p, G)
    layer = CvxpyLayer(prob, parameters=[hp], variables=[x])
    ht_cvl = torch.as_tensor(h, dtype=torch.float64)
    wt = torch.as_tensor(w, dtype=torch.float64)
    out = {}

    hh = ht_cvl.clone().requires_grad_(True)

    def cvl():
        hh.grad = None
        (xs,) = layer(hh, solver_args={"solve_method": "Clarabel"})
        xs.backward(wt)
        out["x"], out["g"] = xs.detach(), hh.grad

    rows.append(("cvxpylayers 1.2 (Clarabel) forward+backward", timings(cvl, max(1, args.repeats_slow)), B))

    # cvxpy DPP loop, Clarabel, forward only
    def cvxpy_loop():
        for i in range(B):
            hp.value = h[i]
            prob.solve(solver=cp.CLARABEL)

    rows.append(("cvxpy DPP loop (Clarabel) forward", timings(cvxpy_loop, max(1, args.repeats_slow)), B))

    # HiGHS loop, forward only
    bounds = [(None, None)] * K
    ref_obj = np.empty(B)

    def highs_loop():
        for i in range(B):
            r = linprog(-p, A_ub=G, b_ub=h[i], bounds=bounds, method="highs")
            ref_obj[i] = -r.fun

    rows.append(("SciPy HiGHS loop forward", timings(highs_loop, max(1, args.repeats_slow)), B))

    # agreement on this batch
    obj = d_ours.detach().numpy() @ p
    rel_obj = np.max(np.abs(obj - ref_obj) / np.maximum(np.abs(ref_obj), 1e-12))
    dx = (d_ours.detach() - out["x"]).abs().max().item()
    # dl/dh is unique only at non-degenerate vertices; an interior-point solver (Clarabel)
    # resolves a vertex only when the inactive rows are clearly slack: compare dl/dh on the
    # instances with exactly K tight rows (slack <= 1e-9 |h|), every other slack >= 1e-3 |h|
    # and every active multiplier >= 1e-3 |p|.
    res = solve_batch(torch.as_tensor(p), torch.as_tensor(G), torch.as_tensor(h))
    slack = np.sort((h - res.d.numpy() @ G.T) / np.abs(h).max(1, keepdims=True), axis=1)
    lam = np.sort(res.lam.numpy(), axis=1)[:, ::-1]
    nondeg = (slack[:, K - 1] <= 1e-9) & (slack[:, K] >= 1e-3) & (lam[:, K - 1] >= 1e-3 * np.abs(p).max())
    dg = (g_ours - out["g"]).abs()[torch.as_tensor(nondeg)]
    dg = dg.max().item() if dg.numel() else float("nan")

    base = statistics.median(rows[1][1])
    print(f"# LP layer benchmark: batch of {B} LPs, K={K}, N={N}, E={E}, m={m} "
          f"({nz} rows non-zero in G); {source}")
    print(f"# torch {torch.__version__}, intra-op threads {torch.get_num_threads()}, "
          f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine); "
          f"repeats: ours {args.repeats}, others {max(1, args.repeats_slow)}")
    print(f"{'method':46s} {'median [ms]':>11s} {'best [ms]':>10s} {'per LP [us]':>12s} {'x ours fwd+bwd':>15s}")
    for name, ts, n in rows:
        t = statistics.median(ts)
        print(f"{name:46s} {t * 1e3:11.2f} {min(ts) * 1e3:10.2f} {t / n * 1e6:12.1f} {t / base:15.1f}")
    print(f"# agreement: max rel. objective gap vs HiGHS {rel_obj:.1e}; max |d - d_cvxpylayers| {dx:.1e}; "
          f"max |dl/dh - cvxpylayers| {dg:.1e} on the {int(nondeg.sum())} clearly non-degenerate "
          f"instances (the other {B - int(nondeg.sum())} are degenerate or nearly so: there dl/dh is not "
          f"unique or an interior-point solution cannot resolve the vertex)")
    out = write_table_csv(rows, base, dict(batch=B, K=K, N=N, E=E, m=m, source=source,
                                           repeats_ours=args.repeats, repeats_others=max(1, args.repeats_slow),
                                           max_rel_objective_gap_vs_highs=rel_obj))
    print(f"# written to {out}")


def write_table_csv(rows, base: float, meta: dict) -> Path:
    """Write the default-mode table to ``benchmarks/results/lp_layer.csv`` (read by the method
    page): one row per method with ``method, median_ms, best_ms, per_lp_us, ratio`` (median /
    median of ours fwd+bwd) plus the machine (torch version, threads, load average, cores, UTC
    date) and the instance description in ``meta``."""
    import datetime

    import pandas as pd

    machine = dict(torch=torch.__version__, threads=torch.get_num_threads(),
                   load_avg_1min=round(os.getloadavg()[0], 2), cores=os.cpu_count(),
                   date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    df = pd.DataFrame([dict(method=name, median_ms=statistics.median(ts) * 1e3, best_ms=min(ts) * 1e3,
                            per_lp_us=statistics.median(ts) / n * 1e6, ratio=statistics.median(ts) / base,
                            **machine, **meta) for name, ts, n in rows])
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "lp_layer.csv"
    df.to_csv(out, index=False)
    return out


# -------------------------------------------------------------------------------- scaling
SCALING_N = (23, 100, 500, 2000)
SCALING_K = (3, 10, 50)


def scaling(args) -> None:
    import pandas as pd

    records = []
    for N in SCALING_N:
        for K in SCALING_K:
            rng = np.random.default_rng(args.seed + 1000 * N + K)
            E = 3 * N
            G, p, N_, E_ = synthetic_problem(N, E, K, rng)
            m = G.shape[0]
            # smaller batch only where h itself would exceed ~10 M entries (not the case by default)
            B = min(args.batch, max(50, 10_000_000 // m))
            h = draw_h(G, N_, E_, K, B, rng)
            w = rng.normal(size=(B, K))
            fwd, fwdbwd = ours_fns(p, G, h, w)
            tf = median_time(fwd, args.scaling_repeats)
            tb = median_time(fwdbwd, args.scaling_repeats)
            res = solve_batch(torch.as_tensor(p), torch.as_tensor(G), torch.as_tensor(h))
            nz = int((np.abs(G).sum(1) > 0).sum())
            rec = dict(N=N, E=E_, K=K, m=m, nonzero_rows=nz, batch=B, forward_ms=tf * 1e3,
                       forward_backward_ms=tb * 1e3, per_lp_us=tb / B * 1e6,
                       all_optimal=bool((res.status == 0).all()),
                       threads=torch.get_num_threads(), load_avg=round(os.getloadavg()[0], 1))
            rec["repeats"] = args.scaling_repeats
            records.append(rec)
            print(f"  N={N:5d} K={K:3d} m={m:6d} batch={B:4d}  fwd {tf * 1e3:9.2f} ms  "
                  f"fwd+bwd {tb * 1e3:9.2f} ms", file=sys.stderr)
    df = pd.DataFrame.from_records(records)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "scaling.csv"
    df.to_csv(out, index=False)
    print(f"# LP layer scaling: synthetic topologies (E = 3N directed links, 4-part services on random "
          f"walks), batch as listed; torch threads {torch.get_num_threads()}, shared 2-core machine")
    cols = ["N", "E", "K", "m", "nonzero_rows", "batch", "forward_ms", "forward_backward_ms", "per_lp_us",
            "all_optimal"]
    print(df[cols].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"# written to {out}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scaling", action="store_true", help="scaling mode (synthetic topologies)")
    ap.add_argument("--batch", type=int, default=700)
    ap.add_argument("--repeats", type=int, default=21, help="repeats for our layer")
    ap.add_argument("--repeats-slow", type=int, default=3, help="repeats for the reference solvers")
    ap.add_argument("--scaling-repeats", type=int, default=5, help="repeats per size in --scaling mode")
    ap.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--synthetic", action="store_true", help="use the synthetic graph even if data exist")
    args = ap.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if args.scaling:
        scaling(args)
    else:
        main_table(args)


if __name__ == "__main__":
    main()
