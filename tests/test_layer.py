"""Tests of the exact differentiable LP layer (splitalloc.layer, paper eqs. (4)-(12)).

Oracles: scipy's HiGHS (objective, status), central finite differences (gradient at
non-degenerate vertices) and cvxpylayers 1.2 on the pure LP (solution and dl/dh).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from splitalloc.layer import (
    INFEASIBLE,
    OPTIMAL,
    UNBOUNDED,
    LPInfeasibleError,
    LPUnboundedError,
    lp_solve,
    solve_batch,
)

T = torch.float64
HYP = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------ instances
def paper_lp(rng: np.random.Generator, B: int, *, N: int, E: int, K: int, density: float,
             scale: float, integer: bool, zero_demand: float, p_values=None):
    """Random instances of the paper's family (eq. (4)): G = [c; b; I; -I], h = [C; B; D; 0].

    ``integer`` draws small integers for G and h, which makes ties and degenerate vertices
    frequent; ``zero_demand`` is the probability that a demand D_k is exactly zero.
    """
    if integer:
        c = rng.integers(0, 3, (N, K)) * (rng.random((N, K)) < density)
        b = rng.integers(0, 3, (E, K)) * (rng.random((E, K)) < density)
        C = rng.integers(0, 6, (B, N)).astype(float)
        Bc = rng.integers(0, 6, (B, E)).astype(float)
        D = rng.integers(0, 6, (B, K)).astype(float)
    else:
        c = rng.uniform(0.1, 2.0, (N, K)) * (rng.random((N, K)) < density)
        b = rng.uniform(0.1, 2.0, (E, K)) * (rng.random((E, K)) < density)
        C = rng.uniform(0.0, 10.0, (B, N))
        Bc = rng.uniform(0.0, 10.0, (B, E))
        D = rng.uniform(0.0, 10.0, (B, K))
    D = np.where(rng.random((B, K)) < zero_demand, 0.0, D)
    G = np.vstack([c, b, np.eye(K), -np.eye(K)]).astype(float)
    h = np.hstack([C, Bc, D, np.zeros((B, K))]) * scale
    if p_values is None:
        p = rng.uniform(-0.5, 2.0, K)
    else:
        p = rng.choice(np.asarray(p_values, dtype=float), K)
    return p, G, h


def highs(p, G, h_row):
    """HiGHS on the LP rescaled to |h|_inf = 1 (the LP is homogeneous in h), scaled back.

    Returns (status, objective) with scipy's codes 0 optimal, 2 infeasible, 3 unbounded.
    HiGHS' presolve sometimes calls an unbounded LP "infeasible", so the status is settled
    by two auxiliary LPs: feasibility (zero objective) and a ray ``G r <= 0, |r| <= 1``.
    """
    s = max(np.abs(h_row).max(), 1e-300)
    K = G.shape[1]
    free = [(None, None)] * K
    feas = linprog(np.zeros(K), A_ub=G, b_ub=h_row / s, bounds=free, method="highs")
    if feas.status == 2:
        return 2, None
    ray = linprog(-p, A_ub=G, b_ub=np.zeros(G.shape[0]), bounds=[(-1, 1)] * K, method="highs")
    if ray.status == 0 and -ray.fun > 1e-9 * max(1.0, np.abs(p).max()):
        return 3, None
    r = linprog(-p, A_ub=G, b_ub=h_row / s, bounds=free, method="highs")
    return r.status, (None if r.status != 0 else -r.fun * s)


def t(x):
    return torch.as_tensor(np.asarray(x, dtype=float), dtype=T)


# ----------------------------------------------------------- objective vs HiGHS (property)
@HYP
@given(seed=st.integers(0, 2**32 - 1), K=st.integers(1, 4), N=st.integers(1, 8), E=st.integers(0, 10),
       density=st.sampled_from([0.2, 0.5, 1.0]), scale=st.sampled_from([1e-6, 1.0, 1e6]),
       integer=st.booleans(), zero_demand=st.sampled_from([0.0, 0.3, 1.0]),
       ties=st.booleans())
def test_objective_matches_highs(seed, K, N, E, density, scale, integer, zero_demand, ties):
    rng = np.random.default_rng(seed)
    p, G, h = paper_lp(rng, 6, N=N, E=E, K=K, density=density, scale=scale, integer=integer,
                       zero_demand=zero_demand, p_values=[0.0, 1.0, 1.0, -1.0, 2.0] if ties else None)
    d, lam = lp_solve(t(p), t(G), t(h), return_dual=True)
    assert torch.isfinite(d).all() and torch.isfinite(lam).all()
    dn, lamn = d.numpy(), lam.numpy()
    for i in range(h.shape[0]):
        status, ref = highs(p, G, h[i])
        assert status == 0
        ours = float(p @ dn[i])
        assert abs(ours - ref) <= 1e-9 * max(abs(ref), np.abs(p).max() * np.abs(h[i]).max(), 1e-300)
        # feasibility and the dual certificate (eqs. (7)-(8)): G^T lam = p, lam >= 0, h^T lam = p^T d
        hs = max(np.abs(h[i]).max(), 1e-300)
        assert (G @ dn[i] - h[i]).max() <= 1e-9 * hs
        assert (lamn[i] >= 0).all()
        np.testing.assert_allclose(G.T @ lamn[i], p, atol=1e-9 * max(1, np.abs(p).max()))
        assert abs(h[i] @ lamn[i] - ours) <= 1e-9 * max(abs(ours), np.abs(p).max() * hs)
    # the primal active-set method (used where G has no bound rows) on the same instances
    res = solve_batch(t(p), t(G), t(h), method="primal")
    assert (res.status == OPTIMAL).all()
    torch.testing.assert_close(res.d @ t(p), d @ t(p), rtol=1e-9, atol=1e-9 * np.abs(p).max() * np.abs(h).max())


def test_nonpositive_revenue_gives_zero_admission():
    rng = np.random.default_rng(3)
    p, G, h = paper_lp(rng, 20, N=5, E=6, K=3, density=0.6, scale=1.0, integer=False, zero_demand=0.0)
    p = np.array([1.0, 0.0, -0.3])
    d = lp_solve(t(p), t(G), t(h))
    assert torch.all(d[:, 1:] == 0)
    assert torch.all(d >= 0)


@HYP
@given(seed=st.integers(0, 2**32 - 1), K=st.integers(1, 4), m=st.integers(1, 10))
def test_general_lp_status_matches_highs(seed, K, m):
    """General G and h of any sign: infeasible / unbounded / optimal agree with HiGHS."""
    rng = np.random.default_rng(seed)
    G = rng.normal(size=(m, K))
    h = rng.normal(size=(4, m))
    p = rng.normal(size=K)
    res = solve_batch(t(p), t(G), t(h))
    assert torch.isfinite(res.d).all() and torch.isfinite(res.lam).all()
    code = {0: OPTIMAL, 2: INFEASIBLE, 3: UNBOUNDED}
    for i in range(4):
        status, ref = highs(p, G, h[i])
        if status not in code:          # HiGHS itself gave up ("model status unknown")
            continue
        assert res.status[i].item() == code[status]
        if status == 0:
            assert abs(float(p @ res.d[i].numpy()) - ref) <= 1e-9 * max(1.0, abs(ref))


def test_batched_p_and_G_match_shared():
    rng = np.random.default_rng(5)
    p, G, h = paper_lp(rng, 40, N=6, E=9, K=3, density=0.5, scale=1.0, integer=False, zero_demand=0.2)
    d_shared = lp_solve(t(p), t(G), t(h))
    Pb = t(np.tile(p, (40, 1)))
    Gb = t(np.tile(G, (40, 1, 1)))
    d_batched = lp_solve(Pb, Gb, t(h))
    torch.testing.assert_close(d_shared, d_batched, rtol=0, atol=1e-12)
    d_one = lp_solve(t(p), t(G), t(h[0]))
    assert d_one.shape == (3,)
    torch.testing.assert_close(d_one, d_shared[0], rtol=0, atol=1e-12)
    d_one, lam_one = lp_solve(t(p), t(G), t(h[0]), return_dual=True)
    assert lam_one.shape == (G.shape[0],)
    # the same gradient with shared and per-instance G
    w = t(rng.normal(size=(40, 3)))
    h1, h2 = t(h).requires_grad_(True), t(h).requires_grad_(True)
    lp_solve(t(p), t(G), h1).backward(w)
    lp_solve(Pb, Gb, h2).backward(w)
    torch.testing.assert_close(h1.grad, h2.grad, rtol=0, atol=1e-12)


def test_thread_setting_restored():
    old = torch.get_num_threads()
    p, G, h = _ok()
    lp_solve(p, G, h)
    assert torch.get_num_threads() == old


def test_deterministic_and_finite_at_degenerate_vertex():
    # every constraint ties: G has duplicate rows, all capacities equal, p has ties
    K = 3
    c = np.ones((4, K))
    G = np.vstack([c, c, np.eye(K), -np.eye(K)])
    h = np.hstack([np.full((5, 8), 6.0), np.full((5, K), 2.0), np.zeros((5, K))])
    h[1, 8:11] = 0.0                                  # zero demands: vertex d = 0, all bounds tight
    p = np.ones(K)
    ht = t(h).requires_grad_(True)
    d1 = lp_solve(t(p), t(G), ht)
    d1.sum().backward()
    g1 = ht.grad.clone()
    ht.grad = None
    d2 = lp_solve(t(p), t(G), ht)
    d2.sum().backward()
    assert torch.equal(d1, d2) and torch.equal(g1, ht.grad)
    assert torch.isfinite(g1).all()
    torch.testing.assert_close(d1.sum(1), torch.tensor([6.0, 0, 6, 6, 6], dtype=T))


# ------------------------------------------------------------- gradients (eqs. (9)-(12))
def _nondegenerate(p, G, h, d, lam, basis, tol=1e-6):
    slack = h - G @ d
    act = basis[basis >= 0]
    if act.size != G.shape[1]:
        return False
    others = np.setdiff1d(np.arange(G.shape[0]), act)
    return slack[others].min() > tol * max(1.0, np.abs(h).max()) and lam[act].min() > tol


@pytest.mark.parametrize("seed", range(4))
def test_gradient_matches_central_differences(seed):
    rng = np.random.default_rng(seed)
    p, G, h = paper_lp(rng, 12, N=7, E=9, K=3, density=0.5, scale=1.0, integer=False, zero_demand=0.0)
    p = rng.uniform(0.3, 2.0, 3)
    w = rng.normal(size=(12, 3))
    res = solve_batch(t(p), t(G), t(h))
    keep = [i for i in range(12) if _nondegenerate(p, G, h[i], res.d[i].numpy(), res.lam[i].numpy(),
                                                   res.basis[i].numpy())]
    assert len(keep) >= 3, "too few non-degenerate instances to check"
    hk = h[keep]
    ht = t(hk).requires_grad_(True)
    (lp_solve(t(p), t(G), ht) * t(w[keep])).sum().backward()
    grad = ht.grad.numpy()
    eps = 1e-6
    fd = np.zeros_like(hk)
    for i in range(hk.shape[1]):
        hp, hm = hk.copy(), hk.copy()
        hp[:, i] += eps
        hm[:, i] -= eps
        lp_ = (lp_solve(t(p), t(G), t(hp)).numpy() * w[keep]).sum(1)
        lm_ = (lp_solve(t(p), t(G), t(hm)).numpy() * w[keep]).sum(1)
        fd[:, i] = (lp_ - lm_) / (2 * eps)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-6)
    # gradient is supported on the active set only (eq. (12))
    assert ((np.abs(grad) > 0).sum(1) <= 3).all()


def test_no_gradient_for_p_and_G():
    rng = np.random.default_rng(1)
    p, G, h = paper_lp(rng, 3, N=4, E=4, K=2, density=1.0, scale=1.0, integer=False, zero_demand=0.0)
    pt, Gt, ht = t(p).requires_grad_(True), t(G).requires_grad_(True), t(h).requires_grad_(True)
    lp_solve(pt, Gt, ht).sum().backward()
    assert pt.grad is None and Gt.grad is None and ht.grad is not None


def test_agrees_with_cvxpylayers_on_pure_lp():
    cp = pytest.importorskip("cvxpy")
    cvl = pytest.importorskip("cvxpylayers.torch")
    rng = np.random.default_rng(11)
    K, N, E, B = 3, 6, 8, 4
    c = rng.uniform(0.5, 2, (N, K))
    b = rng.uniform(0.5, 2, (E, K)) * (rng.random((E, K)) < 0.5)
    G = np.vstack([c, b, np.eye(K), -np.eye(K)])
    m = G.shape[0]
    h = np.hstack([rng.uniform(50, 150, (B, N)), rng.uniform(50, 150, (B, E)),
                   rng.uniform(0, 100, (B, K)), np.zeros((B, K))])
    p = np.array([1.0, 0.8, 0.6])
    hp, x = cp.Parameter(m), cp.Variable(K)
    layer = cvl.CvxpyLayer(cp.Problem(cp.Maximize(p @ x), [G @ x <= hp]), parameters=[hp], variables=[x])
    w = t(rng.normal(size=(B, K)))
    h1 = t(h).requires_grad_(True)
    (x_ref,) = layer(h1, solver_args={"solve_method": "Clarabel"})
    (x_ref * w).sum().backward()
    h2 = t(h).requires_grad_(True)
    d = lp_solve(t(p), t(G), h2)
    (d * w).sum().backward()
    torch.testing.assert_close(d.detach(), x_ref.detach(), rtol=1e-6, atol=1e-5)
    torch.testing.assert_close(h2.grad, h1.grad, rtol=1e-4, atol=1e-4)


# -------------------------------------------------------------------------- bad input
def _ok():
    G = t(np.vstack([np.ones((1, 2)), np.eye(2), -np.eye(2)]))
    return t([1.0, 1.0]), G, t([[3.0, 2.0, 2.0, 0.0, 0.0]])


def test_bad_types_dtypes_shapes():
    p, G, h = _ok()
    with pytest.raises(TypeError, match="h must be a torch.Tensor"):
        lp_solve(p, G, h.numpy())
    with pytest.raises(TypeError, match="G must have dtype torch.float64"):
        lp_solve(p, G.float(), h)
    with pytest.raises(ValueError, match="G has 5 rows but h has m = 4"):
        lp_solve(p, G, h[:, :4])
    with pytest.raises(ValueError, match="p must have shape"):
        lp_solve(t([1.0, 1.0, 1.0]), G, h)
    with pytest.raises(ValueError, match="p has batch size 2"):
        lp_solve(t([[1.0, 1.0], [1.0, 1.0]]), G, h)
    with pytest.raises(ValueError, match="h must have shape"):
        lp_solve(p, G, h.unsqueeze(0))
    with pytest.raises(ValueError, match="batched G has batch size 3"):
        lp_solve(p, G.expand(3, 5, 2), h)


@pytest.mark.parametrize("name", ["p", "G", "h"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_rejected(name, bad):
    args = dict(zip("pGh", _ok()))
    x = args[name].clone()
    x.view(-1)[0] = bad
    args[name] = x
    with pytest.raises(ValueError, match=f"{name} contains non-finite"):
        lp_solve(args["p"], args["G"], args["h"])


def test_infeasible_and_unbounded():
    p, G, h = _ok()
    hb = torch.cat([h, t([[3.0, 2.0, 2.0, -1.0, -3.0]])])  # d_2 >= 3 but d_2 <= 2
    with pytest.raises(LPInfeasibleError, match=r"infeasible for batch instances \[1\]"):
        lp_solve(p, G, hb)
    res = solve_batch(p, G, hb)
    assert res.status.tolist() == [OPTIMAL, INFEASIBLE]
    assert torch.equal(res.d[1], torch.zeros(2, dtype=T))
    # negative right-hand side on a row that is zero for every service
    Gz = torch.cat([G, torch.zeros(1, 2, dtype=T)])
    with pytest.raises(LPInfeasibleError):
        lp_solve(p, Gz, torch.cat([h, t([[-1.0]])], 1))
    # no upper bound on d: unbounded
    with pytest.raises(LPUnboundedError, match="unbounded"):
        lp_solve(p, -torch.eye(2, dtype=T), t([[0.0, 0.0]]))


def test_beale_cycling_example_terminates():
    """Beale's (1955) LP cycles under the textbook simplex rules at a degenerate vertex."""
    G = np.array([[0.25, -60.0, -1 / 25, 9.0],
                  [0.5, -90.0, -1 / 50, 3.0],
                  [0.0, 0.0, 1.0, 0.0]])
    G = np.vstack([G, -np.eye(4)])
    h = np.array([[0.0, 0.0, 1.0, 0, 0, 0, 0]])
    p = np.array([0.75, -150.0, 1 / 50, -6.0])
    d = lp_solve(t(p), t(G), t(h))
    assert abs(float(p @ d[0].numpy()) - 0.05) <= 1e-12


