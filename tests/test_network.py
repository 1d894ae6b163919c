"""Network draws (eq. 13), GUS and non-splitting deployments (§V-A)."""

from pathlib import Path

import numpy as np
import pytest

from splitalloc.data import Topology
from splitalloc.network import (
    Network,
    deploy_gus,
    deploy_non_splitting,
    draw_network,
    routable_links,
    shortest_path,
)
from splitalloc.profiles import ServiceProfile, default_profiles


def make_topology(n, undirected, name="test"):
    links = np.array([e for u, v in undirected for e in ((u, v), (v, u))], dtype=np.int64).reshape(-1, 2)
    return Topology(name, n, links, np.ones(len(links)), Path("<test>"))


LINE5 = make_topology(5, [(0, 1), (1, 2), (2, 3), (3, 4)])


def with_capacities(topo, C, B=None):
    """A Network with given capacities (bypasses draws)."""
    C = np.asarray(C, float)
    B = np.full(len(topo.links), 100.0) if B is None else np.asarray(B, float)
    return Network(topo, np.maximum(C, 0), np.maximum(B, 0), 0.0, 0.0, 0.0, 0.0, C > 0, B > 0, C, B)


def check_paths(net, dep):
    links = net.links
    for servers, cuts in zip(dep.servers, dep.cut_paths):
        assert len(cuts) == len(servers) - 1
        for (a, b), cut in zip(zip(servers[:-1], servers[1:]), cuts):
            if a == b:
                assert cut == ()
                continue
            assert links[cut[0], 0] == a and links[cut[-1], 1] == b
            for e1, e2 in zip(cut[:-1], cut[1:]):
                assert links[e1, 1] == links[e2, 0]  # consecutive links connect
            assert all(routable_links(net)[e] for e in cut)


def test_draw_is_seeded_and_marks_negative_draws():
    a = draw_network(LINE5, mu_C=1.0, sigma_C=5.0, mu_B=1.0, sigma_B=5.0, rng=np.random.default_rng(3))
    b = draw_network(LINE5, mu_C=1.0, sigma_C=5.0, mu_B=1.0, sigma_B=5.0, rng=np.random.default_rng(3))
    assert np.array_equal(a.C_drawn, b.C_drawn) and np.array_equal(a.B_drawn, b.B_drawn)
    assert a.C.shape == (5,) and a.B.shape == (8,)
    assert np.array_equal(a.usable_servers, a.C_drawn > 0)
    assert (a.C[~a.usable_servers] == 0).all() and (a.B[~a.usable_links] == 0).all()
    assert (a.C >= 0).all() and (a.B >= 0).all()
    # the first N draws are servers (documented order)
    ref = np.random.default_rng(3).normal(1.0, 5.0, size=13)
    assert np.allclose(a.C_drawn, ref[:5]) and np.allclose(a.B_drawn, ref[5:])


def test_draw_sigma_zero_gives_means():
    net = draw_network(LINE5, mu_C=7.0, sigma_C=0.0, mu_B=3.0, sigma_B=0.0, rng=np.random.default_rng(0))
    assert (net.C == 7.0).all() and (net.B == 3.0).all()


@pytest.mark.parametrize("kw, err, msg", [
    ({"mu_C": -1.0}, ValueError, "mu_C"),
    ({"sigma_B": -0.1}, ValueError, "sigma_B"),
    ({"mu_B": float("inf")}, ValueError, "mu_B"),
    ({"sigma_C": "3"}, TypeError, "sigma_C"),
    ({"rng": 0}, TypeError, "Generator"),
])
def test_draw_bad_parameters(kw, err, msg):
    args = dict(mu_C=1.0, sigma_C=1.0, mu_B=1.0, sigma_B=1.0, rng=np.random.default_rng(0))
    args.update(kw)
    with pytest.raises(err, match=msg):
        draw_network(LINE5, **args)


