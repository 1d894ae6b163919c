"""Edge network: random capacities (eq. 13) and deployment of split services (§V-A).

* :func:`draw_network` draws true server capacities ``C_i ~ N(mu_C, sigma_C^2)`` and link
  capacities ``B_(i,j) ~ N(mu_B, sigma_B^2)`` (eq. 13), one independent draw per server and
  per *directed* link, servers first, from the caller's :class:`numpy.random.Generator`.
  Following §V-D-1, servers and links whose draw is not positive are discarded: they are
  marked unusable (``usable_servers``, ``usable_links``), deployment never places a part
  on them nor routes through them, and their capacity in ``C``/``B`` is set to 0 (so the
  rows of ``h`` stay feasible: their rows of ``G`` are zero). The raw draws are kept in
  ``C_drawn``/``B_drawn``.
* :func:`deploy_gus` places every part of every service with the Greedy on Used Server
  rule (GUS, the paper's ref. [51]); the exact rule is in its docstring. Consecutive
  parts on different servers are joined by a shortest path (fewest hops) over usable
  links between usable servers (a discarded server relays nothing), so a cut may use
  several links (multi-hop). Parts on the same server use no
  link.
* :func:`deploy_non_splitting` deploys each model whole on one server with the same rule
  (so no links are used), the paper's non-splitting baseline (§V-A, Fig. 5).
* Both decide from what an operator knows (:func:`known_capacities`): by default the mean
  capacities ``mu_C``, ``mu_B`` of eq. (13) on the resources that exist (capacities are not
  observable, §IV-A); ``information="true"`` is the labelled variant that reads the draws.

The densities of a deployment are the LP's matrices (§III-A, eq. 4a):
``c[i, k] = sum of c_j^k over the parts j of service k on server i`` and
``b[e, k] = sum of b_j^k over the cuts j of service k whose path uses link e``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import config
from .profiles import ServiceProfile

if TYPE_CHECKING:  # pragma: no cover
    from .data import Topology

__all__ = [
    "Network",
    "Deployment",
    "draw_network",
    "deploy_gus",
    "deploy_non_splitting",
    "shortest_path",
    "routable_links",
    "validate_topology",
    "known_capacities",
    "INFORMATION",
]


def validate_topology(topology: Any) -> tuple[int, np.ndarray]:
    """Check a topology (``n_nodes``, ``links`` (E, 2)) and return ``(N, links)``.

    Raises ``ValueError`` naming the problem: non-positive node count, links not of shape
    (E, 2), node ids out of range, self-loops or duplicate directed links.
    """
    name = getattr(topology, "name", "topology")
    try:
        n = int(topology.n_nodes)
        links = np.asarray(topology.links)
    except AttributeError as exc:
        raise TypeError(f"{name}: expected a Topology with n_nodes and links, got {type(topology).__name__}") from exc
    if n <= 0:
        raise ValueError(f"{name}: n_nodes must be > 0, got {n}")
    if links.ndim != 2 or links.shape[1] != 2 or not np.issubdtype(links.dtype, np.integer):
        raise ValueError(f"{name}: links must be an integer array of shape (E, 2), got {links.dtype} {links.shape}")
    if links.size and (links.min() < 0 or links.max() >= n):
        raise ValueError(f"{name}: link endpoints must lie in [0, {n - 1}], got range [{links.min()}, {links.max()}]")
    if (links[:, 0] == links[:, 1]).any():
        raise ValueError(f"{name}: self-loop links {links[links[:, 0] == links[:, 1]].tolist()}")
    if len({tuple(e) for e in links.tolist()}) != len(links):
        raise ValueError(f"{name}: duplicate directed links")
    return n, links.astype(np.int64)


# --------------------------------------------------------------------------- network


@dataclass(frozen=True)
class Network:
    """A drawn edge network (eq. 13): topology, true capacities, usable masks (§V-D-1).

    ``C`` (N,) and ``B`` (E,) are the true capacities with discarded (non-positive) draws
    set to 0; ``C_drawn``/``B_drawn`` are the raw normal draws.
    """

    topology: Any
    C: np.ndarray
    B: np.ndarray
    mu_C: float
    sigma_C: float
    mu_B: float
    sigma_B: float
    usable_servers: np.ndarray
    usable_links: np.ndarray
    C_drawn: np.ndarray | None = field(default=None, repr=False)
    B_drawn: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        n, links = validate_topology(self.topology)
        E = len(links)
        for name, size in (("C", n), ("B", E)):
            a = np.asarray(getattr(self, name), dtype=float)
            if a.shape != (size,):
                raise ValueError(f"Network.{name} must have shape ({size},), got {a.shape}")
            if not np.isfinite(a).all() or (a < 0).any():
                raise ValueError(f"Network.{name} must be finite and >= 0 (discarded draws are 0)")
        for name, size in (("usable_servers", n), ("usable_links", E)):
            a = np.asarray(getattr(self, name))
            if a.shape != (size,) or a.dtype != bool:
                raise ValueError(f"Network.{name} must be a boolean array of shape ({size},), got {a.dtype} {a.shape}")

    @property
    def n_servers(self) -> int:
        return int(self.C.shape[0])

    @property
    def n_links(self) -> int:
        return int(self.B.shape[0])

    @property
    def links(self) -> np.ndarray:
        """(E, 2) directed links (u, v) of the topology."""
        return np.asarray(self.topology.links, dtype=np.int64)


def _check_param(name: str, v: Any, *, nonneg: bool) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(v).__name__} {v!r}")
    v = float(v)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if nonneg and v < 0:
        raise ValueError(f"{name} must be >= 0, got {v}")
    return v


def draw_network(topology: "Topology", *, mu_C: float, sigma_C: float, mu_B: float, sigma_B: float,
                 rng: np.random.Generator) -> Network:
    """Draw true capacities ``C_i ~ N(mu_C, sigma_C^2)``, ``B_ij ~ N(mu_B, sigma_B^2)`` (eq. 13).

    One draw per server (N values), then one per directed link (E values), from ``rng``.
    Non-positive draws are discarded (§V-D-1): unusable, capacity set to 0. Means and
    standard deviations must be finite and >= 0.
    """
    n, links = validate_topology(topology)
    mu_C = _check_param("mu_C", mu_C, nonneg=True)
    sigma_C = _check_param("sigma_C", sigma_C, nonneg=True)
    mu_B = _check_param("mu_B", mu_B, nonneg=True)
    sigma_B = _check_param("sigma_B", sigma_B, nonneg=True)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    C_drawn = rng.normal(mu_C, sigma_C, size=n)
    B_drawn = rng.normal(mu_B, sigma_B, size=len(links))
    us, ul = C_drawn > 0, B_drawn > 0
    C = np.where(us, C_drawn, 0.0)
    B = np.where(ul, B_drawn, 0.0)
    for a in (C, B, us, ul, C_drawn, B_drawn):
        a.setflags(write=False)
    return Network(topology, C, B, mu_C, sigma_C, mu_B, sigma_B, us, ul, C_drawn, B_drawn)


# ------------------------------------------------------------------------- deployment


@dataclass(frozen=True)
class Deployment:
    """Where each service's parts run and which links their cuts use (§III-A, ``Path_k``).

    ``servers[k]`` is the server of each part of service ``k``; ``paths[k]`` the link
    indices its cuts use, in order (a link used by two cuts appears twice);
    ``cut_paths[k][j]`` the links of cut ``j`` alone (empty when both parts share a
    server). ``c`` (N, K) and ``b`` (E, K) are the density matrices of eq. (4a).
    ``nominal_load`` (N,) is the compute GUS reserved at the nominal demand and
    ``starved`` lists ``(k, j)`` parts that fitted on no server (placed where they get
    the highest admission rate, rule 3 of :func:`deploy_gus`).
    """

    services: list[str]
    servers: list[tuple[int, ...]]
    paths: list[tuple[int, ...]]
    c: np.ndarray
    b: np.ndarray
    splitting: bool
    cut_paths: list[tuple[tuple[int, ...], ...]] = field(default_factory=list)
    nominal_load: np.ndarray | None = field(default=None, repr=False)
    starved: tuple[tuple[int, int], ...] = ()

    @property
    def used_servers(self) -> tuple[int, ...]:
        """Sorted distinct servers hosting at least one part."""
        return tuple(sorted({i for s in self.servers for i in s}))

    @property
    def used_links(self) -> tuple[int, ...]:
        """Sorted distinct links used by at least one cut."""
        return tuple(sorted({e for p in self.paths for e in p}))


def _adjacency(n: int, links: np.ndarray, usable: np.ndarray) -> list[list[int]]:
    """Outgoing usable link indices of each node, in increasing link index."""
    out: list[list[int]] = [[] for _ in range(n)]
    for e in np.flatnonzero(usable):  # usable: links that may be routed over
        out[links[e, 0]].append(int(e))
    return out


def _bfs(n: int, links: np.ndarray, usable: np.ndarray | list, source: int) -> tuple[np.ndarray, np.ndarray]:
    """Hop distances from ``source`` over usable directed links and the parent link of each node.

    ``usable`` is a boolean mask over links or a precomputed :func:`_adjacency`. Outgoing
    links are explored in increasing link index, so the shortest path tree (and every path
    read from it) is deterministic. Unreachable nodes have distance -1.
    """
    out = usable if isinstance(usable, list) else _adjacency(n, links, usable)
    dist = np.full(n, -1, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    dist[source] = 0
    queue = deque([source])
    while queue:
        u = queue.popleft()
        for e in out[u]:
            v = links[e, 1]
            if dist[v] < 0:
                dist[v] = dist[u] + 1
                parent[v] = e
                queue.append(v)
    return dist, parent


def _path_from_tree(links: np.ndarray, parent: np.ndarray, target: int) -> tuple[int, ...]:
    path = []
    v = target
    while parent[v] >= 0:
        e = int(parent[v])
        path.append(e)
        v = int(links[e, 0])
    return tuple(reversed(path))


def routable_links(network: Network) -> np.ndarray:
    """Links a cut may use: usable links whose both end servers are usable (§V-D-1).

    A discarded server is removed from the network altogether, so it relays nothing.
    """
    u, v = network.links[:, 0], network.links[:, 1]
    us = np.asarray(network.usable_servers, dtype=bool)
    return np.asarray(network.usable_links, dtype=bool) & us[u] & us[v]


def shortest_path(network: Network, source: int, target: int) -> tuple[int, ...]:
    """Link indices of a fewest-hop path ``source -> target`` over :func:`routable_links`.

    Deterministic (breadth-first search exploring links by increasing index). Empty when
    ``source == target``; ``ValueError`` when ``target`` is unreachable.
    """
    n, links = network.n_servers, network.links
    for name, v in (("source", source), ("target", target)):
        if not 0 <= v < n:
            raise ValueError(f"{name} server {v} out of range [0, {n - 1}]")
    dist, parent = _bfs(n, links, routable_links(network), int(source))
    if dist[target] < 0:
        raise ValueError(f"server {target} is unreachable from server {source} over usable links")
    return _path_from_tree(links, parent, int(target))


def _largest_islands(n: int, links: np.ndarray, routable: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Usable servers in a largest strongly connected component of the usable network."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    e = np.flatnonzero(routable)
    graph = coo_matrix((np.ones(e.size), (links[e, 0], links[e, 1])), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels[usable], minlength=labels.max() + 1)
    return usable & (sizes[labels] == sizes.max())


def _check_profiles(profiles: Sequence[ServiceProfile]) -> list[ServiceProfile]:
    profiles = list(profiles)
    if not profiles:
        raise ValueError("profiles must hold at least one ServiceProfile")
    for p in profiles:
        if not isinstance(p, ServiceProfile):
            raise TypeError(f"profiles must be ServiceProfile objects, got {type(p).__name__}")
    names = [p.name for p in profiles]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate service names in profiles: {names}")
    return profiles


#: What the deployment rule may read about capacities: ``"mean"`` (an operator's knowledge:
#: the means ``mu_C``, ``mu_B`` and which resources exist) or ``"true"`` (the drawn capacities,
#: a labelled "GUS knows the truth" variant).
INFORMATION = ("mean", "true")


def _check_information(information: str) -> str:
    if information not in INFORMATION:
        raise ValueError(f"information must be one of {list(INFORMATION)} (what GUS may read about "
                         f"capacities), got {information!r}")
    return information


def known_capacities(network: Network, information: str) -> tuple[np.ndarray, np.ndarray]:
    """The server and link capacities a deployment rule may use (§IV-A: capacities are not observable).

    ``"mean"``: ``mu_C`` on every usable server and ``mu_B`` on every usable link, 0 on discarded
    ones (an operator knows the means of eq. (13) and which resources exist, i.e. the signs of the
    draws, §V-D-1); ``"true"``: the drawn capacities ``C``, ``B``.
    """
    _check_information(information)
    if information == "true":
        return np.asarray(network.C, dtype=float), np.asarray(network.B, dtype=float)
    us = np.asarray(network.usable_servers, dtype=bool)
    ul = np.asarray(network.usable_links, dtype=bool)
    return np.where(us, float(network.mu_C), 0.0), np.where(ul, float(network.mu_B), 0.0)


def _deploy(network: Network, profiles: list[ServiceProfile], demand: float,
            rng: np.random.Generator | None, splitting: bool, information: str = "mean") -> Deployment:
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network (draw_network(...)), got {type(network).__name__}")
    demand = _check_param("demand", demand, nonneg=True)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator or None, got {type(rng).__name__}")
    n, links = network.n_servers, network.links
    usable = np.asarray(network.usable_servers, dtype=bool)
    if not usable.any():
        raise ValueError(
            f"no usable server: all {n} capacity draws were <= 0 (mu_C={network.mu_C}, sigma_C={network.sigma_C})"
        )
    all_links = np.ones(len(links), dtype=bool)
    unreachable = np.flatnonzero(_bfs(n, links, all_links, 0)[0] < 0)
    if n > 1 and unreachable.size == 0:  # strongly connected iff 0 reaches all and all reach 0
        rev = links[:, ::-1]
        unreachable = np.flatnonzero(_bfs(n, rev, all_links, 0)[0] < 0)
    if unreachable.size:
        raise ValueError(
            f"topology {getattr(network.topology, 'name', '')!r} is disconnected (before any discard): "
            f"nodes {unreachable.tolist()[:10]} and node 0 do not reach each other; "
            "deployment needs a strongly connected topology"
        )
    # final tie-break: server index, or a random permutation of the indices when rng is given
    tiebreak = np.arange(n) if rng is None else rng.permutation(n)
    routable = routable_links(network)
    ingress_ok = _largest_islands(n, links, routable, usable)
    adjacency = _adjacency(n, links, routable)
    C_known, B_known = known_capacities(network, information)
    remaining = np.where(usable, C_known, -np.inf).astype(float)
    link_rem = np.where(routable, B_known, -np.inf).astype(float)
    used = np.zeros(n, dtype=bool)
    K = len(profiles)
    c_mat = np.zeros((n, K))
    b_mat = np.zeros((len(links), K))
    servers, paths, cut_paths, starved = [], [], [], []
    for k, prof in enumerate(profiles):
        placed: list[int] = []
        cuts: list[tuple[int, ...]] = []
        parent = None
        for j, cj in enumerate(prof.c):
            load = float(cj) * demand
            if not placed:
                dist = np.where(ingress_ok, 0, -1)
            else:
                dist, parent = _bfs(n, links, adjacency, placed[-1])
            cand = usable & (dist >= 0)  # never empty: part j - 1's server is a candidate
            fits = cand & (remaining >= load)
            idx = np.flatnonzero(fits & used)
            if idx.size:  # GUS: a used server that still fits, nearest, then best fit
                keys = (tiebreak[idx], remaining[idx] - load, dist[idx])
            elif (idx := np.flatnonzero(fits)).size:  # open a new server: nearest, then largest
                keys = (tiebreak[idx], -remaining[idx], dist[idx])
            else:  # starvation: nothing fits; the reachable server offering the highest rate
                idx = np.flatnonzero(cand)
                rate = remaining[idx] / max(float(cj), 1e-12)
                if placed and prof.b[j - 1] > 0:
                    for t, i2 in enumerate(idx):
                        if i2 != placed[-1]:
                            path = _path_from_tree(links, parent, int(i2))
                            rate[t] = min(rate[t], min(link_rem[e] for e in path) / prof.b[j - 1])
                keys = (tiebreak[idx], dist[idx], -rate)
                starved.append((k, j))
            i = int(idx[np.lexsort(keys)[0]])
            if placed:
                cut = _path_from_tree(links, parent, i) if i != placed[-1] else ()
                cuts.append(cut)
                for e in cut:
                    b_mat[e, k] += prof.b[j - 1]
                    link_rem[e] -= prof.b[j - 1] * demand
            remaining[i] -= load
            used[i] = True
            c_mat[i, k] += cj
            placed.append(i)
        servers.append(tuple(placed))
        cut_paths.append(tuple(cuts))
        paths.append(tuple(e for cut in cuts for e in cut))
    nominal = np.where(usable, C_known, 0.0) - np.where(usable, remaining, 0.0)
    return Deployment([p.name for p in profiles], servers, paths, c_mat, b_mat, splitting,
                      cut_paths, nominal, tuple(starved))


def deploy_gus(network: Network, profiles: Sequence[ServiceProfile], *, rng: np.random.Generator | None = None,
               demand: float | None = None, information: str | None = None) -> Deployment:
    """Deploy every part of every service with Greedy on Used Server (GUS, §V-A, ref. [51]).

    Services are placed in the given order, each service's parts in chain order. Part
    ``j`` of service ``k`` needs ``c_j^k x demand`` compute (``demand`` defaults to the
    config's ``deployment_demand``, the nominal Mb/slot per service), checked against the
    server's *remaining* known capacity (:func:`known_capacities` at ``information``, default
    config ``deployment_information``: ``"mean"`` reads ``mu_C``/``mu_B`` on the resources that
    exist, as an operator would (§IV-A); ``"true"`` reads the drawn capacities, a labelled
    variant), minus the nominal loads already placed.
    Candidates are usable servers reachable over :func:`routable_links` from the server of
    part ``j - 1``. For the first part (the service's ingress; its input is assumed to
    arrive from outside the modelled links) they are the usable servers of the largest
    strongly connected component of the usable network (all usable servers when it is
    connected), so that a chain never starts on a small island. Then:

    1. if an already used server fits: the nearest one (fewest hops from part ``j - 1``;
       the same server counts 0 hops and needs no link), then the best fit (least
       remaining capacity after placement);
    2. else open a new server that fits: nearest, then the largest remaining capacity;
    3. else (resource starvation, nothing fits): the reachable server that offers the part
       the highest admission rate ``min(remaining_i / c_j^k, min_e remaining_e / b_(j-1)^k)``,
       the second term over the links of the shortest path from part ``j - 1`` (link
       remainders are their draws minus the nominal transfers already routed); then
       nearest. The part is listed in ``Deployment.starved``. (Without the link term a
       starved part would chase the largest server across the network, and the long
       multi-hop path would throttle the chain: at M = 40, Sigma = 30 on GEANT the offline
       throughput fell to 50 Mb/slot, below non-splitting's 84; with it, 96.)

    Discarded links can split the usable network into islands: a chain then stays in its
    ingress's island (parts starve there if nothing fits); a topology that is disconnected
    before any discard is an error. Fewer usable servers than parts is not an error: parts
    then share servers (possibly starved).

    Final ties go to the lowest server index, or, when ``rng`` is given, to the order of
    one random permutation of the servers drawn from it (capacities are continuous, so
    exact ties are rare). The cut between parts on different servers follows
    :func:`shortest_path`. Deterministic given the network and ``rng``'s state.
    """
    profiles = _check_profiles(profiles)
    demand = config.value("deployment_demand") if demand is None else demand
    information = config.value("deployment_information") if information is None else information
    return _deploy(network, profiles, demand, rng, splitting=True, information=_check_information(information))


def deploy_non_splitting(network: Network, profiles: Sequence[ServiceProfile], *,
                         rng: np.random.Generator | None = None, demand: float | None = None,
                         information: str | None = None) -> Deployment:
    """Deploy each model whole on one server (the paper's non-splitting baseline, §V-A).

    Each profile is merged into one part (``c = sum_j c_j^k``, no cut) and placed with the
    GUS rule of :func:`deploy_gus`, from the same ``information``; no link is ever used (``b``
    is all zero). With mean information, a whole model that fits no server is placed by the
    tie-break among equal known rates, so its true capacity (and its throughput) varies with the draw.
    """
    profiles = _check_profiles(profiles)
    demand = config.value("deployment_demand") if demand is None else demand
    information = config.value("deployment_information") if information is None else information
    return _deploy(network, [p.merged() for p in profiles], demand, rng, splitting=False,
                   information=_check_information(information))