@HYP
@given(seed=st.integers(0, 2**32 - 1), K=st.integers(1, 3), m=st.integers(1, 8))
def test_batched_G_general_matches_highs(seed, K, m):
    """Per-instance G (B, m, K) and p (B, K), rows zero in some instances only."""
    rng = np.random.default_rng(seed)
    B = 3
    G = rng.normal(size=(B, m, K)) * (rng.random((B, m, 1)) < 0.8)
    G = np.concatenate([G, np.tile(np.vstack([np.eye(K), -np.eye(K)]), (B, 1, 1))], 1)
    h = np.concatenate([rng.normal(size=(B, m)), rng.uniform(0, 3, (B, 2 * K))], 1)
    p = rng.normal(size=(B, K))
    res = solve_batch(t(p), t(G), t(h))
    for i in range(B):
        status, ref = highs(p[i], G[i], h[i])
        if status == 2:
            assert res.status[i].item() == INFEASIBLE
        elif status == 0:
            assert res.status[i].item() == OPTIMAL
            assert abs(float(p[i] @ res.d[i].numpy()) - ref) <= 1e-9 * max(1.0, abs(ref))


def test_large_mixed_batch_matches_highs():
    """One batch mixing optimal, infeasible and unbounded instances and per-instance G
    (exercises phase 1 and the compaction of the working batch as instances finish)."""
    rng = np.random.default_rng(2024)
    B, m, K = 80, 6, 3
    G = rng.normal(size=(B, m, K))
    h = rng.normal(size=(B, m)) + 0.5
    p = rng.normal(size=(B, K))
    res = solve_batch(t(p), t(G), t(h))
    code = {0: OPTIMAL, 2: INFEASIBLE, 3: UNBOUNDED}
    seen = set()
    for i in range(B):
        status, ref = highs(p[i], G[i], h[i])
        if status not in code:
            continue
        seen.add(status)
        assert res.status[i].item() == code[status], i
        if status == 0:
            assert abs(float(p[i] @ res.d[i].numpy()) - ref) <= 1e-9 * max(1.0, abs(ref))
    assert seen == {0, 2, 3}