def test_network_validation():
    with pytest.raises(ValueError, match="Network.C must have shape"):
        Network(LINE5, np.ones(4), np.ones(8), 0, 0, 0, 0, np.ones(5, bool), np.ones(8, bool))
    with pytest.raises(ValueError, match="finite and >= 0"):
        Network(LINE5, -np.ones(5), np.ones(8), 0, 0, 0, 0, np.ones(5, bool), np.ones(8, bool))
    with pytest.raises(ValueError, match="usable_links must be a boolean"):
        Network(LINE5, np.ones(5), np.ones(8), 0, 0, 0, 0, np.ones(5, bool), np.ones(8))


def test_bad_topology():
    bad = Topology("bad", 3, np.array([[0, 5]]), np.ones(1), Path("x"))
    with pytest.raises(ValueError, match="endpoints"):
        draw_network(bad, mu_C=1, sigma_C=0, mu_B=1, sigma_B=0, rng=np.random.default_rng(0))


def test_shortest_path_multihop_and_unusable_links():
    net = with_capacities(LINE5, [10] * 5)
    p = shortest_path(net, 0, 3)
    assert [tuple(net.links[e]) for e in p] == [(0, 1), (1, 2), (2, 3)]
    assert shortest_path(net, 2, 2) == ()
    B = np.full(8, 100.0)
    B[2] = -1.0  # link (1, 2) discarded
    cut = with_capacities(LINE5, [10] * 5, B)
    with pytest.raises(ValueError, match="unreachable"):
        shortest_path(cut, 0, 3)


def prof(name, c, b):
    return ServiceProfile(name, np.array(c, float), np.array(b, float))


def test_gus_consolidates_when_capacity_allows():
    net = with_capacities(LINE5, [10, 10, 1000, 10, 10])
    profiles = [prof("a", [1, 1, 1], [0.5, 0.5]), prof("b", [2, 2], [1.0])]
    dep = deploy_gus(net, profiles, demand=10, information="true")
    assert dep.used_servers == (2,)  # one server suffices: GUS opens no other
    assert dep.paths == [(), ()] and (dep.b == 0).all()
    assert np.allclose(dep.c[2], [3, 4]) and dep.starved == ()


def test_gus_opens_new_servers_only_when_needed_and_respects_mask():
    # each part needs 60 at demand 10; servers hold 100 (one part each), server 1 is discarded
    net = with_capacities(LINE5, [100, -5, 100, 100, 100])
    dep = deploy_gus(net, [prof("a", [6, 6, 6], [1, 1])], demand=10, information="true")
    assert len(dep.used_servers) == 3 and 1 not in dep.used_servers
    assert dep.starved == ()
    check_paths(net, dep)
    # server 1 is down (and relays nothing), so 0 is cut off; the chain lives on 2-4
    assert set(dep.servers[0]) == {2, 3, 4}
    assert all(1 not in net.links[e] for e in dep.paths[0])
    # c and b matrices are the sums of densities along the deployment
    assert np.allclose(dep.c.sum(axis=0), 18) and np.allclose(dep.b.sum(axis=0), 2 * 1)


def test_gus_multihop_path_densities():
    # parts of 60 on servers with 100; servers 1 and 2 too small, so part 2 goes 2 hops away
    net = with_capacities(LINE5, [100, 50, 50, 100, 100])
    dep = deploy_gus(net, [prof("a", [6, 6], [0.7])], demand=10, information="true")
    assert dep.servers[0][0] in (0, 3, 4)
    check_paths(net, dep)
    for e in dep.paths[0]:
        assert np.isclose(dep.b[e, 0], 0.7)
    assert np.isclose(dep.b.sum(), 0.7 * len(dep.paths[0]))


def test_gus_on_geant_seed0_properties(data_dir):
    from splitalloc.data import load_geant_topology

    topo = load_geant_topology(data_dir)
    assert topo.n_nodes == 23 and len(topo.links) == 74
    profiles = default_profiles()
    nets = [draw_network(topo, mu_C=100, sigma_C=30, mu_B=100, sigma_B=30, rng=np.random.default_rng(0))
            for _ in range(2)]
    deps = [deploy_gus(n, profiles, information="true") for n in nets]
    assert deps[0].servers == deps[1].servers and deps[0].paths == deps[1].paths
    net, dep = nets[0], deps[0]
    assert dep.c.shape == (23, 3) and dep.b.shape == (74, 3)
    check_paths(net, dep)
    assert all(net.usable_servers[i] for i in dep.used_servers)
    assert np.allclose(dep.c.sum(axis=0), [p.c.sum() for p in profiles])
    ns = deploy_non_splitting(net, profiles, information="true")
    assert all(len(s) == 1 for s in ns.servers) and (ns.b == 0).all() and ns.paths == [(), (), ()]
    assert not ns.splitting and dep.splitting


