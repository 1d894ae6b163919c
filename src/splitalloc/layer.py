"""An exact, batched, differentiable LP layer (paper §IV-B-1, eqs. (4)-(12)).

The layer solves, for every instance ``b`` of a batch,

    max_d  p_b^T d    s.t.   G_b d <= h_b                       (eq. (5), written as a max)

with ``d`` in R^K and ``m`` inequality rows. In the paper ``G = [c; b; I; -I]`` and
``h = [C; B; D; 0]`` (eq. (4a)-(4b)), ``m = N + E + 2K``, and ``K`` (services) is tiny
while ``m`` is about a hundred, so the optimum is a *vertex* fixed by ``K`` active rows.

Forward pass: two vertex (simplex) methods
------------------------------------------
Every instance carries a working set ``W`` of ``K`` rows with ``G_W`` invertible; its
vertex is ``d = G_W^{-1} h_W`` and its multipliers are ``lam_W = G_W^{-T} p`` (the
stationarity condition eq. (7a)/(8a) restricted to ``W``; ``lam = 0`` off ``W``, which
gives complementary slackness eq. (7b)). ``W`` is optimal when ``d`` is feasible and
``lam_W >= 0``. ``G_W^{-1}`` is kept by rank-one (product-form) updates and refactorised
from time to time.

* **Dual simplex with bound flipping** (the paper's family, used whenever a shared ``G``
  has bound rows ``+e_k`` / ``-e_k``, as ``[I; -I]`` in eq. (4a); :func:`_dual_simplex`).
  Each service's bounds are its tightest rows of each kind, per instance (a capacity row
  of a server or link that only one service uses bounds that service too). Start at the
  box corner ``d_k = D_k`` if ``p_k > 0``, ``d_k = 0`` if ``p_k <= 0``: its multipliers are
  ``|p_k| >= 0``, so it is dual feasible, and it is optimal as soon as it satisfies the
  capacity rows; or start from a given working set (a *warm start*, e.g. the previous
  epoch's optimum of a training sample: ``lam_W`` does not depend on ``h``, so it stays dual
  feasible when only ``h`` changes). The most violated row ``r`` enters and, with
  ``a = g_r^T G_W^{-1}``, the bound-flipping ratio test picks the row that leaves: the
  multipliers move along ``lam - t a`` and the breakpoints ``lam_j / a_j`` (``a_j > 0``) of
  services that can jump to their other bound are passed while the violation of ``r``
  lasts; the first other breakpoint leaves. If all are passed the LP is infeasible (a
  Farkas certificate). One pivot takes ``O(K^2)`` work. With GEANT-like data it takes 0-4
  pivots; with K = 50 services some 30. The loop runs one instance after another in
  compiled code (numba, :mod:`splitalloc._dual_kernel`): the instance's ``K x K`` inverse
  stays in the processor's cache, where the earlier version, vectorised over the batch
  in torch, paid about 10 microseconds of overhead for each of the ~50 tensor operations
  of a pivot round (``benchmarks/README.md``).
* **Primal active-set method** (general ``G``, and a fallback if the dual method cannot
  certify an instance), vectorised over the batch in torch: one pivot of every unfinished
  instance per loop iteration, the working batch compacted as instances finish. While
  some ``lam_j < 0``, row ``j`` leaves: ``d`` moves along the
  edge ``s = -G_W^{-1} e_j`` (the objective grows by ``-lam_j`` per unit step) until the
  first blocking row ``r`` (ratio test), which enters; no blocking row means unbounded.
  The working set starts with *artificial* rows ``e_k^T d = x0_k`` at a feasible point
  ``x0`` (``x0 = 0`` when ``h >= 0``). Artificial rows are not constraints: they leave
  first (in whichever direction raises the objective) and never re-enter. If a
  zero-multiplier artificial row cannot leave in either direction, the optimal face
  contains a line (``G`` has rank < K); the row is kept and the solution is still optimal.
  Where ``d = 0`` is infeasible a phase 1 solves ``max -t s.t. G d - t <= h, t >= 0`` with
  the same method from ``d = 0, t = max(-h)``; ``t* > 0`` means infeasible.
* Rows of ``G`` that are zero for every service (servers and links no service uses) are
  dropped: they only require ``h_i >= 0`` and never bind a vertex. The other rows are
  scaled to unit norm (the LP is unchanged), so tolerances are relative and the methods
  behave the same for ``h`` of size 1e-6 or 1e6. For a shared ``G`` this preprocessing is
  cached (keyed by the tensor's identity, version counter and storage address).

Deterministic rule at degenerate vertices and ties. Dual simplex: the entering row is the
most violated one (ties: smallest row index); breakpoints are taken in increasing order,
ties by position in ``W``. Primal method: the leaving row is an artificial row if any is
left (largest ``|lam_j|``), otherwise the one with the most negative ``lam_j`` (Dantzig);
the entering row the smallest row index among the near-minimal ratios. In both, after
``K`` consecutive zero-length (degenerate) pivots an instance switches to Bland's rule
(smallest row index among the candidates, within a relative ``1e-12`` for the ratios; no
flips) until it moves again, which rules out cycling, so the methods terminate; the final
working set -- hence ``d``, ``lam`` and the gradient -- is a deterministic function of the
input (and of the warm start, if one is given). Ties in ``p`` or a zero ``p_k`` give one of
the optimal vertices by this rule; a warm start can end at another one of them. In the
paper's family (capacity rows ``>= 0``) every optimum has ``d_k = 0`` when ``p_k < 0``; for
``p_k = 0`` the dual method starts from ``d_k = 0``.

Exactness. At the end ``d = G_A^{-1} h_A`` and ``lam_A = G_A^{-T} p`` are recomputed from
the working set (with one step of iterative refinement against ``G_A``) and every instance
is checked on the original rows: primal feasibility
``G d - h <= 1e-9 (|h|_inf + |G|_max |d|_inf)``, dual feasibility ``lam_A >= -1e-9 |p|_inf``
(stationarity ``G_A^T lam_A = p`` holds by construction, complementary slackness because
``lam = 0`` off ``A``). An instance that fails the check is reported (status
``NUMERICAL``), never returned as if it were optimal; one that fails it after the dual
simplex is solved again by the primal method first. No NaN or inf is ever returned.

Backward pass: implicit differentiation of the KKT conditions (eqs. (9)-(12))
-------------------------------------------------------------------------------
At a vertex with active set ``A`` and ``lam_A > 0`` (strict complementarity), the KKT
system (10) keeps ``A`` active under a small change of ``h``; its rows for ``A`` read
``G_A dd = dh_A`` and its rows off ``A`` give ``dlam = 0``. Hence ``d*(h) = G_A^{-1} h_A``
locally and (eqs. (11)-(12))

    dl/dh_A = G_A^{-T} dl/dd,      dl/dh_i = 0 for i not in A.

This is exactly the derivative of ``d*(h)`` at a non-degenerate vertex (the tests check it
against central finite differences). At a degenerate vertex ``d*(h)`` is not
differentiable; the layer then returns the same formula for the working set chosen by the
deterministic rule above (one element of the generalised Jacobian, finite by construction).
Artificial rows left in the working set (rank-deficient ``G``) get no gradient.

**Gradients with respect to ``p`` and ``G`` are not provided** (``None``, i.e. treated as
zero): ``d*`` is piecewise constant in ``p`` (its derivative is zero almost everywhere, see
DESIGN.md), and the paper only needs ``dl/dh`` (eq. (12)).
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "OPTIMAL",
    "INFEASIBLE",
    "UNBOUNDED",
    "NUMERICAL",
    "STATUS_NAMES",
    "LPResult",
    "LPError",
    "LPInfeasibleError",
    "LPUnboundedError",
    "LPNumericalError",
    "solve_batch",
    "lp_solve",
]

#: Status codes returned by :func:`solve_batch` (one per instance).
OPTIMAL, INFEASIBLE, UNBOUNDED, NUMERICAL = 0, 1, 2, 3
STATUS_NAMES = {OPTIMAL: "optimal", INFEASIBLE: "infeasible", UNBOUNDED: "unbounded",
                NUMERICAL: "numerical failure / iteration limit"}

_REFACTOR_EVERY = 32     # primal method: pivots between refactorisations of G_W^{-1} (at least K)
_TOL_Q = 1e-11           # relative size of a blocking direction in the ratio test
_TOL_TIE = 1e-12         # relative tie tolerance in the ratio test (Bland: smallest row)
_TOL_LAM = 1e-10         # relative tolerance on multipliers during pivoting
_TOL_CHECK = 1e-9        # relative tolerance of the final optimality certificate
_TOL_FEAS = 1e-12        # relative primal infeasibility that the dual simplex still repairs
_BFRT_KEEP = 1e-9        # a bound flip may use up this much less than the whole violation


class LPError(ValueError):
    """Raised by :func:`lp_solve` when some batch instances have no optimal solution."""

    def __init__(self, message: str, status: torch.Tensor):
        super().__init__(message)
        self.status = status


class LPInfeasibleError(LPError):
    """Some instance has no ``d`` with ``G d <= h``."""


class LPUnboundedError(LPError):
    """Some instance has a feasible ray along which ``p^T d`` grows without bound."""


class LPNumericalError(LPError):
    """The solver could not certify optimality (iteration limit or ill-conditioning)."""


@dataclass(frozen=True)
class LPResult:
    """Result of :func:`solve_batch`.

    ``d`` (B, K) and ``lam`` (B, m) are the primal and dual optima (rows with a status other
    than ``OPTIMAL`` hold zeros); ``basis`` (B, K) holds the active row of each working-set
    position (``-1 - k`` for an artificial row of service ``k``), the final working set, which
    ``warm_start`` of a later call accepts; ``status`` (B,) int64.
    """

    d: torch.Tensor
    lam: torch.Tensor
    basis: torch.Tensor
    status: torch.Tensor

    @property
    def ok(self) -> torch.Tensor:
        """Boolean mask of the instances solved to optimality."""
        return self.status == OPTIMAL


# ----------------------------------------------------------------------------- helpers
#: Problems with at most this many entries in ``h`` (B * m) are solved on one intra-op
#: thread (the caller's setting is restored afterwards). The solver's tensors are small or
#: memory-bound, and multi-threaded kernels (batched LAPACK calls and reductions in
#: particular) on a shared 2-core machine spend milliseconds per call at thread barriers
#: (measured here: 10-1000x slower under load). Larger problems use torch's thread setting.
SINGLE_THREAD_MAX_ENTRIES = 100_000_000


@contextlib.contextmanager
def _threads(n_entries: int):
    old = torch.get_num_threads()
    if n_entries > SINGLE_THREAD_MAX_ENTRIES or old == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _matvec(G: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``G x`` for shared ``G`` (m, n) or batched ``G`` (B, m, n); ``x`` (B, n) -> (B, m)."""
    if G.dim() == 2:
        return x @ G.T
    return torch.bmm(G, x.unsqueeze(-1)).squeeze(-1)