def test_in_place_change_of_G_is_seen():
    """The per-G preprocessing cache is keyed by identity and version: in-place edits count."""
    G = torch.tensor([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], dtype=T)
    p, h = t([1.0, 2.0]), t([[4.0, 3.0, 3.0, 0.0, 0.0]])
    d1 = lp_solve(p, G, h)
    torch.testing.assert_close(d1, t([[1.0, 3.0]]))
    G[0, 1] = 2.0                                   # now d1 + 2 d2 <= 4
    d2 = lp_solve(p, G, h)
    assert abs(float(d2[0] @ p) - 4.0) <= 1e-12     # 7 before the edit
    assert float(d2[0, 0] + 2 * d2[0, 1]) <= 4.0 + 1e-12
    with pytest.raises(ValueError, match="method must be"):
        solve_batch(p, G, h, method="simplex")


# ------------------------------------------------- more services: bound flipping (issue 11)
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), K=st.integers(5, 24), N=st.integers(1, 10), E=st.integers(0, 12),
       density=st.sampled_from([0.2, 0.5]), scale=st.sampled_from([1e-6, 1.0, 1e6]), integer=st.booleans(),
       zero_demand=st.sampled_from([0.0, 0.3]), ties=st.booleans())
def test_many_services_match_highs(seed, K, N, E, density, scale, integer, zero_demand, ties):
    """With K >= 5 services many services jump between their bounds (bound flipping)."""
    rng = np.random.default_rng(seed)
    p, G, h = paper_lp(rng, 5, N=N, E=E, K=K, density=density, scale=scale, integer=integer,
                       zero_demand=zero_demand, p_values=[0.0, 1.0, 1.0, -1.0, 2.0] if ties else None)
    d, lam = lp_solve(t(p), t(G), t(h), return_dual=True)
    for i in range(h.shape[0]):
        status, ref = highs(p, G, h[i])
        assert status == 0
        ours = float(p @ d[i].numpy())
        assert abs(ours - ref) <= 1e-9 * max(abs(ref), np.abs(p).max() * np.abs(h[i]).max(), 1e-300)
        hs = max(np.abs(h[i]).max(), 1e-300)
        assert (G @ d[i].numpy() - h[i]).max() <= 1e-9 * hs
        np.testing.assert_allclose(G.T @ lam[i].numpy(), p, atol=1e-9 * max(1, np.abs(p).max()))