def test_rng_only_breaks_ties():
    net = with_capacities(LINE5, [100] * 5)  # all tie
    p = [prof("a", [6, 6], [1])]
    assert deploy_gus(net, p, demand=10, information="true").servers == [(0, 1)]
    r1 = deploy_gus(net, p, demand=10, rng=np.random.default_rng(5), information="true").servers
    r2 = deploy_gus(net, p, demand=10, rng=np.random.default_rng(5), information="true").servers
    assert r1 == r2


def test_starvation_is_recorded():
    net = with_capacities(LINE5, [10, 20, 30, 40, 5])
    dep = deploy_non_splitting(net, [prof("a", [6, 6], [1]), prof("b", [1], [])], demand=10, information="true")
    # a needs 120: fits nowhere -> the largest server (3), left at -80; b needs 10: no used
    # server fits, so GUS opens the largest remaining one (2)
    assert dep.servers == [(3,), (2,)]
    assert dep.starved == ((0, 0),)


def test_deploy_errors():
    dead = with_capacities(LINE5, [-1] * 5)
    with pytest.raises(ValueError, match="no usable server"):
        deploy_gus(dead, default_profiles(), information="true")
    B = np.full(8, -1.0)  # no usable link at all: second part has nowhere to go but its own server
    iso = with_capacities(LINE5, [100] * 5, B)
    dep = deploy_gus(iso, [prof("a", [6, 6], [1])], demand=10, information="true")
    assert len(set(dep.servers[0])) == 1  # starved on the only reachable server, no link
    two_islands = make_topology(4, [(0, 1), (2, 3)])
    with pytest.raises(ValueError, match="disconnected"):
        deploy_gus(with_capacities(two_islands, [100] * 4), [prof("a", [1], [])], demand=10, information="true")
    with pytest.raises(ValueError, match="at least one"):
        deploy_gus(iso, [], information="true")
    with pytest.raises(TypeError, match="Network"):
        deploy_gus(object(), default_profiles(), information="true")
    with pytest.raises(ValueError, match="demand"):
        deploy_gus(iso, default_profiles(), demand=-1, information="true")


def test_plot_network_traces():
    from splitalloc.plots import plot_network

    C = [100, -5, 100, 100, 100]
    B = np.full(8, 100.0)
    B[7] = -1
    net = with_capacities(LINE5, C, B)
    dep = deploy_gus(net, [prof("a", [6, 6, 6], [1, 1]), prof("b", [1], [])], demand=10, information="true")
    fig = plot_network(net, dep)
    names = [t.name for t in fig.data]
    assert any(n.startswith("a: 3 part(s)") for n in names) and any(n.startswith("b: 1 part(s)") for n in names)
    assert "discarded server" in names and "discarded link" in names
    hover = " ".join(h for t in fig.data if t.hovertext is not None for h in t.hovertext)
    assert "C = 100.0" in hover and "B = 100.0 Mb/slot" in hover and "hosts: a part 1" in hover
    assert "force-directed" in fig.layout.annotations[0].text
    fig2 = plot_network(net, dep, positions=np.arange(10.0).reshape(5, 2))
    assert "coordinates" in fig2.layout.annotations[0].text
    with pytest.raises(ValueError, match="positions"):
        plot_network(net, dep, positions=np.zeros((3, 2)))


def test_spring_layout_deterministic():
    from splitalloc.plots import spring_layout

    a = spring_layout(5, LINE5.links, seed=0)
    assert a.shape == (5, 2) and np.isfinite(a).all()
    assert np.array_equal(a, spring_layout(5, LINE5.links, seed=0))


# ---------------------------------------------------------------- property test (hypothesis)
from hypothesis import given, settings, strategies as st  # noqa: E402


