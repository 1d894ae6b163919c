"""Speed of the LP layer (splitalloc.layer.lp_solve) against its peers, and how it scales.

Default mode: three cases, each a batch of 700 LPs of eq. (4) timed in this process, all
methods on the *same* batch, interleaved (every repeat runs each method once, in turn):

* ``K=3``, the paper's size (N = 23 servers, E = 74 directed links, m = N + E + 2K = 103
  rows): ``G`` and ``p`` from the real GEANT deployment (GUS, seed 0, config defaults) when
  the data directory is available, otherwise random service paths on a GEANT-sized graph
  (the header says which);
* ``K=10`` and ``K=50``: random 4-part service paths on a synthetic graph with N = 23,
  E = 74 (the generator of ``--scaling``).

``h`` holds, per instance, server and link capacities drawn from eq. (13) (mu 100, sigma 30,
negative draws clipped to 0) and demands ``D`` uniform in [0, 220]. Rows (forward+backward
is ``dl/dh`` for a random ``dl/dd``):

* ours: ``lp_solve`` forward, and forward+backward (eq. (12));
* Moreau 0.4.1 (``moreau.torch.Solver``, the LP as ``min -p^T d, G d + s = h, s >= 0``, CPU):
  ``solver="active_set"`` with ``diff_method="exact"`` and ``"smoothed"``, and the interior
  point method (``solver="ipm"``), each forward+backward;
* ``K=3`` only (they take seconds): cvxpylayers 1.2 on the pure LP (Clarabel, forward+backward),
  a cvxpy DPP loop (Clarabel, forward) and a SciPy HiGHS loop (forward).

Agreement, per method: the largest relative objective gap to HiGHS (solved once per case),
and the largest ``|d - d_ours|`` and ``|dl/dh - ours|`` on the instances whose vertex is
clearly non-degenerate (exactly K tight rows, every other slack >= 1e-3 |h|, every active
multiplier >= 1e-3 |p|): there ``d`` and ``dl/dh`` are unique. A smoothed or interior-point
gradient is an approximation by design, so its gap measures the approximation.

The table ends with the targets of issue 11: Moreau active-set (exact) / ours >= 15 at
``K=3`` and >= 8 at ``K=10``, Moreau active-set (smoothed) / ours >= 5 at ``K=50`` (medians
of forward+backward). Writes ``benchmarks/results/lp_layer.csv`` (read by the method page).

``--scaling``: synthetic topologies (N in {23, 100, 500, 2000}, E = 3N directed links, each
service's parts on a random walk of servers) and K in {3, 10, 50}; ours forward and
forward+backward, and Moreau active-set forward+backward (exact, or smoothed where exact
fails) per batch of 700. Each Moreau cell runs in a child process with its address space
capped (``--moreau-memory-gib``, default 12; the cap counts reserved virtual memory too) so
that running out of memory fails that cell only, without pushing the shared machine into
swapless exhaustion; the CSV records it. Writes ``benchmarks/results/scaling.csv`` (read by
:func:`splitalloc.plots.plot_scaling`).

    python benchmarks/lp_layer.py [--repeats 15] [--repeats-slow 7] [--batch 700] [--cases 3,10,50]
    python benchmarks/lp_layer.py --scaling [--scaling-repeats 9]

The machine is shared (2 cores, other jobs running): numbers are wall-clock medians and
vary with the load; the table prints torch's thread count and the 1-minute load average.
Our layer runs on one thread; Moreau uses its own thread pool (all cores).
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
TARGETS = {3: ("Moreau active-set (exact)", 15.0), 10: ("Moreau active-set (exact)", 8.0),
           50: ("Moreau active-set (smoothed)", 5.0)}
OURS_FB = "ours: lp_solve forward+backward"


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


def make_case(K: int, B: int, seed: int, synthetic: bool = False):
    """One benchmark case: ``(G, p, h, w, N, E, source)`` for ``K`` services (``K=3``: the
    real GEANT deployment when available)."""
    rng = np.random.default_rng(seed + 7919 * K)
    real = None if (synthetic or K != 3) else geant_problem(seed)
    if real is None:
        G, p, N, E = synthetic_problem(23, 74, K, rng)
        source = f"synthetic graph (N=23, E=74, random 4-part service paths, seed {seed})"
    else:
        G, p, N, E = real
        source = f"real GEANT deployment (GUS, seed {seed}, config defaults)"
    h = draw_h(G, N, E, K, B, rng)
    w = rng.normal(size=(B, K))
    return G, p, h, w, N, E, source


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


def interleaved(fns: dict, repeats: dict, warmup: int = 1, pause: float = 0.05) -> dict:
    """Times of each ``fns[name]()``, the methods run in turn within every repeat (so a change
    of the machine's load hits all of them alike); ``repeats[name]`` calls each after
    ``warmup`` untimed ones. A method that raises is dropped (its error is in the result).
    Before each timed call the process sleeps ``pause`` seconds (not timed), so that a
    multi-threaded peer's worker threads, which keep spinning for a while after a call, do
    not run into the next method's time."""
    out = {name: [] for name in fns}
    failed = {}
    for name, fn in fns.items():
        for _ in range(warmup):
            try:
                fn()
            except Exception as exc:      # noqa: BLE001 -- a peer's failure is a result
                failed[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
                break
    for rep in range(max(repeats.values())):
        for name, fn in fns.items():
            if name in failed or rep >= repeats[name]:
                continue
            time.sleep(pause)
            t0 = time.perf_counter()
            try:
                fn()
            except Exception as exc:      # noqa: BLE001
                failed[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
                continue
            out[name].append(time.perf_counter() - t0)
    return {name: (ts if name not in failed else failed[name]) for name, ts in out.items()}


# ------------------------------------------------------------------------------ methods
def ours_fns(p, G, h, w):
    pt, Gt, ht0 = (torch.as_tensor(np.array(x, dtype=np.float64)) for x in (p, G, h))
    wt = torch.as_tensor(np.array(w, dtype=np.float64))
    out = {}

    def fwd():
        with torch.no_grad():
            return lp_solve(pt, Gt, ht0)

    ht = ht0.clone().requires_grad_(True)

    def fwdbwd():
        ht.grad = None
        d = lp_solve(pt, Gt, ht)
        d.backward(wt)                      # dl/dd = w
        out["x"], out["g"] = d.detach(), ht.grad
        return out["x"], out["g"]

    return fwd, fwdbwd, out


def moreau_fn(p, G, h, w, *, solver: str, diff_method: str = "exact"):
    """Moreau forward+backward on the LP ``min -p^T d s.t. G d + s = h, s >= 0`` (batched, CPU).
    Returns the timed function and a dict it fills with ``x``, ``g`` (dl/dh) and ``status``."""
    import moreau
    from moreau.torch import Solver

    B, K = w.shape
    m = G.shape[0]
    Gt = torch.as_tensor(np.array(G, dtype=np.float64))
    nz = Gt != 0
    rows, cols = nz.nonzero(as_tuple=True)
    A_ro = torch.zeros(m + 1, dtype=torch.int64)
    A_ro[1:] = torch.cumsum(nz.sum(1), 0)
    kw = {}
    if solver == "active_set":
        kw["active_set_settings"] = moreau.ActiveSetSettings(diff_method=diff_method)
    settings = moreau.Settings(solver=solver, device="cpu", batch_size=B, enable_grad=True, **kw)
    s = Solver(n=K, m=m, P_row_offsets=torch.zeros(K + 1, dtype=torch.int64),
               P_col_indices=torch.zeros(0, dtype=torch.int64), A_row_offsets=A_ro,
               A_col_indices=cols.to(torch.int64), cones=moreau.Cones(num_nonneg_cones=m), settings=settings)
    P_vals = torch.zeros(B, 0, dtype=torch.float64)
    A_vals = Gt[rows, cols].expand(B, -1).contiguous()
    q = torch.as_tensor(-np.asarray(p, dtype=np.float64)).expand(B, K).contiguous()
    ht = torch.as_tensor(np.array(h, dtype=np.float64)).requires_grad_(True)
    wt = torch.as_tensor(np.array(w, dtype=np.float64))
    out = {}

    def run():
        ht.grad = None
        sol = s.solve(P_vals, A_vals, q, ht)
        sol.x.backward(wt)
        out["x"], out["g"], out["status"] = sol.x.detach(), ht.grad, s.info.status
        return out["x"], out["g"]

    return run, out


def nondegenerate(p, G, h, K):
    """Instances whose optimal vertex is clearly non-degenerate (see the module docstring)."""
    res = solve_batch(torch.as_tensor(p), torch.as_tensor(G), torch.as_tensor(h))
    slack = np.sort((h - res.d.numpy() @ G.T) / np.abs(h).max(1, keepdims=True), axis=1)
    lam = np.sort(res.lam.numpy(), axis=1)[:, ::-1]
    return (slack[:, K - 1] <= 1e-9) & (slack[:, K] >= 1e-3) & (lam[:, K - 1] >= 1e-3 * np.abs(p).max())


def highs_objectives(p, G, h):
    from scipy.optimize import linprog

    K = G.shape[1]
    bounds = [(None, None)] * K
    ref = np.empty(h.shape[0])
    for i in range(h.shape[0]):
        r = linprog(-p, A_ub=G, b_ub=h[i], bounds=bounds, method="highs")
        ref[i] = -r.fun if r.status == 0 else np.nan
    return ref


# ------------------------------------------------------------------------- default mode
def run_case(K: int, args) -> list[dict]:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    B = args.batch
    G, p, h, w, N, E, source = make_case(K, B, args.seed, args.synthetic)
    m = G.shape[0]
    fwd, fwdbwd, ours_out = ours_fns(p, G, h, w)
    fns = {"ours: lp_solve forward": fwd, OURS_FB: fwdbwd}
    outs = {OURS_FB: ours_out}
    for label, solver, diff in (("Moreau active-set (exact)", "active_set", "exact"),
                                ("Moreau active-set (smoothed)", "active_set", "smoothed"),
                                ("Moreau IPM", "ipm", "exact")):
        name = f"{label} forward+backward"
        try:
            fns[name], outs[name] = moreau_fn(p, G, h, w, solver=solver, diff_method=diff)
        except Exception as exc:          # noqa: BLE001
            print(f"# {name}: setup failed ({type(exc).__name__}: {exc})", file=sys.stderr)
    reps = {name: args.repeats for name in fns}
    ref = None
    if K == 3 and not args.no_slow:
        import cvxpy as cp
        from cvxpylayers.torch import CvxpyLayer
        from scipy.optimize import linprog

        hp, x = cp.Parameter(m), cp.Variable(K)
        prob = cp.Problem(cp.Maximize(p @ x), [G @ x <= hp])
        layer = CvxpyLayer(prob, parameters=[hp], variables=[x])
        hh = torch.as_tensor(h).clone().requires_grad_(True)
        wt = torch.as_tensor(w)
        cvl_out = {}

        def cvl():
            hh.grad = None
            (xs,) = layer(hh, solver_args={"solve_method": "Clarabel"})
            xs.backward(wt)
            cvl_out["x"], cvl_out["g"] = xs.detach(), hh.grad

        def cvxpy_loop():
            for i in range(B):
                hp.value = h[i]
                prob.solve(solver=cp.CLARABEL)

        ref = np.empty(B)

        def highs_loop():
            for i in range(B):
                r = linprog(-p, A_ub=G, b_ub=h[i], bounds=[(None, None)] * K, method="highs")
                ref[i] = -r.fun

        for name, fn in (("cvxpylayers 1.2 (Clarabel) forward+backward", cvl),
                         ("cvxpy DPP loop (Clarabel) forward", cvxpy_loop), ("SciPy HiGHS loop forward", highs_loop)):
            fns[name] = fn
            reps[name] = args.repeats_slow
        outs["cvxpylayers 1.2 (Clarabel) forward+backward"] = cvl_out
    times = interleaved(fns, reps)
    if ref is None:
        ref = highs_objectives(p, G, h)
    nondeg = nondegenerate(p, G, h, K)
    base = statistics.median(times[OURS_FB]) if isinstance(times[OURS_FB], list) else float("nan")
    ours_x, ours_g = ours_out["x"].numpy(), ours_out["g"].numpy()
    records = []
    for name, ts in times.items():
        rec = dict(case=f"K={K}", K=K, N=N, E=E, m=m, batch=B, source=source, method=name)
        if isinstance(ts, str):
            rec.update(median_ms=np.nan, best_ms=np.nan, per_lp_us=np.nan, ratio=np.nan, repeats=0, note=ts)
        else:
            t = statistics.median(ts)
            rec.update(median_ms=t * 1e3, best_ms=min(ts) * 1e3, per_lp_us=t / B * 1e6, ratio=t / base,
                       repeats=len(ts), note="")
        o = outs.get(name)
        if name.startswith("ours"):
            o = ours_out
        if o and "x" in o and not isinstance(ts, str):
            x = o["x"].numpy()
            obj = x @ p
            rec["obj_gap_vs_highs"] = float(np.nanmax(np.abs(obj - ref) / np.maximum(np.abs(ref), 1e-12)))
            rec["d_gap_vs_ours_nondeg"] = float(np.abs(x - ours_x)[nondeg].max()) if nondeg.any() else np.nan
            rec["grad_gap_vs_ours_nondeg"] = float(np.abs(o["g"].numpy() - ours_g)[nondeg].max()) if nondeg.any() else np.nan
            if "status" in o:
                rec["not_solved"] = sum(1 for s_ in o["status"] if int(s_) != 1)   # 1: SolverStatus.Solved
        elif name == "SciPy HiGHS loop forward":
            rec["obj_gap_vs_highs"] = 0.0
        rec["n_nondegenerate"] = int(nondeg.sum())
        records.append(rec)
    return records


def main_table(args) -> None:
    cases = [int(k) for k in args.cases.split(",")]
    records = []
    for K in cases:
        print(f"# case K={K} ...", file=sys.stderr)
        records.extend(run_case(K, args))
    import pandas as pd

    df = pd.DataFrame.from_records(records)
    load = os.getloadavg()[0]
    print(f"# LP layer vs peers: batches of {args.batch} LPs (eq. (4)), methods interleaved within each case; "
          f"torch {torch.__version__}, intra-op threads {torch.get_num_threads()} (ours: 1), load average "
          f"(1 min) {load:.1f} on {os.cpu_count()} cores (shared machine); repeats: {args.repeats} "
          f"(cvxpylayers, cvxpy, HiGHS: {args.repeats_slow})")
    for case, s in df.groupby("case", sort=False):
        r0 = s.iloc[0]
        print(f"\n## {case}: N={r0['N']}, E={r0['E']}, m={r0['m']}; {r0['source']}; "
              f"{int(r0['n_nondegenerate'])} of {r0['batch']} instances clearly non-degenerate")
        print(f"{'method':46s} {'median [ms]':>11s} {'best [ms]':>10s} {'per LP [us]':>11s} {'x ours':>7s} "
              f"{'obj gap':>8s} {'|d-ours|':>9s} {'|g-ours|':>9s}")
        for _, r in s.iterrows():
            if r["note"]:
                print(f"{r['method']:46s} failed: {r['note']}")
                continue

            def f(v):
                return f"{v:9.1e}" if isinstance(v, float) and np.isfinite(v) else f"{'-':>9s}"

            print(f"{r['method']:46s} {r['median_ms']:11.2f} {r['best_ms']:10.2f} {r['per_lp_us']:11.1f} "
                  f"{r['ratio']:7.1f} {f(r.get('obj_gap_vs_highs', np.nan)):>8s} "
                  f"{f(r.get('d_gap_vs_ours_nondeg', np.nan))} {f(r.get('grad_gap_vs_ours_nondeg', np.nan))}")
    print("\n# targets (issue 11), medians of forward+backward:")
    for K in cases:
        peer, goal = TARGETS.get(K, (None, None))
        if peer is None:
            continue
        row = df[(df["K"] == K) & (df["method"] == f"{peer} forward+backward")]
        ratio = float(row["ratio"].iloc[0]) if len(row) else float("nan")
        verdict = "met" if ratio >= goal else ("n/a" if not np.isfinite(ratio) else "NOT met")
        print(f"#   K={K}: {peer} / ours = {ratio:.1f} (goal >= {goal:g}): {verdict}")
    out = write_table_csv(df, args)
    print(f"# written to {out}")


def write_table_csv(df, args) -> Path:
    """Write the default-mode table to ``benchmarks/results/lp_layer.csv`` (read by the method
    page): one row per case and method with ``case, K, N, E, m, batch, method, median_ms,
    best_ms, per_lp_us, ratio`` (median / median of ours forward+backward in the same case),
    the agreement columns, the machine (torch version, threads, load average, cores, UTC date)
    and the repeats."""
    import datetime

    df = df.copy()
    df["torch"] = torch.__version__
    df["threads"] = torch.get_num_threads()
    df["load_avg_1min"] = round(os.getloadavg()[0], 2)
    df["cores"] = os.cpu_count()
    df["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    try:
        import moreau

        df["moreau"] = moreau.__version__
    except ImportError:
        df["moreau"] = ""
    out = Path(args.out) if args.out else RESULTS / "lp_layer.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False)
    return out


# -------------------------------------------------------------------------------- scaling
SCALING_N = (23, 100, 500, 2000)
SCALING_K = (3, 10, 50)


def scaling_instance(N: int, K: int, batch: int, seed: int):
    rng = np.random.default_rng(seed + 1000 * N + K)
    G, p, N_, E_ = synthetic_problem(N, 3 * N, K, rng)
    m = G.shape[0]
    B = min(batch, max(50, 10_000_000 // m))     # smaller only if h would exceed ~10 M entries
    h = draw_h(G, N_, E_, K, B, rng)
    w = rng.normal(size=(B, K))
    return G, p, h, w, N_, E_


def _moreau_cell(N, K, batch, seed, repeats, mem_gib, conn):
    """Child process: Moreau active-set forward+backward times for one scaling cell."""
    try:
        import resource

        lim = int(mem_gib * 2 ** 30)
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
        warnings.filterwarnings("ignore")
        G, p, h, w, _, _ = scaling_instance(N, K, batch, seed)
        res = {}
        for diff in ("exact", "smoothed"):
            try:
                fn, _ = moreau_fn(p, G, h, w, solver="active_set", diff_method=diff)
                ts = interleaved({"m": fn}, {"m": repeats})["m"]
                if isinstance(ts, str):                  # the solver raised: try the next mode
                    res[diff + "_error"] = ts
                    continue
                res[diff] = statistics.median(ts)
                break
            except Exception as exc:      # noqa: BLE001
                res[diff + "_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
        conn.send(res)
    except BaseException as exc:          # noqa: BLE001
        conn.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        conn.close()


def moreau_cell(N, K, batch, seed, repeats, mem_gib):
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_moreau_cell, args=(N, K, batch, seed, repeats, mem_gib, child))
    proc.start()
    child.close()
    try:
        res = parent.recv() if parent.poll(3600) else {"error": "no answer within an hour"}
    except EOFError:                                   # the child died without answering
        res = {}
    proc.join()
    if not res:
        res = {"error": f"the child process died (exit code {proc.exitcode}); Moreau aborts when an "
                        f"allocation fails, here under the {mem_gib:g} GiB address-space cap"}
    return res


def scaling(args) -> None:
    import pandas as pd

    records = []
    sizes = [int(x) for x in args.N.split(",")] if args.N else SCALING_N
    for N in sizes:
        for K in SCALING_K:
            G, p, h, w, N_, E_ = scaling_instance(N, K, args.batch, args.seed)
            m, B = G.shape[0], h.shape[0]
            fwd, fwdbwd, _ = ours_fns(p, G, h, w)
            times = interleaved({"fwd": fwd, "fb": fwdbwd}, {"fwd": args.scaling_repeats, "fb": args.scaling_repeats})
            tf, tb = statistics.median(times["fwd"]), statistics.median(times["fb"])
            res = solve_batch(torch.as_tensor(p), torch.as_tensor(G), torch.as_tensor(h))
            nz = int((np.abs(G).sum(1) > 0).sum())
            rec = dict(N=N, E=E_, K=K, m=m, nonzero_rows=nz, batch=B, forward_ms=tf * 1e3,
                       forward_backward_ms=tb * 1e3, per_lp_us=tb / B * 1e6,
                       all_optimal=bool((res.status == 0).all()),
                       threads=torch.get_num_threads(), load_avg=round(os.getloadavg()[0], 1),
                       repeats=args.scaling_repeats)
            if not args.no_moreau:
                mo = moreau_cell(N, K, args.batch, args.seed, args.scaling_repeats, args.moreau_memory_gib)
                t = mo.get("exact", mo.get("smoothed"))
                rec["moreau_ms"] = t * 1e3 if t is not None else np.nan
                rec["moreau_method"] = ("active-set exact" if "exact" in mo else
                                        "active-set smoothed" if "smoothed" in mo else "")
                notes = [v for k, v in mo.items() if k.endswith("error")]
                rec["moreau_note"] = "; ".join(notes)
                rec["moreau_ratio"] = rec["moreau_ms"] / rec["forward_backward_ms"]
                rec["moreau_memory_gib"] = args.moreau_memory_gib
            records.append(rec)
            print(f"  N={N:5d} K={K:3d} m={m:6d} batch={B:4d}  fwd {tf * 1e3:9.2f} ms  fwd+bwd {tb * 1e3:9.2f} ms"
                  + (f"  Moreau {rec['moreau_ms']:9.2f} ms ({rec['moreau_method'] or rec['moreau_note']})"
                     if not args.no_moreau else ""), file=sys.stderr)
    df = pd.DataFrame.from_records(records)
    out = Path(args.out) if args.out else RESULTS / "scaling.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False)
    print(f"# LP layer scaling: synthetic topologies (E = 3N directed links, 4-part services on random "
          f"walks), batch as listed; torch threads {torch.get_num_threads()} (ours: 1), shared "
          f"{os.cpu_count()}-core machine; Moreau active-set in a child process capped at "
          f"{args.moreau_memory_gib:g} GiB")
    cols = ["N", "E", "K", "m", "nonzero_rows", "batch", "forward_ms", "forward_backward_ms", "per_lp_us",
            "all_optimal"] + ([] if args.no_moreau else ["moreau_ms", "moreau_method", "moreau_ratio"])
    print(df[cols].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if not args.no_moreau and (df["moreau_note"] != "").any():
        for _, r in df[df["moreau_note"] != ""].iterrows():
            print(f"# Moreau at N={r['N']}, K={r['K']}: {r['moreau_note']}")
    print(f"# written to {out}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scaling", action="store_true", help="scaling mode (synthetic topologies)")
    ap.add_argument("--batch", type=int, default=700)
    ap.add_argument("--cases", default="3,10,50", help="numbers of services K of the default mode")
    ap.add_argument("--repeats", type=int, default=15, help="repeats for our layer and Moreau (>= 7)")
    ap.add_argument("--repeats-slow", type=int, default=7, help="repeats for cvxpylayers, cvxpy, HiGHS")
    ap.add_argument("--no-slow", action="store_true", help="skip cvxpylayers, cvxpy and HiGHS timings")
    ap.add_argument("--scaling-repeats", type=int, default=9, help="repeats per size in --scaling mode")
    ap.add_argument("--no-moreau", action="store_true", help="--scaling without the Moreau column")
    ap.add_argument("--N", default=None, help="--scaling: comma-separated network sizes (default 23,100,500,2000)")
    ap.add_argument("--moreau-memory-gib", type=float, default=12.0,
                    help="address-space cap of each Moreau scaling cell's child process")
    ap.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--synthetic", action="store_true", help="use the synthetic graph even if data exist")
    ap.add_argument("--out", default=None, help="CSV path (default: benchmarks/results/...)")
    args = ap.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if args.scaling:
        scaling(args)
    else:
        main_table(args)


if __name__ == "__main__":
    main()
