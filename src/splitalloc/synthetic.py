"""Seeded synthetic arrival series fitted to a real one, for horizons longer than the data.

The real series are short (GEANT subset: 322 slots of 15 min; Kaggle: 92 days), while the
paper evaluates over 700 slots (§V-B, §V-C). This module fits a small multiplicative model to a real
``D_k(t)`` frame (from :func:`splitalloc.data.service_arrivals`) and draws new series from it.
Its output is always labelled synthetic (``attrs["synthetic"] = True`` and the dataset name
ends in ``-synthetic``); nothing in the package substitutes it for real data silently.

Model, per service k (all fitted on ``log D``; slots with ``D = 0`` are drawn as zeros with
the observed frequency)::

    log D_k(t) = mu_k + P_k[t mod period] + W_k[(t // period) mod (weekly / period)] + X_k(t) + J_k(t)

* ``P_k``: the periodic (daily) profile, median of the log series per phase, centred and
  lightly smoothed (circular moving average);
* ``W_k``: a weekly factor, only when asked for (``weekly_slots``) and the series spans at least
  two weeks;
* ``X_k``: AR(1) noise, ``X(t) = phi_k X(t-1) + a(t)``, innovations correlated across services
  (their empirical correlation matrix), variance chosen so that ``X`` has the residuals' variance;
* ``J_k``: bursts. A residual that exceeds the rolling median of its neighbourhood (5 slots,
  centred) by more than ``spike_z`` robust standard deviations is a burst: short bursts count,
  level episodes lasting hours do not (they belong to ``X_k``). The burst rate is kept, and burst
  sizes (excess over the neighbourhood, in log) are drawn by resampling the observed ones.
  Bursts are excluded when the noise is fitted.

Same seed, same numbers: every draw comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.signal import lfilter

#: Robust z-score above which a residual counts as a burst.
SPIKE_Z = 3.5
#: Half-width (slots) of the rolling median that a burst is measured against.
SPIKE_HALF_WIDTH = 2
_MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class ServiceFit:
    """Fitted parameters of one service (log domain)."""

    name: str
    mu: float                      # mean log level
    profile: np.ndarray            # (period,) centred periodic profile
    weekly: np.ndarray             # (n_days,) centred weekly factor, or (1,) zeros
    phi: float                     # AR(1) coefficient of the noise, in [0, 0.98]
    sigma: float                   # stationary standard deviation of the noise
    spike_rate: float              # fraction of slots that are bursts
    spike_sizes: np.ndarray        # observed burst excesses (log), resampled when drawing
    zero_prob: float               # fraction of slots with exactly zero arrivals
    cap: float                     # upper bound of a draw (inf: none), as the real series was capped


@dataclass(frozen=True)
class SyntheticModel:
    """A fitted generator; :meth:`sample` draws a labelled synthetic frame."""

    services: tuple[ServiceFit, ...]
    period_slots: int
    weekly_slots: int | None
    innovation_corr: np.ndarray    # (K, K) correlation of the AR innovations across services
    freq: pd.Timedelta
    start_after: pd.Timestamp      # last timestamp of the fitted series
    n_fitted: int                  # slots in the fitted series (phase continues after it)
    source_attrs: dict = field(default_factory=dict, repr=False)

    @property
    def columns(self) -> list[str]:
        return [s.name for s in self.services]

    def describe(self) -> pd.DataFrame:
        """One row per service: level, profile amplitude, noise, bursts (for the book)."""
        rows = []
        for s in self.services:
            rows.append({
                "service": s.name, "mean_level": float(np.exp(s.mu)),
                "profile_peak_to_trough": float(np.exp(s.profile.max() - s.profile.min())),
                "weekly_peak_to_trough": float(np.exp(s.weekly.max() - s.weekly.min())),
                "ar1_phi": s.phi, "noise_sigma_log": s.sigma, "spike_rate": s.spike_rate,
                "spike_median_multiplier": float(np.exp(np.median(s.spike_sizes))) if len(s.spike_sizes) else np.nan,
                "zero_prob": s.zero_prob,
            })
        return pd.DataFrame(rows).set_index("service")

    def sample(self, n_slots: int, *, seed) -> pd.DataFrame:
        """Draw ``n_slots`` slots continuing after the fitted series (same seed, same numbers).

        Returns a float64 frame with the fitted columns, a regular time index starting one slot
        after the real series, and ``attrs`` with ``synthetic = True``, ``dataset =
        "<name>-synthetic"``, ``seed``, and the real files it was fitted to.
        """
        if isinstance(n_slots, bool) or not isinstance(n_slots, (int, np.integer)) or n_slots < 1:
            raise ValueError(f"n_slots must be a positive integer, got {n_slots!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.Generator)):
            raise TypeError(f"seed must be an int or numpy Generator, got {type(seed).__name__}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(int(seed))
        n, K = int(n_slots), len(self.services)
        t = self.n_fitted + np.arange(n)
        # correlated AR(1) innovations, eq.: X(t) = phi X(t-1) + a(t)
        L = np.linalg.cholesky(self.innovation_corr + 1e-12 * np.eye(K))
        z = rng.standard_normal((n, K)) @ L.T
        x0 = rng.standard_normal(K)
        u_spike = rng.random((n, K))
        u_zero = rng.random((n, K))
        out = np.empty((n, K))
        for k, s in enumerate(self.services):
            innov_sd = s.sigma * np.sqrt(1.0 - s.phi ** 2)
            a = innov_sd * z[:, k]
            x, _ = lfilter([1.0], [1.0, -s.phi], a, zi=[s.phi * s.sigma * x0[k]])
            log_d = s.mu + s.profile[t % self.period_slots] + x
            if self.weekly_slots is not None:
                days = self.weekly_slots // self.period_slots
                log_d = log_d + s.weekly[(t // self.period_slots) % days]
            spikes = u_spike[:, k] < s.spike_rate
            if spikes.any() and len(s.spike_sizes):
                log_d[spikes] += rng.choice(s.spike_sizes, size=int(spikes.sum()))
            d = np.exp(log_d)
            d = np.minimum(d, s.cap)
            d[u_zero[:, k] < s.zero_prob] = 0.0
            out[:, k] = d
        index = pd.date_range(self.start_after + self.freq, periods=n, freq=self.freq, name="time")
        df = pd.DataFrame(out, index=index, columns=pd.Index(self.columns, name="service"), dtype=np.float64)
        base = self.source_attrs.get("dataset", "unknown")
        df.attrs = {
            "dataset": f"{base}-synthetic", "synthetic": True,
            "unit": self.source_attrs.get("unit", "Mb/slot"), "slot": self.source_attrs.get("slot"),
            "seed": None if isinstance(seed, np.random.Generator) else int(seed),
            "fitted_to": base, "files": dict(self.source_attrs.get("files", {})),
            "generator": f"splitalloc.synthetic (period {self.period_slots}, weekly {self.weekly_slots})",
        }
        return df


def _robust_sd(x: np.ndarray) -> float:
    mad = float(np.median(np.abs(x - np.median(x))))
    return _MAD_TO_SD * mad if mad > 0 else float(np.std(x))


def _smooth_circular(x: np.ndarray, width: int) -> np.ndarray:
    """Centred circular moving average of ``x`` over ``width`` slots (identity for width 1)."""
    if width <= 1:
        return x
    kernel = np.ones(width) / width
    pad = np.concatenate([x[-width:], x, x[:width]])
    sm = np.convolve(pad, kernel, mode="same")[width:-width]
    return sm - sm.mean()


def _phase_median(values: np.ndarray, phase: np.ndarray, n_phase: int, name: str) -> np.ndarray:
    prof = np.zeros(n_phase)
    for j in range(n_phase):
        v = values[(phase == j) & np.isfinite(values)]
        prof[j] = np.median(v) if len(v) else np.nan
    if np.isnan(prof).any():
        raise ValueError(f"service {name!r}: some phases have no positive value to fit the profile")
    return prof - prof.mean()


def fit_synthetic(arrivals: pd.DataFrame, *, period_slots: int, weekly_slots: int | None = None,
                  spike_z: float = SPIKE_Z, profile_smooth_slots: int | None = None) -> SyntheticModel:
    """Fit the generator to a real arrival frame (rows: regular time slots, columns: services).

    ``period_slots``: length of the periodic profile in slots (96 for one day of 15-min GEANT
    slots; 7 for a weekly profile on the daily Kaggle series). ``weekly_slots``: optional
    weekly period in slots (672 on GEANT), used only if the series spans at least two of them.
    ``profile_smooth_slots``: width of the circular moving average applied to the profile
    (default ``period_slots // 24``: one hour on GEANT, none on a 7-day profile), because a
    3-day series gives only 3 samples per phase. If the real series was capped
    (``attrs["cap_median_multiple"]``, see :func:`splitalloc.data.service_arrivals`), draws are
    capped at the same multiple of the real median.
    """
    if not isinstance(arrivals, pd.DataFrame):
        raise TypeError(f"arrivals must be a pandas DataFrame, got {type(arrivals).__name__}")
    if arrivals.attrs.get("synthetic"):
        raise ValueError("arrivals are already synthetic; fit the generator to a real series "
                         "(splitalloc.data.service_arrivals)")
    if arrivals.empty or arrivals.shape[1] == 0:
        raise ValueError("arrivals frame is empty")
    if isinstance(period_slots, bool) or not isinstance(period_slots, (int, np.integer)) or period_slots < 2:
        raise ValueError(f"period_slots must be an integer >= 2, got {period_slots!r}")
    n, K = arrivals.shape
    if n < 2 * period_slots:
        raise ValueError(f"period_slots={period_slots} needs at least {2 * period_slots} slots to fit; "
                         f"the series has {n}")
    if not isinstance(arrivals.index, pd.DatetimeIndex) or n < 2:
        raise ValueError("arrivals must have a DatetimeIndex with at least two slots")
    steps = np.diff(arrivals.index)
    if not (steps == steps[0]).all() or steps[0] <= pd.Timedelta(0):
        raise ValueError("arrivals' time index must be regular and increasing (one slot per row)")
    values = arrivals.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError("arrivals contain NaN or infinite values")
    if (values < 0).any():
        raise ValueError("arrivals contain negative values")
    if weekly_slots is not None:
        if (isinstance(weekly_slots, bool) or not isinstance(weekly_slots, (int, np.integer))
                or weekly_slots <= period_slots or weekly_slots % period_slots):
            raise ValueError(f"weekly_slots must be a multiple of period_slots={period_slots} above it, "
                             f"got {weekly_slots!r}")
        if n < 2 * weekly_slots:
            weekly_slots = None     # too short for a weekly factor: documented, not an error
    if not 0 < spike_z:
        raise ValueError(f"spike_z must be positive, got {spike_z}")
    smooth = max(1, period_slots // 24) if profile_smooth_slots is None else int(profile_smooth_slots)
    if smooth < 1 or smooth > period_slots:
        raise ValueError(f"profile_smooth_slots must be in 1..{period_slots}, got {profile_smooth_slots!r}")
    cap_multiple = arrivals.attrs.get("cap_median_multiple")

    t = np.arange(n)
    phase = t % period_slots
    fits, residuals = [], []
    for k, name in enumerate(arrivals.columns):
        d = values[:, k]
        pos = d > 0
        if pos.sum() < 2 * period_slots:
            raise ValueError(f"service {name!r}: too few positive slots ({int(pos.sum())}) to fit")
        y = np.where(pos, np.log(np.where(pos, d, 1.0)), np.nan)
        mu = float(np.nanmean(y))
        profile = _smooth_circular(_phase_median(y - mu, phase, period_slots, str(name)), smooth)
        e = y - mu - profile[phase]
        if weekly_slots is not None:
            n_days = weekly_slots // period_slots
            day = (t // period_slots) % n_days
            weekly = _phase_median(e, day, n_days, str(name))
            e = e - weekly[day]
        else:
            weekly = np.zeros(1)
        # bursts stand out from their neighbours, not from the series: compare each residual
        # with the centred rolling median of its 2*SPIKE_HALF_WIDTH neighbours, so that a level
        # episode of several hours (GEANT west, 2005-05-07 02:00-06:00) stays in the AR noise
        local = pd.Series(e).rolling(2 * SPIKE_HALF_WIDTH + 1, center=True, min_periods=1).median()
        jump = e - local.to_numpy()
        jv = jump[np.isfinite(jump)]
        med, rsd = float(np.median(jv)), _robust_sd(jv)
        spike = np.isfinite(jump) & (jump - med > spike_z * rsd) if rsd > 0 else np.zeros(n, bool)
        spike_sizes = (jump[spike] - med).astype(np.float64)
        calm = np.where(np.isfinite(e) & ~spike, e, np.nan)
        calm_mean = float(np.nanmean(calm))
        c = np.nan_to_num(calm - calm_mean)            # gaps (zeros, spikes) at the mean
        sigma = float(np.nanstd(calm))
        denom = float(np.dot(c, c))
        phi = float(np.clip(np.dot(c[1:], c[:-1]) / denom, 0.0, 0.98)) if denom > 0 else 0.0
        fits.append(ServiceFit(
            name=str(name), mu=mu + calm_mean, profile=profile, weekly=weekly, phi=phi, sigma=sigma,
            spike_rate=float(spike.mean()), spike_sizes=spike_sizes, zero_prob=float((~pos).mean()),
            cap=float(cap_multiple * np.median(d)) if cap_multiple is not None else float("inf"),
        ))
        innov = c[1:] - phi * c[:-1]
        residuals.append(innov / (innov.std() if innov.std() > 0 else 1.0))
    corr = np.corrcoef(np.vstack(residuals)) if K > 1 else np.ones((1, 1))
    corr = np.nan_to_num(corr, nan=0.0)
    np.fill_diagonal(corr, 1.0)
    # nearest positive semi-definite correlation (clip eigenvalues) for a safe Cholesky
    w, V = np.linalg.eigh(corr)
    corr = (V * np.clip(w, 1e-9, None)) @ V.T
    dsq = np.sqrt(np.diag(corr))
    corr = corr / np.outer(dsq, dsq)
    return SyntheticModel(
        services=tuple(fits), period_slots=int(period_slots), weekly_slots=weekly_slots,
        innovation_corr=corr, freq=pd.Timedelta(steps[0]),
        start_after=arrivals.index[-1], n_fitted=n, source_attrs=dict(arrivals.attrs),
    )