@st.composite
def instances(draw):
    n = draw(st.integers(3, 8))
    und = {(i, (i + 1) % n) for i in range(n)}  # ring ...
    for _ in range(draw(st.integers(0, 4))):  # ... plus chords
        u, v = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if u != v:
            und.add((min(u, v), max(u, v)))
    und = sorted({(min(u, v), max(u, v)) for u, v in und})
    topo = make_topology(n, und)
    caps = st.floats(-20, 200, allow_nan=False)
    C = draw(st.lists(caps, min_size=n, max_size=n))
    B = draw(st.lists(caps, min_size=len(topo.links), max_size=len(topo.links)))
    K = draw(st.integers(1, 3))
    profiles = []
    for k in range(K):
        m = draw(st.integers(1, 4))
        c = draw(st.lists(st.floats(0.01, 2.0), min_size=m, max_size=m))
        b = draw(st.lists(st.floats(0.0, 2.0), min_size=m - 1, max_size=m - 1))
        profiles.append(prof(f"s{k}", c, b))
    return with_capacities(topo, C, B), profiles


@settings(max_examples=60, deadline=None)
@given(instances())
def test_gus_properties(inst):
    net, profiles = inst
    if not net.usable_servers.any():
        with pytest.raises(ValueError, match="no usable server"):
            deploy_gus(net, profiles, demand=50, information="true")
        return
    dep = deploy_gus(net, profiles, demand=50, information="true")
    check_paths(net, dep)
    assert all(net.usable_servers[i] for i in dep.used_servers)
    # densities: c and b matrices are the chain's densities placed on servers / path links
    for k, p in enumerate(profiles):
        assert np.allclose(dep.c[:, k].sum(), p.c.sum())
        assert np.isclose(dep.b[:, k].sum(), sum(bj * len(cut) for bj, cut in zip(p.b, dep.cut_paths[k])))
    # GUS: a server is opened only when no used server (reachable from the previous part) fits
    remaining = np.where(net.usable_servers, net.C, -np.inf)
    used: set[int] = set()
    good = np.flatnonzero(net.usable_servers)

    def reaches(u, v):
        try:
            shortest_path(net, u, v)
            return True
        except ValueError:
            return False

    connected = all(reaches(u, v) for u in good for v in good)
    routable = routable_links(net)
    for k, p in enumerate(profiles):
        for j, i in enumerate(dep.servers[k]):
            load = p.c[j] * 50
            if i not in used and used:
                for u in used:
                    if remaining[u] >= load:
                        if j == 0:  # ingress: every usable server is admissible when connected
                            reach_ok = connected
                        else:
                            prev = dep.servers[k][j - 1]
                            reach_ok = reaches(prev, u)
                        # a used, fitting, reachable server existed; GUS must not open i
                        if reach_ok:
                            raise AssertionError(f"opened {i} although used server {u} fits part {(k, j)}")
            if (k, j) not in dep.starved:
                assert remaining[i] >= load - 1e-9
            remaining[i] -= load
            used.add(i)
    assert routable.dtype == bool
    # non-splitting never uses a link
    ns = deploy_non_splitting(net, profiles, demand=50, information="true")
    assert (ns.b == 0).all() and all(len(s) == 1 for s in ns.servers)


def test_ingress_in_largest_strongly_connected_component():
    # link (1 -> 0) discarded, (0 -> 1) kept: 0 reaches everyone but nobody reaches 0, so the
    # largest strongly connected component is {1, 2, 3, 4}; the chain starts there
    B = np.full(8, 100.0)
    B[1] = -1.0
    assert tuple(LINE5.links[1]) == (1, 0)
    net = with_capacities(LINE5, [100] * 5, B)
    dep = deploy_gus(net, [prof("a", [6, 6], [1])], demand=10, information="true")
    assert dep.servers == [(1, 2)]