def test_single_service_capacity_is_a_tighter_bound():
    """A server that only service 0 uses is a bound row +e_0 too; where it is tighter than
    D_0 it is the bound (per instance), and the result is the same LP optimum."""
    K = 3
    c = np.array([[2.0, 0.0, 0.0], [1.0, 1.0, 1.0]])          # server 0: service 0 only
    G = np.vstack([c, np.eye(K), -np.eye(K)])
    h = np.array([[4.0, 9.0, 5.0, 5.0, 5.0, 0, 0, 0],          # 2 d_0 <= 4 binds before D_0 = 5
                  [40.0, 9.0, 5.0, 5.0, 5.0, 0, 0, 0],         # D_0 = 5 binds
                  [4.0, 2.0, 5.0, 5.0, 5.0, 0, 0, 0]])
    p = np.array([3.0, 1.0, 2.0])
    d = lp_solve(t(p), t(G), t(h)).numpy()
    for i in range(3):
        assert abs(p @ d[i] - highs(p, G, h[i])[1]) <= 1e-12 * 30
    np.testing.assert_allclose(d[0], [2.0, 2.0, 5.0], atol=1e-12)


def test_empty_box_with_many_services_is_infeasible():
    rng = np.random.default_rng(4)
    p, G, h = paper_lp(rng, 4, N=3, E=3, K=20, density=0.3, scale=1.0, integer=False, zero_demand=0.0)
    h[1, -20 + 5] = -(h[1, -40 + 5] + 1.0)           # d_5 >= D_5 + 1 > D_5
    res = solve_batch(t(p), t(G), t(h))
    assert res.status.tolist() == [OPTIMAL, INFEASIBLE, OPTIMAL, OPTIMAL]