def _bmv(M: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``M_b x_b`` for M (B, n, k) and x (B, k) -> (B, n) (``bmm``: what ``@`` computes, with
    fewer dispatches)."""
    return torch.bmm(M, x.unsqueeze(-1)).squeeze(-1)


def _vbm(x: torch.Tensor, M: torch.Tensor) -> torch.Tensor:
    """``x_b^T M_b`` for x (B, n) and M (B, n, k) -> (B, k)."""
    return torch.bmm(x.unsqueeze(1), M).squeeze(1)


def _take_rows(G: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """Rows ``idx`` (B, n) of shared (m, n) or batched (B, m, n) ``G`` -> (B, n, n)."""
    if G.dim() == 2:
        return G[idx]
    return torch.gather(G, 1, idx.unsqueeze(-1).expand(-1, -1, G.shape[-1]))


def _subset(G: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    return G if G.dim() == 2 else G[idx]


def _extend(G: torch.Tensor) -> torch.Tensor:
    """Append the ``n`` artificial rows ``I`` to ``G`` (shared or batched)."""
    n = G.shape[-1]
    eye = torch.eye(n, dtype=G.dtype, device=G.device)
    if G.dim() == 2:
        return torch.cat([G, eye], 0)
    return torch.cat([G, eye.expand(G.shape[0], n, n)], 1)


def _inv(M: torch.Tensor) -> torch.Tensor:
    """Batched inverse (B, n, n) by LU (LAPACK); a singular matrix gives non-finite or wrong
    entries, which the callers' optimality certificate rejects (never raises)."""
    return torch.linalg.inv_ex(M).inverse


def _solve(M: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``M^{-1} b`` for (B, n, n) and (B, n), with one step of iterative refinement."""
    Mi = _inv(M)
    x = (Mi @ b.unsqueeze(-1)).squeeze(-1)
    r = b - (M @ x.unsqueeze(-1)).squeeze(-1)
    return x + (Mi @ r.unsqueeze(-1)).squeeze(-1)


# ------------------------------------------------------------------- the active-set core
def _col(A: torch.Tensor, j: torch.Tensor) -> torch.Tensor:
    """``A[b, j_b]`` for A (B, n) and j (B,)."""
    return A.gather(1, j.unsqueeze(1)).squeeze(1)


def _active_set(p, G, h, x0, max_iter):
    """Primal active-set simplex on ``max p^T x s.t. G x <= h`` from a feasible ``x0``.

    ``G`` (m, n) or (B, m, n) has unit-norm rows, ``p`` (B, n), ``h`` (B, m), ``x0`` (B, n)
    with ``G x0 <= h``. The working set starts with the ``n`` artificial rows ``x_k = x0_k``.
    Returns ``W`` (B, n), the working set in extended numbering (``m + k`` is the artificial
    row of coordinate ``k``), ``Minv`` (B, n, n) = ``G_W^{-1}`` and a status (B,).

    Every loop iteration does one pivot for every unfinished instance, all in tensor
    operations over the batch; finished instances are masked out, and the working batch is
    compacted to the unfinished ones whenever at most half of it is still pivoting.
    """
    B, n = p.shape
    m = h.shape[1]
    dev, dt = p.device, p.dtype
    W_out = (m + torch.arange(n, device=dev)).expand(B, n).clone()
    Minv_out = torch.eye(n, dtype=dt, device=dev).expand(B, n, n).clone()
    status = torch.zeros(B, dtype=torch.long, device=dev)
    if m == 0:  # no constraint at all: unbounded unless p = 0 (then x0 is optimal)
        status = torch.where(p.abs().amax(1) > 0, UNBOUNDED, OPTIMAL)
        return W_out, Minv_out, status
    gidx = torch.arange(B, device=dev)                          # global index of each working row
    W, Minv = W_out.clone(), Minv_out.clone()
    x = x0.clone()
    slack = (h - _matvec(G, x)).clamp_min(0.0)
    active = torch.ones(B, dtype=torch.bool, device=dev)        # not yet found unbounded
    stuck = torch.zeros(B, n, dtype=torch.bool, device=dev)     # artificial rows that cannot leave
    any_stuck = False
    tiny = torch.finfo(dt).tiny
    pmax = p.abs().amax(1, keepdim=True)                        # (B, 1)
    hscale = torch.maximum(h.abs().amax(1), x0.abs().amax(1)).clamp_min(tiny)
    big = m + 2 * n + 1
    ar_n = torch.arange(n, device=dev)
    n_degenerate = torch.zeros(B, dtype=torch.long, device=dev)  # consecutive zero-length pivots
    lam = p.clone()                                              # lam_W = G_W^{-T} p, W = I
    it = 0
    while True:
        art = W >= m
        tol = _TOL_LAM * torch.maximum(pmax, lam.abs().amax(1, keepdim=True))
        cand_art = art
        if any_stuck:
            cand_art = art & ~stuck.gather(1, (W - m).clamp(0, n - 1))
        cand_real = ~art & (lam < -tol)
        has_art = cand_art.any(1)
        has = (has_art | cand_real.any(1)) & active
        n_has = int(has.sum())
        if n_has == 0:
            break
        if it >= max_iter:
            status[gidx[has]] = NUMERICAL
            break
        if 2 * n_has <= has.numel() and has.numel() > 16:        # compact the working batch
            W_out[gidx], Minv_out[gidx] = W, Minv
            sel = has.nonzero().squeeze(1)
            gidx, W, Minv, x, slack, active, stuck = (t[sel] for t in (gidx, W, Minv, x, slack, active, stuck))
            pmax, hscale, n_degenerate, lam, p, h, x0 = (t[sel] for t in (pmax, hscale, n_degenerate, lam, p, h, x0))
            art, tol, cand_art, cand_real, has_art, has = (t[sel] for t in (art, tol, cand_art, cand_real, has_art, has))
            if G.dim() == 3:
                G = G[sel]
        nb = has.numel()
        it += 1
        if it % max(_REFACTOR_EVERY, n) == 0:                   # limit drift of the updates
            Minv = _inv(_take_rows(_extend(G), W))
            x = (Minv @ torch.cat([h, x0], 1).gather(1, W).unsqueeze(-1)).squeeze(-1)
            slack = (h - _matvec(G, x)).clamp_min(0.0)
            lam = (p.unsqueeze(1) @ Minv).squeeze(1)
        # leaving row: an artificial one first (largest |lam|), then Dantzig (most negative
        # lam); after n zero-length pivots in a row, Bland (smallest row index) until the
        # vertex moves -- no cycling, and the path is a deterministic function of the input
        j_art = torch.where(cand_art, lam.abs(), -1.0).argmax(1)
        j_dantzig = torch.where(cand_real, -lam, -1.0).argmax(1)
        j_bland = torch.where(cand_real, W, big).argmin(1)
        j = torch.where(has_art, j_art, torch.where(n_degenerate >= n, j_bland, j_dantzig))
        u = Minv.gather(2, j.view(nb, 1, 1).expand(nb, n, 1)).squeeze(2)   # G_W^{-1} e_j
        lamj = _col(lam, j)
        isart = _col(art, j)
        tolj = tol.squeeze(1)
        # direction s = sig * u; sig = -1 leaves a real row (G_j s = -1); for an artificial
        # row sig = sign(lam_j) raises the objective; zero-multiplier ones try -1 first
        sig = torch.where(isart & (lamj > tolj), 1.0, -1.0).to(dt)
        q = _matvec(G, u) * sig.unsqueeze(1)                    # G s
        eps = _TOL_Q * u.abs().amax(1, keepdim=True)
        ratio = torch.where(q > eps, slack / q.clamp_min(tiny), torch.inf)
        tmin = ratio.amin(1)
        free = has & isart & (lamj.abs() <= tolj)
        if bool(free.any()):
            try_flip = free & torch.isinf(tmin)
            if bool(try_flip.any()):
                ratio_alt = torch.where(-q > eps, slack / (-q).clamp_min(tiny), torch.inf)
                talt = ratio_alt.amin(1)
                flip = try_flip & torch.isfinite(talt)
                sig = torch.where(flip, -sig, sig)
                q = torch.where(flip.unsqueeze(1), -q, q)
                ratio = torch.where(flip.unsqueeze(1), ratio_alt, ratio)
                tmin = torch.where(flip, talt, tmin)
                new_stuck = try_flip & ~flip                    # a line in the optimal face
                if bool(new_stuck.any()):
                    coord = (_col(W, j) - m).clamp(0, n - 1)
                    stuck |= new_stuck.unsqueeze(1) & (ar_n.unsqueeze(0) == coord.unsqueeze(1))
                    any_stuck = True
        blocked = torch.isfinite(tmin)
        unbounded = has & ~blocked & ~free
        if bool(unbounded.any()):
            status[gidx[unbounded]] = UNBOUNDED
            active &= ~unbounded
        pivot = has & blocked
        # entering row: the smallest index among (near-)minimal ratios (Bland's rule)
        tie = tmin + _TOL_TIE * (tmin.abs() + hscale / u.abs().amax(1).clamp_min(tiny))
        r = (ratio <= tie.unsqueeze(1)).to(torch.int8).argmax(1)
        gr = G[r] if G.dim() == 2 else G[torch.arange(nb, device=dev), r]
        v = (gr.unsqueeze(1) @ Minv).squeeze(1)                 # g_r^T G_W^{-1}
        alpha = torch.where(pivot, _col(v, j), 1.0)
        ej = (ar_n.unsqueeze(0) == j.unsqueeze(1))
        coef = torch.where(pivot.unsqueeze(1), (v - ej.to(dt)) / alpha.unsqueeze(1), 0.0)
        Minv = torch.baddbmm(Minv, u.unsqueeze(2), coef.unsqueeze(1), alpha=-1.0)  # rank-one update
        lam = lam - lamj.unsqueeze(1) * coef                    # = p^T Minv (p^T u = lam_j)
        W = torch.where(pivot.unsqueeze(1) & ej, r.unsqueeze(1), W)
        step = torch.where(pivot, tmin, 0.0)
        zero_step = step <= _TOL_TIE * hscale / u.abs().amax(1).clamp_min(tiny)
        n_degenerate = torch.where(pivot & zero_step, n_degenerate + 1, torch.where(pivot, 0, n_degenerate))
        x = x + (step * sig).unsqueeze(1) * u
        slack = (slack - step.unsqueeze(1) * q).clamp_min(0.0)
    W_out[gidx], Minv_out[gidx] = W, Minv
    return W_out, Minv_out, status


_PREP_CACHE: list = []       # [(weakref to G, (version, address, strides), prepared tuple)], most recent first


class _Shared:
    """Constants derived from a shared ``G`` (m, K), cached with its preprocessing: the
    extended rows ``[G; I]`` (backward pass), ``[Gn; I]`` (final vertex), ``max |G_ij|``
    over the kept rows (certificate scale), the map from original to kept rows, the bound
    rows of every service (:class:`_BoundRows`) and, as NumPy arrays for the compiled dual
    simplex, ``Gn`` (dense and CSR) and the row norms."""

    __slots__ = ("G_ext", "Gn_ext", "gmax", "corner", "kept_of", "kept_np", "bounds", "csr", "scales")

    def __init__(self, G, keep, Gk, Gn, nrm):
        self.G_ext = _extend(G)
        self.Gn_ext = _extend(Gn)
        self.gmax = Gk.abs().amax((-2, -1))
        self.corner = None               # (weakref to p, (version, address, strides), box corner exists)
        dev = G.device
        kept_of = torch.full((G.shape[0],), -1, dtype=torch.long, device=dev)
        kept_of[keep] = torch.arange(keep.numel(), device=dev)
        self.kept_of = kept_of           # original row -> kept row (-1: a zero row, dropped)
        self.kept_np = kept_of.to("cpu").numpy()
        self.bounds = _BoundRows(Gn)
        Gnp = Gn.detach().to("cpu").contiguous().numpy()
        nz = Gnp != 0
        rp = np.zeros(Gnp.shape[0] + 1, dtype=np.int64)
        rp[1:] = np.cumsum(nz.sum(1))
        self.csr = (Gnp, rp, np.nonzero(nz)[1].astype(np.int64), Gnp[nz])   # Gn dense and as CSR
        self.scales = (nrm.detach().to("cpu").contiguous().numpy(), float(self.gmax))   # row norms, max |G_ij|

    def corner_ok(self, p):
        """:meth:`_BoundRows.corner_ok` for a shared ``p`` (K,), cached per ``p`` tensor
        (identity, version counter and storage address, so an in-place change or a replaced
        ``.data`` recomputes it)."""
        c = self.corner
        key = (p._version, p.data_ptr(), p.stride())
        if c is None or c[0]() is not p or c[1] != key:
            c = self.corner = (weakref.ref(p), key, bool(self.bounds.corner_ok(p.unsqueeze(0))[0]))
        return c[2]


class _BoundRows:
    """The rows of a shared, row-normalised ``G`` that bound one service: ``+e_k`` (an upper
    bound ``d_k <= h_r``) and ``-e_k`` (a lower bound ``d_k >= -h_r``). Besides the rows ``I``
    and ``-I`` of eq. (4a), the capacity row of a server or link that only service ``k`` uses
    is one too, and may be the tighter bound. ``cand_ub`` / ``cand_lb`` (K, c) list them per
    service (padded with ``m``; the solver picks the tightest per instance), ``has_ub`` /
    ``has_lb`` (K,) say whether a service has any, ``rowsvc`` / ``rowup`` (m,) give the service
    (-1: not a bound row) and the kind of every row, as NumPy arrays for the solver."""

    __slots__ = ("m", "has_ub", "has_lb", "np")

    def __init__(self, Gn):
        m, K = Gn.shape
        single = (Gn != 0).sum(1) == 1
        rows = torch.arange(m, device=Gn.device).unsqueeze(1)
        cands = []
        for sign in (1.0, -1.0):
            hit = single.unsqueeze(1) & (Gn == sign)                # (m, K)
            c = max(1, int(hit.sum(0).amax())) if m else 1
            cands.append(torch.where(hit, rows, m).sort(dim=0).values[:c].T.contiguous())   # (K, c)
        cand_ub, cand_lb = cands
        self.m = m
        self.has_ub, self.has_lb = cand_ub[:, 0] < m, cand_lb[:, 0] < m
        rowsvc = torch.full((m + 1,), -1, dtype=torch.long, device=Gn.device)
        rowup = torch.zeros(m + 1, dtype=torch.bool, device=Gn.device)
        ar = torch.arange(K, device=Gn.device).unsqueeze(1)
        rowsvc[cand_ub] = ar.expand_as(cand_ub)
        rowsvc[cand_lb] = ar.expand_as(cand_lb)
        rowup[cand_ub] = True
        self.np = tuple(x.to("cpu").contiguous().numpy() for x in (cand_ub, cand_lb, rowsvc[:m], rowup[:m]))

    def corner_ok(self, P):
        """Mask (B,) of the instances whose box corner exists: every service with ``p_k > 0``
        has an upper-bound row, with ``p_k < 0`` a lower-bound row, with ``p_k = 0`` either."""
        return torch.where(P > 0, self.has_ub, torch.where(P < 0, self.has_lb, self.has_ub | self.has_lb)).all(1)


def _cached_prep(G):
    """The cached :func:`_prepare` result of a shared ``G`` (same tensor, same version), or None."""
    if G.dim() == 2 and not G.requires_grad:
        key = (G._version, G.data_ptr(), G.stride())
        for ref, version, out in _PREP_CACHE:
            if ref() is G and version == key:
                return out
    return None


def _prepare(G):
    """Row preprocessing of ``G``: non-zero-row mask and indices, the kept rows, their norms,
    the row-normalised rows and (shared ``G``) the constants of :class:`_Shared`.

    A shared ``G`` is usually a constant of the model (eq. (4a)), so the result is cached
    for the last few ``G`` tensors, keyed by identity (weak reference), version counter,
    storage address and strides: an in-place change of ``G`` (or a replaced ``G.data``)
    invalidates the entry. A cached ``G`` was checked finite when it was cached, so
    :func:`_validate` does not check it again.
    """
    out = _cached_prep(G)
    if out is not None:
        return out
    rowsum = G.abs().sum(-1) if G.dim() == 2 else G.abs().sum(-1).amax(0)
    nzmask = rowsum > 0
    keep = nzmask.nonzero().squeeze(1)
    if keep.numel() < nzmask.numel():
        Gk = G[keep] if G.dim() == 2 else G[:, keep]
    else:
        Gk = G
    nrm = Gk.norm(dim=-1)
    nrm = torch.where(nrm > 0, nrm, 1.0)                         # zero rows of a batched G
    Gn = Gk / nrm.unsqueeze(-1)
    out = (nzmask, keep, Gk, nrm, Gn, _Shared(G, keep, Gk, Gn, nrm) if G.dim() == 2 and keep.numel() else None)
    if G.dim() == 2 and not G.requires_grad:
        _PREP_CACHE.insert(0, (weakref.ref(G), (G._version, G.data_ptr(), G.stride()), out))
        del _PREP_CACHE[4:]
    return out


def _dual_simplex(p, h, max_iter, shared, hk_max, warm=None):
    """Dual simplex on ``max p^T x s.t. G x <= h`` from the box corner or a warm start.

    ``G`` is the shared, row-normalised constraint matrix held by ``shared`` (with its bound
    rows, :class:`_BoundRows`), ``p`` (B, n), ``h`` (B, m) the matching right-hand sides.

    Start. Per instance, each service's bound is its tightest bound row (smallest ``h``). The
    box corner fixes service ``k`` at its upper bound if ``p_k > 0`` and at its lower bound if
    ``p_k < 0`` (``p_k = 0``: the lower one if there is one): ``G_W = diag(+-1)``, its own
    inverse, and ``lam_W = G_W^{-T} p = |p| >= 0``, so it is dual feasible (the caller checked
    that these rows exist). ``warm`` (B, n), original row numbers (:attr:`LPResult.basis`):
    an instance starts there instead if every row exists and is kept and ``G_W`` is
    invertible and dual feasible.

    Pivots. The most violated row ``r`` enters; ``a = g_r^T G_W^{-1}`` (``g_r = sum_k a_k
    g_{W_k}``); the multipliers move along ``lam - t a``. Bound-flipping ratio test: the
    breakpoints ``t = lam_j / a_j`` (``a_j > 0``) are passed in increasing order (ties: position)
    while the violation of ``r`` lasts; passing the breakpoint of a bound row whose service
    has both bounds swaps the row for the opposite one -- the service moves to its other
    bound, the row's multiplier changes sign with the row and stays >= 0 -- and uses up
    ``a_j (u_k - l_k)`` of the violation. The first breakpoint that cannot be passed (a capacity
    row, a one-sided bound, or one that would use up the rest) leaves ``W``; if every one is
    passed the LP is infeasible (Farkas: ``y = e_r - a`` on ``W``). After ``n`` zero-length dual
    steps in a row an instance follows Bland's rule until it moves again (the violated row
    with the smallest index enters, the smallest row index among the near-minimal ratios
    leaves, no flips), which rules out cycling. ``G_W^{-1}`` gets a rank-one update per pivot
    (a flip negates one of its columns) and is refactorised every ``max(64, 2n)`` pivots;
    the vertex moves along the edge (``d + theta G_W^{-1} e_j``) and by
    ``-(u_k - l_k) G_W^{-1} e_k`` per flip.

    End. The vertex and the multipliers are recomputed from ``W`` with one step of iterative
    refinement each and checked (the certificate of :func:`_solve_core`; ``hk_max`` (B,) is
    ``|h|_inf`` of the original rows).

    The loop runs per instance, compiled (:mod:`splitalloc._dual_kernel`, numba), on the
    CPU. Returns ``W``, ``Minv = G_W^{-1}``, a status (``OPTIMAL``, ``INFEASIBLE``, or
    ``NUMERICAL`` where the certificate fails), ``d`` and the multipliers of the original
    rows in ``W`` (zero where not optimal), on the device of ``h``.
    """
    from splitalloc import _dual_kernel as kern

    B, n = p.shape
    dev = h.device
    Gnp, rp, ci, cv = shared.csr
    p_np, h_np, hk_np = (x.detach().to("cpu").contiguous().numpy() for x in (p, h, hk_max))
    if warm is None:
        W_np = np.zeros((B, n), dtype=np.int64)
    else:
        W_np = warm.detach().to("cpu").numpy().astype(np.int64)  # a copy: overwritten
    Minv, d, lam, status, _, _ = kern.solve_dual(
        p_np, Gnp, rp, ci, cv, h_np, W_np, warm is not None, shared.kept_np, *shared.bounds.np, True, int(max_iter),
        max(64, 2 * n), _TOL_Q, _TOL_TIE, _TOL_FEAS, _BFRT_KEEP, _TOL_CHECK, *shared.scales, hk_np)
    return tuple(torch.from_numpy(x).to(dev) for x in (W_np, Minv, status, d, lam))


# ------------------------------------------------------------------------- validation
def _validate(p, G, h):
    for name, t in (("p", p), ("G", G), ("h", h)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"lp_solve: {name} must be a torch.Tensor of dtype float64, got {type(t).__name__}")
        if t.dtype != torch.float64:
            raise TypeError(f"lp_solve: {name} must have dtype torch.float64, got {t.dtype}")
    if h.dim() not in (1, 2):
        raise ValueError(f"lp_solve: h must have shape (B, m) or (m,), got {tuple(h.shape)}")
    unbatched = h.dim() == 1
    h2 = h.unsqueeze(0) if unbatched else h
    B, m = h2.shape
    if G.dim() not in (2, 3):
        raise ValueError(f"lp_solve: G must have shape (m, K) or (B, m, K), got {tuple(G.shape)}")
    if G.shape[-2] != m:
        raise ValueError(f"lp_solve: G has {G.shape[-2]} rows but h has m = {m} entries per instance "
                         f"(G {tuple(G.shape)}, h {tuple(h.shape)})")
    if G.dim() == 3 and G.shape[0] != B:
        raise ValueError(f"lp_solve: batched G has batch size {G.shape[0]} but h has batch size {B}")
    K = G.shape[-1]
    if K < 1:
        raise ValueError(f"lp_solve: G must have at least one column (K >= 1), got shape {tuple(G.shape)}")
    if p.dim() not in (1, 2) or p.shape[-1] != K:
        raise ValueError(f"lp_solve: p must have shape (K,) or (B, K) with K = {K} (columns of G), "
                         f"got {tuple(p.shape)}")
    if p.dim() == 2 and p.shape[0] != B:
        raise ValueError(f"lp_solve: p has batch size {p.shape[0]} but h has batch size {B}")
    # finiteness: min and max of each tensor (NaN propagates), one fused check on one device;
    # a shared G whose preprocessing is cached was checked when it was cached (same identity
    # and version, so an in-place change of G is checked again)
    same_device = p.device == G.device == h.device
    named = [("p", p), ("h", h)] if _cached_prep(G) is not None else [("p", p), ("G", G), ("h", h)]
    named = [(name, t) for name, t in named if t.numel()]
    if named and not (same_device and bool(torch.isfinite(
            torch.stack([x for _, t in named for x in torch.aminmax(t)])).all())):
        for name, t in named:
            if not bool(torch.isfinite(torch.stack(torch.aminmax(t))).all()):
                raise ValueError(f"lp_solve: {name} contains non-finite values (NaN or inf)")
    if not same_device:
        raise ValueError(f"lp_solve: p, G, h must be on one device, got {p.device}, {G.device}, {h.device}")
    return h2, unbatched


# ------------------------------------------------------------------------------ solver
@torch.no_grad()
def solve_batch(p: torch.Tensor, G: torch.Tensor, h: torch.Tensor, *, max_iter: int | None = None,
                method: str = "auto", warm_start: torch.Tensor | None = None) -> LPResult:
    """Solve ``max p^T d s.t. G d <= h`` for a batch, without autograd and without raising.

    Same shapes as :func:`lp_solve` (``h`` must be (B, m)). Returns an :class:`LPResult`
    with a per-instance ``status`` (``OPTIMAL``, ``INFEASIBLE``, ``UNBOUNDED``,
    ``NUMERICAL``): this is the documented flag for batch rows without an optimum; such
    rows hold ``d = 0`` and ``lam = 0``. ``method``: ``"auto"`` (dual simplex from the box
    corner where a shared ``G`` has the bound rows, the primal active-set method
    elsewhere), ``"dual"`` or ``"primal"`` (for tests and comparisons). ``warm_start``: working
    sets to start from (``LPResult.basis`` of an earlier call), see :func:`lp_solve`.
    """
    if isinstance(h, torch.Tensor) and h.dim() != 2:
        raise ValueError(f"solve_batch: h must have shape (B, m), got {tuple(h.shape)}")
    with _threads(h.numel() if isinstance(h, torch.Tensor) else 0):
        h2, _ = _validate(p, G, h)
        warm = _check_warm(warm_start, h2.shape[0], G.shape[-1], h2.device)
        return _solve_core(p, G, h2, max_iter=max_iter, method=method, warm_start=warm)[0]


def _check_warm(warm_start, B, K, device):
    """``warm_start`` as a (B, K) int64 tensor (or None). A wrong type or shape raises; the
    rows themselves are checked by the solver (an unusable working set is a cold start)."""
    if warm_start is None:
        return None
    if not isinstance(warm_start, torch.Tensor) or warm_start.dtype not in (torch.int64, torch.int32):
        got = type(warm_start).__name__ + (f" of dtype {warm_start.dtype}" if isinstance(warm_start, torch.Tensor) else "")
        raise TypeError(f"lp_solve: warm_start must be an integer torch.Tensor (LPResult.basis), got {got}")
    ws = warm_start.unsqueeze(0) if warm_start.dim() == 1 else warm_start
    if tuple(ws.shape) != (B, K):
        raise ValueError(f"lp_solve: warm_start must have shape (B, K) = ({B}, {K}), one working set per "
                         f"instance as returned in LPResult.basis, got {tuple(warm_start.shape)}")
    return ws.to(device=device, dtype=torch.long)


def _dual_result(out, keep, nrm, m, want_lam):
    """:func:`_solve_core`'s outputs for a batch solved entirely by :func:`_dual_simplex`
    (statuses ``OPTIMAL`` or ``INFEASIBLE``; ``d`` and the multipliers already refined and
    certified there)."""
    W, Minv, status, d, lW = out
    B = W.shape[0]
    ok = status == OPTIMAL
    all_ok = bool(ok.all())
    basis = keep[W] if keep.numel() < m else W
    wn = nrm[W]
    if not all_ok:
        basis = torch.where(ok.unsqueeze(1), basis, 0)
        wn = torch.where(ok.unsqueeze(1), wn, 1.0)
        Minv = torch.where(ok.view(-1, 1, 1), Minv, torch.eye(W.shape[1], dtype=d.dtype, device=d.device))
    if want_lam:                                                 # (B, m), zero off the active set
        lam = torch.zeros(B, m, dtype=d.dtype, device=d.device).scatter_add_(1, basis, lW.clamp_min(0.0))
    else:
        lam = torch.zeros(0, dtype=d.dtype, device=d.device)
    return LPResult(d=d + 0.0, lam=lam, basis=basis, status=status), Minv, wn, all_ok


def _solve_core(p, G, h2, *, max_iter=None, want_lam=True, method="auto", warm_start=None):
    """:func:`solve_batch` on validated input (``h2`` is (B, m)).

    Returns the :class:`LPResult` and, for the backward pass, ``Minv`` (B, K, K), the
    inverse of the row-normalised ``G_W``, the norms of the working-set rows and a flag:
    True when every instance is optimal with only real (non-artificial) rows in its basis.
    """
    h = h2
    B, m = h2.shape
    K = G.shape[-1]
    dev, dt = h.device, h.dtype
    P = p.expand(B, K) if p.dim() == 1 else p
    if max_iter is None:
        max_iter = 50 * (m + 2 * K) + 100
    # drop rows that are zero for every instance (eq. (4a): servers/links no service uses),
    # scale the others to unit norm (the LP is unchanged); cached for a shared G
    nzmask, keep, Gk, nrm, Gn, consts = _prepare(G)
    mk = keep.numel()
    status = torch.zeros(B, dtype=torch.long, device=dev)
    clean = True                         # no instance found infeasible so far
    if mk < m and h2.numel() and bool(h2.amin() < 0):          # one pass when h >= 0
        zero_rows = (~nzmask).nonzero().squeeze(1)
        bad0 = (h2[:, zero_rows] < 0).any(1)                     # 0 <= h_i violated
        status = torch.where(bad0, INFEASIBLE, status)
        clean = False
    hk = h2[:, keep] if mk < m else h2
    hn = hk / nrm
    dual = None                          # (instances, W, Minv, status) from the dual simplex
    # 1) dual simplex from the box corner where G has the bound rows (the paper's family)
    if method in ("auto", "dual") and G.dim() == 2 and mk > 0:
        if p.dim() == 1:                                         # one p for the batch
            all_ok = consts.corner_ok(p)
            dual_ok = None                                       # = all_ok for every instance
        else:
            dual_ok = consts.bounds.corner_ok(P)
            all_ok = bool(dual_ok.all())
        if method == "dual" and not all_ok:
            raise ValueError("solve_batch: method='dual' needs rows +e_k / -e_k in G (bounds on d) "
                             "matching the sign of p_k for every service")
        hk_max = hk.abs().amax(1)
        if clean and B and all_ok:                               # every instance (the usual case)
            out = _dual_simplex(P, hn, max_iter, consts, hk_max, warm_start)
            if not bool((out[2] == NUMERICAL).any()):            # done: outputs straight away
                return _dual_result(out, keep, nrm, m, want_lam)
            dual = (None,) + out[:3]
        else:
            if dual_ok is None:
                dual_ok = torch.full((B,), all_ok, dtype=torch.bool, device=dev)
            idx = (dual_ok & status.eq(OPTIMAL)).nonzero().squeeze(1)
            if idx.numel():
                ws = None if warm_start is None else warm_start[idx]
                dual = (idx,) + _dual_simplex(P[idx], hn[idx], max_iter, consts, hk_max[idx], ws)[:3]
    elif method not in ("auto", "dual", "primal"):
        raise ValueError(f"solve_batch: method must be 'auto', 'dual' or 'primal', got {method!r}")
    x0 = torch.zeros(B, K, dtype=dt, device=dev)
    W = torch.full((B, K), mk, dtype=torch.long, device=dev) + torch.arange(K, device=dev)
    Minv = torch.eye(K, dtype=dt, device=dev).expand(B, K, K).clone()
    todo = status == OPTIMAL                                     # instances still to solve
    if dual is not None:
        idx, Wd, Md, sd = dual
        solved = sd != NUMERICAL                                 # else: retry with the primal method
        i_s = idx[solved] if idx is not None else solved.nonzero().squeeze(1)
        W[i_s], Minv[i_s], status[i_s] = Wd[solved], Md[solved], sd[solved]
        todo[i_s] = False
    # 2) primal active-set method (phase 1 first where d = 0 is infeasible)
    need1 = todo & (hn < 0).any(1)
    if bool(need1.any()):
        i1 = need1.nonzero().squeeze(1)
        G1n = _subset(Gn, i1)
        ones_col = torch.ones(*G1n.shape[:-1], 1, dtype=dt, device=dev)
        G1 = torch.cat([G1n, -ones_col], -1)
        trow = torch.zeros(*G1.shape[:-2], 1, K + 1, dtype=dt, device=dev)
        trow[..., 0, K] = -1.0
        G1 = torch.cat([G1, trow], -2)
        r1 = G1.norm(dim=-1, keepdim=True)
        G1 = G1 / r1
        h1 = torch.cat([hn[i1], torch.zeros(i1.numel(), 1, dtype=dt, device=dev)], 1) / r1.squeeze(-1)
        t0 = (-hn[i1]).amax(1).clamp_min(0.0)
        p1 = torch.zeros(i1.numel(), K + 1, dtype=dt, device=dev)
        p1[:, K] = -1.0
        x01 = torch.cat([torch.zeros(i1.numel(), K, dtype=dt, device=dev), t0.unsqueeze(1)], 1)
        W1, _, st1 = _active_set(p1, G1, h1, x01, max_iter)
        x1 = _solve(_take_rows(_extend(G1), W1), torch.cat([h1, x01], 1).gather(1, W1))
        tstar = x1[:, K]
        infeas = (st1 != OPTIMAL) | (tstar > _TOL_CHECK * hn[i1].abs().amax(1))
        status[i1[infeas]] = INFEASIBLE
        todo[i1[infeas]] = False
        x0[i1] = torch.where(infeas.unsqueeze(1), 0.0, x1[:, :K])
    if bool(todo.any()):
        if bool(todo.all()):
            W, Minv, status = _active_set(P, Gn, hn, x0, max_iter)
        else:
            run = todo.nonzero().squeeze(1)
            Wr, Mr, str_ = _active_set(P[run], _subset(Gn, run), hn[run], x0[run], max_iter)
            W[run], Minv[run], status[run] = Wr, Mr, str_
    # final vertex and multipliers, with one step of iterative refinement (eqs. (8a), (4b))
    M = _take_rows(consts.Gn_ext if consts is not None else _extend(Gn), W)
    hW = torch.cat([hn, x0], 1).gather(1, W)
    d = _bmv(Minv, hW)
    d = d + _bmv(Minv, hW - _bmv(M, d))
    lW = _vbm(P, Minv)
    lW = lW + _vbm(P - _vbm(lW, M), Minv)
    art = W >= mk
    wn = torch.where(art, 1.0, torch.cat([nrm, torch.ones_like(x0)], -1).gather(1, W)
                     if nrm.dim() == 2 else torch.cat([nrm, torch.ones(K, dtype=dt, device=dev)]).gather(0, W.reshape(-1)).view(B, K))
    lW = lW / wn                                                 # multipliers of the original rows
    # certificate: primal feasibility, dual feasibility, zero multipliers on artificial rows
    gmax = consts.gmax if consts is not None else (Gk.abs().amax((-2, -1)) if mk else torch.zeros((), dtype=dt, device=dev))
    scale = (hk.abs().amax(1) if mk else torch.zeros(B, dtype=dt, device=dev)) + gmax * d.abs().amax(1)
    viol = ((_matvec(Gk, d) - hk).amax(1) if mk else torch.zeros(B, dtype=dt, device=dev)) \
        > _TOL_CHECK * scale
    ps = _TOL_CHECK * P.abs().amax(1, keepdim=True)
    dual_bad = torch.where(art, lW.abs() > ps, lW < -ps).any(1)
    finite = torch.isfinite(torch.cat([d, lW, Minv.flatten(1)], 1)).all(1)
    bad = (status == OPTIMAL) & (viol | dual_bad | ~finite)
    status = torch.where(bad, NUMERICAL, status)
    ok = status == OPTIMAL
    all_ok = bool(ok.all())
    d = (d if all_ok else torch.where(ok.unsqueeze(1), d, 0.0)) + 0.0   # + 0.0: no negative zeros
    orig = torch.where(art, -1 - (W - mk), keep[W.clamp(max=max(mk - 1, 0))] if mk else W)
    basis = torch.where(ok.unsqueeze(1), orig, 0)
    if want_lam:                                                 # (B, m), zero off the active set
        lam = torch.zeros(B, m, dtype=dt, device=dev)
        lam.scatter_add_(1, torch.where(art, 0, orig), torch.where(ok.unsqueeze(1) & ~art, lW.clamp_min(0.0), 0.0))
    else:
        lam = torch.zeros(0, dtype=dt, device=dev)
    if not all_ok:
        Minv = torch.where(ok.view(-1, 1, 1), Minv, torch.eye(K, dtype=dt, device=dev))
        wn = torch.where(ok.unsqueeze(1), wn, 1.0)
    return LPResult(d=d, lam=lam, basis=basis, status=status), Minv, wn, all_ok and not bool(art.any())


# --------------------------------------------------------------------------- autograd
def _backward_h(G, basis, status, Minv, wn, grad_d, plain=False):
    """``dl/dh``: ``G_A^{-T} dl/dd`` on the active rows, zero elsewhere (eqs. (11)-(12)).

    ``G_A^{-1} = Minv diag(1 / wn)`` (``Minv`` is the inverse of the row-normalised
    ``G_A``); one step of iterative refinement against the original ``G_A``. ``plain``: every
    instance is optimal and ``basis`` holds no artificial row (then no masking is needed).
    """
    B, K = grad_d.shape
    m = G.shape[-2]
    if plain:
        GA = _take_rows(G, basis)                                # G_A (B, K, K)
    else:
        art = basis < 0
        ext = torch.where(art, m + (-1 - basis), basis)          # extended numbering
        prep = _cached_prep(G)
        GA = _take_rows(prep[-1].G_ext if prep is not None else _extend(G), ext)
    y = _vbm(grad_d, Minv) / wn             # eq. (11)
    res = grad_d - _vbm(y, GA)
    y = y + _vbm(res, Minv) / wn
    g = torch.zeros(B, m, dtype=grad_d.dtype, device=grad_d.device)   # contiguous, (B, m)
    if plain:
        g.scatter_add_(1, basis, y)
    else:
        use = (status == OPTIMAL).unsqueeze(1) & ~art
        g.scatter_add_(1, torch.where(art, 0, basis), torch.where(use, y, 0.0))
    return g                                                     # eq. (12)


class _LPFunction(torch.autograd.Function):
    """Forward: :func:`solve_batch`; backward: ``dl/dh_A = G_A^{-T} dl/dd`` (eqs. (11)-(12))."""

    @staticmethod
    def forward(ctx, p, G, h, want_lam, warm):
        ctx.set_materialize_grads(False)           # no (B, m) zero tensors for unused outputs
        res, Minv, wn, ctx.plain = _solve_core(p, G, h, want_lam=want_lam, warm_start=warm)   # inputs validated by lp_solve
        ctx.save_for_backward(G, res.basis, res.status, Minv, wn)
        ctx.mark_non_differentiable(res.lam, res.status, res.basis)
        return res.d, res.lam, res.status, res.basis

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_d, grad_lam, grad_status, grad_basis):
        G, basis, status, Minv, wn = ctx.saved_tensors
        grad_h = None
        if ctx.needs_input_grad[2] and grad_d is not None:
            with _threads(basis.shape[0] * G.shape[-2]):
                grad_h = _backward_h(G, basis, status, Minv, wn, grad_d, ctx.plain)
        return None, None, grad_h, None, None


def lp_solve(p: torch.Tensor, G: torch.Tensor, h: torch.Tensor, *, return_dual: bool = False,
             warm_start: torch.Tensor | None = None, return_basis: bool = False):
    """Batched exact LP layer: ``d* = argmax p^T d s.t. G d <= h`` (eqs. (4)-(5)).

    Parameters
    ----------
    p : torch.Tensor, float64, (K,) or (B, K)
        Unit revenues (eq. (4c)-(4d)); any sign.
    G : torch.Tensor, float64, (m, K) or (B, m, K)
        Constraint matrix; in the paper ``[c; b; I; -I]`` (eq. (4a)).
    h : torch.Tensor, float64, (B, m)  (or (m,), then the outputs have no batch axis)
        Right-hand side; in the paper ``[C; B; D; 0]`` (eq. (4b)). Differentiable.
    return_dual : bool
        Also return the optimal multipliers ``lam`` (B, m) >= 0 (eqs. (7)-(8)).
    warm_start : torch.Tensor, int64, (B, K) (or (K,) with an unbatched ``h``), optional
        A working set per instance to start from: the ``basis`` of an earlier call
        (``return_basis=True``, or :attr:`LPResult.basis`). Used by the dual simplex (shared
        ``G`` with the bound rows of eq. (4a)); elsewhere ignored. An instance whose working
        set is unusable (a row out of range or zero in ``G``, ``G_W`` singular, or not dual
        feasible for ``p``) starts from the box corner; a usable one that is stale (primal
        infeasible for the new ``h``) is repaired by the dual simplex. Either way the result
        is the exact optimum; where the optimum is unique it is the cold solve's ``d``.
    return_basis : bool
        Also return the final working set ``basis`` (B, K), the ``K`` rows of ``G`` (original
        numbers) that fix the vertex, for ``warm_start``.

    Returns
    -------
    d : (B, K) the optimal vertex; then ``lam`` (B, m) if ``return_dual``; then ``basis``
    (B, K) if ``return_basis``.

    Gradients flow to ``h`` only, by implicit differentiation of the KKT conditions
    restricted to the active set (eqs. (9)-(12)): ``dl/dh_A = G_A^{-T} dl/dd`` and zero off
    the active set. **No gradient is returned for ``p`` or ``G``** (treated as zero): the
    optimum is piecewise constant in ``p`` (zero derivative almost everywhere). At a
    degenerate vertex the gradient is that of the working set the solver ends with (see
    the module docstring).

    Raises
    ------
    TypeError / ValueError
        Wrong type, dtype, shape or non-finite values (the message names the argument).
    LPInfeasibleError, LPUnboundedError, LPNumericalError
        Some instance has no optimum; the message lists the batch indices and the error's
        ``status`` attribute holds the per-instance codes. Use :func:`solve_batch` to get
        a status flag per instance instead of an exception.
    """
    with _threads(h.numel() if isinstance(h, torch.Tensor) else 0):
        return _lp_solve(p, G, h, return_dual, warm_start, return_basis)


def _lp_solve(p, G, h, return_dual, warm_start, return_basis):
    h2, unbatched = _validate(p, G, h)
    if G.dim() == 3 and unbatched:
        raise ValueError("lp_solve: batched G (B, m, K) needs batched h (B, m)")
    if p.dim() == 2 and unbatched:
        raise ValueError("lp_solve: batched p (B, K) needs batched h (B, m)")
    warm = _check_warm(warm_start, h2.shape[0], G.shape[-1], h2.device)
    d, lam, status, basis = _LPFunction.apply(p, G, h2, bool(return_dual), warm)
    if (status != OPTIMAL).any():
        for code, exc in ((INFEASIBLE, LPInfeasibleError), (UNBOUNDED, LPUnboundedError),
                          (NUMERICAL, LPNumericalError)):
            bad = (status == code).nonzero().squeeze(1)
            if bad.numel():
                shown = bad[:10].tolist()
                more = f" (and {bad.numel() - 10} more)" if bad.numel() > 10 else ""
                raise exc(f"lp_solve: LP is {STATUS_NAMES[code]} for batch instances {shown}{more} "
                          f"of {status.numel()}; check h (capacities/demands must make G d <= h "
                          f"feasible) and p/G (bounded objective). Use solve_batch() for per-instance "
                          f"status flags.", status)
    if unbatched:
        d, lam, basis = d[0], (lam[0] if return_dual else lam), basis[0]
    out = (d,) + ((lam,) if return_dual else ()) + ((basis,) if return_basis else ())
    return out if len(out) > 1 else d
