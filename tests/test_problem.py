"""The LP of eqs. (4)-(5): G, h, p exactly, broadcasting, validation."""

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from splitalloc.data import Topology
from splitalloc.network import Network, deploy_gus, deploy_non_splitting, draw_network
from splitalloc.problem import LPProblem, build_problem
from splitalloc.profiles import ServiceProfile, default_profiles


def ring(n):
    und = [(i, (i + 1) % n) for i in range(n)]
    links = np.array([e for u, v in und for e in ((u, v), (v, u))], dtype=np.int64)
    return Topology("ring", n, links, np.ones(len(links)), Path("<test>"))


@pytest.fixture
def setup():
    net = draw_network(ring(6), mu_C=100, sigma_C=20, mu_B=100, sigma_B=20, rng=np.random.default_rng(1))
    profiles = [ServiceProfile("a", np.array([0.8, 0.7, 0.9]), np.array([0.5, 0.2])),
                ServiceProfile("b", np.array([1.2, 0.6]), np.array([1.3]))]
    dep = deploy_gus(net, profiles, demand=110)
    return net, dep


def test_eq4_blocks(setup):
    net, dep = setup
    r, qC, qB = np.array([3.0, 2.0]), 0.5, 0.25
    pr = build_problem(net, dep, r=r, q_C=qC, q_B=qB)
    N, E, K = 6, 12, 2
    assert pr.G.shape == (N + E + 2 * K, K) == (pr.m, K)
    assert np.array_equal(pr.G[pr.rows_C], dep.c)
    assert np.array_equal(pr.G[pr.rows_B], dep.b)
    assert np.array_equal(pr.G[pr.rows_D], np.eye(K))
    assert np.array_equal(pr.G[pr.rows_0], -np.eye(K))
    # eq. (4c) by hand: sum over the path of the densities
    for k in range(K):
        pk = r[k] - qC * dep.c[:, k].sum() - qB * dep.b[:, k].sum()
        assert np.isclose(pr.p[k], pk)
    assert np.isclose(pr.p[0], 3.0 - 0.5 * 2.4 - 0.25 * (0.5 * len(dep.cut_paths[0][0]) + 0.2 * len(dep.cut_paths[0][1])))


def test_h_layout_and_broadcast(setup):
    net, dep = setup
    pr = build_problem(net, dep, r=1.0, q_C=0.0, q_B=0.0)
    D = np.array([10.0, 20.0])
    h = pr.h(net.C, net.B, D)
    assert h.shape == (pr.m,)
    assert np.array_equal(h[pr.rows_C], net.C) and np.array_equal(h[pr.rows_B], net.B)
    assert np.array_equal(h[pr.rows_D], D) and (h[pr.rows_0] == 0).all()
    Db = np.arange(14.0).reshape(7, 2)
    hb = pr.h(net.C, net.B, Db)
    assert hb.shape == (7, pr.m) and np.array_equal(hb[:, pr.rows_D], Db)
    assert np.array_equal(hb[3, pr.rows_C], net.C)
    Cb = np.stack([net.C, 2 * net.C])[:, None, :]  # (2, 1, N) x (7, K) -> (2, 7, m)
    assert pr.h(Cb, net.B, Db).shape == (2, 7, pr.m)


def test_h_torch_keeps_gradient(setup):
    torch = pytest.importorskip("torch")
    net, dep = setup
    pr = build_problem(net, dep, r=1.0, q_C=0.0, q_B=0.0)
    C = torch.tensor(net.C, requires_grad=True)
    D = torch.ones(4, 2, dtype=torch.float64, requires_grad=True)
    h = pr.h(C, net.B, D)
    assert isinstance(h, torch.Tensor) and h.shape == (4, pr.m) and h.dtype == torch.float64
    h.sum().backward()
    assert torch.allclose(C.grad, torch.full_like(C, 4.0)) and torch.allclose(D.grad, torch.ones_like(D))


def test_lp_solution_respects_capacities(setup):
    net, dep = setup
    pr = build_problem(net, dep, r=1.0, q_C=0.0, q_B=0.0)
    D = np.array([200.0, 200.0])
    res = linprog(-pr.p, A_ub=pr.G, b_ub=pr.h(net.C, net.B, D), method="highs")
    assert res.status == 0
    d = res.x
    assert (dep.c @ d <= net.C + 1e-7).all() and (dep.b @ d <= net.B + 1e-7).all()
    assert (d <= D + 1e-9).all() and (d >= -1e-9).all()
    assert d.sum() > 0


def test_non_splitting_problem_has_zero_link_rows(setup):
    net, _ = setup
    dep = deploy_non_splitting(net, default_profiles()[:2], demand=110)
    pr = build_problem(net, dep, r=1.0, q_C=0.1, q_B=5.0)
    assert (pr.G[pr.rows_B] == 0).all()
    assert np.allclose(pr.p, 1.0 - 0.1 * dep.c.sum(axis=0))


def test_validation(setup):
    net, dep = setup
    pr = build_problem(net, dep, r=1.0, q_C=0.0, q_B=0.0)
    with pytest.raises(ValueError, match="B must have last dimension 12"):
        pr.h(net.C, net.B[:5], np.ones(2))
    with pytest.raises(ValueError, match="D contains non-finite"):
        pr.h(net.C, net.B, np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="do not broadcast"):
        pr.h(np.ones((3, 6)), net.B, np.ones((4, 2)))
    with pytest.raises(ValueError, match="r must be a scalar or have shape"):
        build_problem(net, dep, r=[1.0, 2.0, 3.0], q_C=0.0, q_B=0.0)
    with pytest.raises(ValueError, match="q_B"):
        build_problem(net, dep, r=1.0, q_C=0.0, q_B=-1.0)
    with pytest.raises(ValueError, match="r must be finite"):
        build_problem(net, dep, r=np.inf, q_C=0.0, q_B=0.0)
    with pytest.raises(ValueError, match="G must have shape"):
        LPProblem(np.ones((5, 2)), np.ones(2), 6, 12, 2)
    other = draw_network(ring(4), mu_C=1, sigma_C=0, mu_B=1, sigma_B=0, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="do not match the network"):
        build_problem(other, dep, r=1.0, q_C=0.0, q_B=0.0)
    # a deployment on a discarded server is refused
    bad = Network(net.topology, net.C * 0, net.B, 0, 0, 0, 0, np.zeros(6, bool), net.usable_links)
    with pytest.raises(ValueError, match="unusable"):
        build_problem(bad, dep, r=1.0, q_C=0.0, q_B=0.0)