# ------------------------------------------------------------------ warm starts (issue 11)
@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), K=st.integers(1, 12), N=st.integers(1, 8), E=st.integers(0, 10),
       integer=st.booleans(), ties=st.booleans(), noise=st.sampled_from([0.0, 0.05, 0.5, 3.0]))
def test_warm_start_gives_the_cold_optimum(seed, K, N, E, integer, ties, noise):
    """Start from the optimal working sets of other right-hand sides (as the training's next
    epoch does): the objective is the cold one (1e-9 relative); where the new vertex is
    non-degenerate, d and dl/dh are the cold ones too."""
    rng = np.random.default_rng(seed)
    p, G, h = paper_lp(rng, 8, N=N, E=E, K=K, density=0.5, scale=1.0, integer=integer, zero_demand=0.2,
                       p_values=[0.0, 1.0, 1.0, -1.0, 2.0] if ties else None)
    _, basis = lp_solve(t(p), t(G), t(h), return_basis=True)
    h2 = np.clip(h * (1.0 + noise * rng.normal(size=h.shape)), 0.0, None)
    h2[:, -K:] = 0.0                                      # d >= 0 rows keep h = 0
    w = t(rng.normal(size=(8, K)))
    hc, hw = t(h2).requires_grad_(True), t(h2).requires_grad_(True)
    dc, lamc, bc = lp_solve(t(p), t(G), hc, return_dual=True, return_basis=True)
    dw, lamw, bw = lp_solve(t(p), t(G), hw, return_dual=True, return_basis=True, warm_start=basis)
    (dc * w).sum().backward()
    (dw * w).sum().backward()
    obj_c, obj_w = (dc.detach() @ t(p)).numpy(), (dw.detach() @ t(p)).numpy()
    scale = np.maximum(np.abs(obj_c), np.abs(p).max() * np.abs(h2).max(1) + 1e-300)
    assert (np.abs(obj_w - obj_c) <= 1e-9 * scale).all()
    for i in range(8):
        if _nondegenerate(p, G, h2[i], dc[i].detach().numpy(), lamc[i].numpy(), bc[i].numpy()):
            np.testing.assert_allclose(dw[i].detach().numpy(), dc[i].detach().numpy(), rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(hw.grad[i].numpy(), hc.grad[i].numpy(), rtol=1e-9, atol=1e-9)


def test_warm_start_from_own_optimum_and_unusable_starts():
    rng = np.random.default_rng(8)
    K = 4
    p, G, h = paper_lp(rng, 6, N=5, E=6, K=K, density=0.6, scale=1.0, integer=False, zero_demand=0.0)
    m = G.shape[0]
    d0, basis = lp_solve(t(p), t(G), t(h), return_basis=True)
    assert basis.shape == (6, K) and basis.dtype == torch.int64
    # the optimal working set itself: the same vertex
    torch.testing.assert_close(lp_solve(t(p), t(G), t(h), warm_start=basis), d0, rtol=0, atol=1e-12)
    # unusable starts: rows out of range, artificial rows, a singular set (+e_0 and -e_0),
    # a working set that is not dual feasible for this p; each instance ends at the optimum
    bad = basis.clone()
    bad[0, 0] = m + 3
    bad[1, 1] = -2
    bad[2, :2] = torch.tensor([m - 2 * K, m - K])           # rows +e_0 and -e_0
    bad[3] = torch.tensor([m - 2 * K + k for k in range(K)])  # all upper bounds (dual feasible only if p > 0)
    p2 = -np.abs(p)                                          # ... so not for this p
    obj = lambda d, q: (d @ t(q)).numpy()
    ref2 = lp_solve(t(p2), t(G), t(h))
    torch.testing.assert_close(lp_solve(t(p), t(G), t(h), warm_start=bad) @ t(p), d0 @ t(p), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(obj(lp_solve(t(p2), t(G), t(h), warm_start=bad), p2), obj(ref2, p2), rtol=1e-12, atol=1e-12)
    # one instance, unbatched
    d1, b1 = lp_solve(t(p), t(G), t(h[0]), return_basis=True)
    assert b1.shape == (K,)
    torch.testing.assert_close(lp_solve(t(p), t(G), t(h[0]), warm_start=b1), d1, rtol=0, atol=1e-12)
    # solve_batch takes it too
    res = solve_batch(t(p), t(G), t(h), warm_start=basis)
    torch.testing.assert_close(res.d, d0, rtol=0, atol=1e-12)
    assert torch.equal(res.basis, basis)


def test_warm_start_bad_type_or_shape():
    p, G, h = _ok()
    with pytest.raises(TypeError, match="warm_start must be an integer"):
        lp_solve(p, G, h, warm_start=torch.zeros(1, 2))
    with pytest.raises(ValueError, match=r"warm_start must have shape \(B, K\) = \(1, 2\)"):
        lp_solve(p, G, h, warm_start=torch.zeros(2, 2, dtype=torch.long))


def test_warm_start_ignored_for_general_G():
    """Without bound rows the primal method runs; a warm start changes nothing."""
    rng = np.random.default_rng(3)
    G = rng.normal(size=(6, 3))
    h = rng.uniform(1, 2, size=(4, 6))
    p = rng.normal(size=3)
    r1 = solve_batch(t(p), t(G), t(h))
    r2 = solve_batch(t(p), t(G), t(h), warm_start=torch.zeros(4, 3, dtype=torch.long))
    assert torch.equal(r1.status, r2.status) and torch.equal(r1.d, r2.d)