def test_starved_part_weighs_the_links_to_reach_a_server():
    # parts need 60; nothing fits after the ingress. Server 4 has most capacity (45) but the
    # link 3 -> 4 carries only 1 Mb/slot (rate 1); server 1 offers 8 / 6 = 1.33: GUS takes 1
    C = [50, 8, 5, 5, 45]
    B = np.full(8, 100.0)
    e34 = [e for e, (u, v) in enumerate(LINE5.links) if (u, v) == (3, 4)][0]
    B[e34] = 1.0
    net = with_capacities(LINE5, C, B)
    dep = deploy_gus(net, [prof("a", [6, 6], [1])], demand=10, information="true")
    assert dep.servers == [(0, 1)] and dep.starved == ((0, 0), (0, 1))
    B[e34] = 100.0  # with a fat link the biggest server wins
    dep = deploy_gus(with_capacities(LINE5, C, B), [prof("a", [6, 6], [1])], demand=10, information="true")
    assert dep.servers == [(0, 4)]


# --------------------------------------------------------------------------- information model
def test_mean_information_decides_without_the_true_draws():
    """With mean information GUS sees mu_C/mu_B on the resources that exist (§IV-A), so two
    networks with the same means and the same discarded resources get the same deployment,
    whatever their draws; with true information they do not."""
    topo = LINE5
    B = np.full(len(topo.links), 100.0)
    a = Network(topo, np.array([10., 20., 300., 40., 50.]), B, 60.0, 30.0, 100.0, 0.0,
                np.ones(5, bool), B > 0, None, None)
    b = Network(topo, np.array([300., 20., 10., 40., 50.]), B, 60.0, 30.0, 100.0, 0.0,
                np.ones(5, bool), B > 0, None, None)
    p = [prof("a", [3, 3], [1]), prof("b", [2], [])]
    for info in ("mean", None):  # None: config deployment_information, "mean"
        assert deploy_gus(a, p, demand=10, information=info).servers == \
            deploy_gus(b, p, demand=10, information=info).servers
    assert deploy_gus(a, p, demand=10, information="true").servers != \
        deploy_gus(b, p, demand=10, information="true").servers
    # mean information still never uses a discarded server
    dead = Network(topo, np.array([0., 20., 300., 40., 50.]), B, 60.0, 30.0, 100.0, 0.0,
                   np.array([False, True, True, True, True]), B > 0, None, None)
    dep = deploy_gus(dead, p, demand=10, information="mean", rng=np.random.default_rng(0))
    assert 0 not in dep.used_servers
    with pytest.raises(ValueError, match="information must be one of"):
        deploy_gus(a, p, information="oracle")


def test_non_splitting_with_mean_information_lands_on_servers_chosen_by_the_seed():
    """A whole model that fits no server is placed among equal known rates by the seeded
    tie-break, not on the largest true server, so the host (and its true capacity) varies."""
    topo = make_topology(23, [(i, i + 1) for i in range(22)])
    net = draw_network(topo, mu_C=100, sigma_C=30, mu_B=100, sigma_B=30, rng=np.random.default_rng(1))
    profiles = default_profiles()
    hosts = {deploy_non_splitting(net, profiles, demand=50, information="mean",
                                  rng=np.random.default_rng(s)).servers[0] for s in range(8)}
    assert len(hosts) > 1
    true_hosts = {deploy_non_splitting(net, profiles, demand=50, information="true",
                                       rng=np.random.default_rng(s)).servers[0] for s in range(8)}
    assert len(true_hosts) == 1  # the largest true server, whatever the seed


def test_gus_demand_default_is_the_config_value(data_dir):
    """Calibration knob (issue 17): the demand GUS plans for is an argument; its default is
    config ``deployment_demand``, bit for bit."""
    from splitalloc import config
    from splitalloc.data import load_geant_topology

    topo = load_geant_topology(data_dir)
    profiles = default_profiles()
    net = draw_network(topo, mu_C=100, sigma_C=30, mu_B=100, sigma_B=30, rng=np.random.default_rng(1))
    a = deploy_gus(net, profiles, rng=np.random.default_rng(5))
    b = deploy_gus(net, profiles, rng=np.random.default_rng(5), demand=config.value("deployment_demand"))
    assert a.servers == b.servers and a.paths == b.paths
    assert np.array_equal(a.c, b.c) and np.array_equal(a.b, b.b)
    more = deploy_gus(net, profiles, rng=np.random.default_rng(5), demand=3 * config.value("deployment_demand"))
    assert len(more.used_servers) >= len(a.used_servers)
    with pytest.raises(ValueError, match="demand"):
        deploy_gus(net, profiles, demand=-1.0)
