"""The dual simplex of :mod:`splitalloc.layer`, compiled with numba (one LP at a time).

Private to :mod:`splitalloc.layer`, which imports it on first use and documents the method
(module docstring, :func:`splitalloc.layer._dual_simplex`). The batch is solved one
instance after another: an instance's working-set inverse (K x K) stays in the processor's
cache for all its pivots, and a pivot costs a few ``O(K^2)`` loops instead of dozens of
batched tensor operations, whose fixed cost dominated at this size (about 10 us each; a
pivot of the vectorised torch version took 40-60 of them). Floating-point operations are
done in a fixed order (no ``fastmath``), so results do not depend on the processor.

Conventions: ``G`` (m, n) holds the kept rows of the LP scaled to unit norm, given densely
and as CSR (``rp``, ``ci``, ``cv``); ``H`` (B, m) the matching right-hand sides; a working
set ``W`` lists ``n`` rows of ``G``; ``Minv`` is ``G_W^{-1}`` (column ``k`` belongs to row
``W[k]``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

OPTIMAL, INFEASIBLE, UNBOUNDED, NUMERICAL = 0, 1, 2, 3


@njit(cache=True)
def _invert(M, out, tol):
    """``out = M^{-1}`` by Gauss-Jordan elimination with partial pivoting (``M`` is
    overwritten). False if a pivot is below ``tol`` (singular for our purpose)."""
    n = M.shape[0]
    for i in range(n):
        for k in range(n):
            out[i, k] = 1.0 if i == k else 0.0
    for c in range(n):
        piv = c
        best = abs(M[c, c])
        for i in range(c + 1, n):
            if abs(M[i, c]) > best:
                best = abs(M[i, c])
                piv = i
        if not best > tol:
            return False
        if piv != c:
            for k in range(n):
                M[c, k], M[piv, k] = M[piv, k], M[c, k]
                out[c, k], out[piv, k] = out[piv, k], out[c, k]
        f = 1.0 / M[c, c]
        for k in range(n):
            M[c, k] *= f
            out[c, k] *= f
        for i in range(n):
            if i != c:
                g = M[i, c]
                if g != 0.0:
                    for k in range(n):
                        M[i, k] -= g * M[c, k]
                        out[i, k] -= g * out[c, k]
    return True


@njit(cache=True)
def _factor(G, W, Minv, M):
    """``Minv = G_W^{-1}`` (``M`` is scratch); False if ``G_W`` is singular."""
    n = W.shape[0]
    gmax = 0.0
    for i in range(n):
        for k in range(n):
            M[i, k] = G[W[i], k]
            gmax = max(gmax, abs(M[i, k]))
    return _invert(M, Minv, 1e-12 * max(gmax, 1e-300))


@njit(cache=True)
def _vertex(Minv, h, W, d):
    """``d = G_W^{-1} h_W``."""
    n = W.shape[0]
    for i in range(n):
        s = 0.0
        for k in range(n):
            s += Minv[i, k] * h[W[k]]
        d[i] = s


@njit(cache=True)
def _multipliers(Minv, p, lam):
    """``lam = G_W^{-T} p``, not clamped: callers read the signs (a warm start whose multipliers
    fall below ``-tol`` is refused) and set negative round-off to 0 themselves."""
    n = p.shape[0]
    for k in range(n):
        s = 0.0
        for i in range(n):
            s += p[i] * Minv[i, k]
        lam[k] = s


@njit(cache=True)
def _slacks(rp, ci, cv, h, d, slack):
    """``slack = h - G d`` (CSR)."""
    m = h.shape[0]
    for i in range(m):
        s = h[i]
        for t in range(rp[i], rp[i + 1]):
            s -= cv[t] * d[ci[t]]
        slack[i] = s


@njit(cache=True)
def _finish(Minv, p, h, W, rp, ci, cv, nrm, gmax, hk_max, tol_check, d, lam, slack, res):
    """Final vertex ``d = G_W^{-1} h_W`` and multipliers ``lam = G_W^{-T} p``, each with one step
    of iterative refinement, ``lam`` divided by the row norms ``nrm[W]`` (the multipliers of
    the original rows), and the optimality certificate: primal feasibility on every row of
    the original ``G`` (``G d - h <= tol (|h|_inf + max|G_ij| |d|_inf)``), dual feasibility
    (``lam >= -tol |p|_inf``) and finiteness. Returns True when it holds."""
    n = p.shape[0]
    _vertex(Minv, h, W, d)
    for k in range(n):                               # residual h_W - G_W d
        r = W[k]
        s = h[r]
        for t in range(rp[r], rp[r + 1]):
            s -= cv[t] * d[ci[t]]
        res[k] = s
    for i in range(n):
        s = 0.0
        for k in range(n):
            s += Minv[i, k] * res[k]
        d[i] += s
    _multipliers(Minv, p, lam)
    for i in range(n):                               # residual p - G_W^T lam
        res[i] = p[i]
    for k in range(n):
        r = W[k]
        for t in range(rp[r], rp[r + 1]):
            res[ci[t]] -= cv[t] * lam[k]
    for k in range(n):
        s = 0.0
        for i in range(n):
            s += res[i] * Minv[i, k]
        lam[k] += s
    ok = True
    pmax = 0.0
    dmax = 0.0
    for i in range(n):
        pmax = max(pmax, abs(p[i]))
        dmax = max(dmax, abs(d[i]))
        if not (np.isfinite(d[i]) and np.isfinite(lam[i])):
            ok = False
    for k in range(n):
        lam[k] /= nrm[W[k]]
        if lam[k] < -tol_check * pmax:
            ok = False
    _slacks(rp, ci, cv, h, d, slack)
    lim = tol_check * (hk_max + gmax * dmax)
    for i in range(h.shape[0]):
        if -slack[i] * nrm[i] > lim:
            ok = False
    return ok


@njit(cache=True)
def _bounds(cand, h, out):
    """Per service the candidate row with the smallest ``h`` (the tightest bound), or ``m``."""
    m = h.shape[0]
    for k in range(cand.shape[0]):
        best = m
        for c in range(cand.shape[1]):
            r = cand[k, c]
            if r < m and (best == m or h[r] < h[best]):
                best = r
        out[k] = best


@njit(cache=True)
def solve_dual(P, G, rp, ci, cv, H, W, warm, kept_of, cand_ub, cand_lb, rowsvc, rowup, bfrt,
               max_iter, refactor, tol_q, tol_tie, tol_feas, bfrt_keep, tol_check, nrm, gmax, hk_max):
    """Dual simplex for every instance of the batch, then its final vertex and certificate.

    Bound rows: ``cand_ub`` / ``cand_lb`` (n, c) list the rows ``+e_k`` / ``-e_k`` of each
    service (padded with ``m``); per instance the tightest of each kind (smallest ``h``) is
    the service's bound, and ``rowsvc`` / ``rowup`` (m,) give the service and kind of every
    such row (-1: not a bound row), for the flip partner. The box corner (the start) fixes
    service ``k`` at its upper bound if ``p_k > 0``, at its lower bound if ``p_k < 0`` or
    ``p_k = 0`` (the upper one if there is no lower one); the caller has checked that these
    rows exist. ``W`` (B, n): with ``warm`` True, warm starts in the original row numbers
    (``kept_of`` maps them to rows of ``G``, -1 for a dropped row), each used if every row is
    in range and kept, ``G_W`` is invertible and dual feasible (``lam >= -tol_check |p|_inf``),
    else the box corner; overwritten with the final working sets (rows of ``G``). ``bfrt``:
    the bound-flipping ratio test (see :func:`splitalloc.layer._dual_simplex`). ``nrm`` (m,):
    the norms of the original rows,
    ``gmax`` their largest entry, ``hk_max`` (B,) ``|h|_inf`` of the original rows (for the
    certificate of :func:`_finish`). Returns ``Minv`` (B, n, n), the final ``d`` (B, n) and
    ``lam`` (B, n) (multipliers of the original rows in ``W``), ``status`` (B,)
    (``NUMERICAL`` where the certificate fails), the number of pivots (B,) and whether the
    warm start was used (B,).
    """
    B, n = P.shape
    m = G.shape[0]
    Mout = np.empty((B, n, n))
    Dout = np.empty((B, n))
    Lout = np.empty((B, n))
    status = np.zeros(B, np.int64)
    pivots = np.zeros(B, np.int64)
    warm_ok = np.zeros(B, np.bool_)
    a = np.empty(n)
    u = np.empty(n)
    coef = np.empty(n)
    ratio = np.empty(n)
    slack = np.empty(m)
    scratch = np.empty((n, n))
    order = np.empty(n, np.int64)
    res = np.empty(n)
    ub = np.empty(n, np.int64)
    lb = np.empty(n, np.int64)
    for b in range(B):
        h = H[b]
        p = P[b]
        Wb = W[b]
        Minv = Mout[b]
        d = Dout[b]
        lam = Lout[b]
        pmax = 0.0
        for k in range(n):
            pmax = max(pmax, abs(p[k]))
        hmax = 0.0
        for i in range(m):
            hmax = max(hmax, abs(h[i]))
        _bounds(cand_ub, h, ub)
        _bounds(cand_lb, h, lb)
        started = False
        usable = warm
        if warm:                                     # original row numbers -> rows of G
            m0 = kept_of.shape[0]
            for k in range(n):
                r = Wb[k]
                if r < 0 or r >= m0 or kept_of[r] < 0:
                    usable = False
                else:
                    Wb[k] = kept_of[r]
        if usable:
            if _factor(G, Wb, Minv, scratch):
                _multipliers(Minv, p, lam)
                ok = True
                for k in range(n):
                    if not lam[k] >= -tol_check * pmax:
                        ok = False
                if ok:
                    started = True
                    warm_ok[b] = True
        if not started:                              # the box corner: G_W = diag(+-1)
            for k in range(n):
                low = p[k] < 0.0 or (p[k] == 0.0 and lb[k] < m)
                Wb[k] = lb[k] if low else ub[k]
            for i in range(n):
                for k in range(n):
                    Minv[i, k] = 0.0
            for k in range(n):
                r = Wb[k]
                for t in range(rp[r], rp[r + 1]):
                    Minv[ci[t], k] = cv[t]
            _multipliers(Minv, p, lam)
        for k in range(n):
            if lam[k] < 0.0:
                lam[k] = 0.0
        _vertex(Minv, h, Wb, d)
        nftol = -tol_feas * hmax
        ndeg = 0
        it = 0
        since = 0
        while True:
            _slacks(rp, ci, cv, h, d, slack)
            bland = ndeg >= n
            r = -1
            smin = nftol
            for i in range(m):
                if slack[i] < smin:
                    smin = slack[i]
                    r = i
                    if bland:                        # Bland: the first violated row
                        break
            if r < 0:
                break
            if it >= max_iter:
                status[b] = NUMERICAL
                break
            it += 1
            since += 1
            if since >= refactor:                    # limit the drift of the updates
                since = 0
                if _factor(G, Wb, Minv, scratch):
                    _multipliers(Minv, p, lam)
                    for k in range(n):
                        if lam[k] < 0.0:
                            lam[k] = 0.0
                    _vertex(Minv, h, Wb, d)
                    _slacks(rp, ci, cv, h, d, slack)
                    smin = slack[r]
                    if not smin < nftol:
                        continue
                else:
                    status[b] = NUMERICAL
                    break
            # a = g_r^T G_W^{-1}: g_r = sum_k a_k g_{W_k}
            for k in range(n):
                a[k] = 0.0
            for t in range(rp[r], rp[r + 1]):
                g = cv[t]
                row = ci[t]
                for k in range(n):
                    a[k] += g * Minv[row, k]
            amax = 0.0
            lmax = 0.0
            for k in range(n):
                amax = max(amax, abs(a[k]))
                lmax = max(lmax, lam[k])
            eps = tol_q * amax
            j = -1
            tmin = np.inf
            for k in range(n):
                if a[k] > eps:
                    ratio[k] = lam[k] / a[k]
                    if ratio[k] < tmin:
                        tmin = ratio[k]
                        j = k
                else:
                    ratio[k] = np.inf
            if j < 0:                                # Farkas: y = e_r - a on W
                status[b] = INFEASIBLE
                break
            if bland:                                # smallest row index among near-ties
                tie = tmin + tol_tie * (tmin + lmax / amax)
                best = m + 1
                for k in range(n):
                    if ratio[k] <= tie and Wb[k] < best:
                        best = Wb[k]
                        j = k
                tmin = ratio[j]
            elif bfrt:
                # bound flipping: pass breakpoints in increasing order (ties: position) while
                # the violation of r is not used up
                nf = 0
                for k in range(n):
                    if ratio[k] < np.inf:
                        order[nf] = k
                        nf += 1
                for q in range(1, nf):               # insertion sort by (ratio, position)
                    k = order[q]
                    v = ratio[k]
                    s = q - 1
                    while s >= 0 and ratio[order[s]] > v:
                        order[s + 1] = order[s]
                        s -= 1
                    order[s + 1] = k
                delta = -(1.0 - bfrt_keep) * smin
                cum = 0.0
                stop = -1
                for q in range(nf):
                    k = order[q]
                    r2 = Wb[k]
                    c = rowsvc[r2]                   # a bound row of service c with both bounds?
                    if c < 0 or ub[c] == m or lb[c] == m:
                        stop = q
                        break
                    cum += a[k] * (h[r2] + h[lb[c] if rowup[r2] else ub[c]])
                    if cum >= delta:
                        stop = q
                        break
                if stop < 0:                         # every breakpoint passed: infeasible
                    status[b] = INFEASIBLE
                    break
                j = order[stop]
                tmin = ratio[j]
                for q in range(stop):                # the passed ones move to the other bound
                    k = order[q]
                    r2 = Wb[k]
                    c = rowsvc[r2]
                    r3 = lb[c] if rowup[r2] else ub[c]   # the opposite bound row
                    w = h[r2] + h[r3]
                    for i in range(n):               # d -= (u_c - l_c) * G_W^{-1} e_k
                        d[i] -= w * Minv[i, k]
                        Minv[i, k] = -Minv[i, k]
                    smin += a[k] * w                 # the flip uses up a_k (u_c - l_c) of the violation
                    Wb[k] = r3
                    lam[k] = -lam[k]
                    a[k] = -a[k]
            # pivot: r replaces W[j]; primal step along column j, dual step tmin
            aj = a[j]
            for i in range(n):
                u[i] = Minv[i, j]
            theta = smin / aj                        # g_r (d + theta u) = h_r
            for i in range(n):
                d[i] += theta * u[i]
            for k in range(n):
                coef[k] = a[k] / aj
            coef[j] -= 1.0 / aj
            for i in range(n):
                ui = u[i]
                if ui != 0.0:
                    for k in range(n):
                        Minv[i, k] -= ui * coef[k]
            t = lam[j] / aj
            for k in range(n):
                v = lam[k] - t * a[k]
                lam[k] = v if v > 0.0 else 0.0
            lam[j] = t
            Wb[j] = r
            pivots[b] += 1
            ndeg = ndeg + 1 if t <= 0.0 else 0
        if status[b] == OPTIMAL:
            if not _finish(Minv, p, h, Wb, rp, ci, cv, nrm, gmax, hk_max[b], tol_check, d, lam, slack, res):
                status[b] = NUMERICAL
        else:
            for k in range(n):
                d[k] = 0.0
                lam[k] = 0.0
    return Mout, Dout, Lout, status, pivots, warm_ok
