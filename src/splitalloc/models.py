"""Traffic predictors and the windowing of arrival series (paper §IV-B-2, Fig. 4).

The prediction module of every framework is the same network: an LSTM (or a bidirectional
LSTM, the paper's "Bi-LSTM" baseline of §V-A) reads a window of the last ``L`` slots of *all*
services' normalised arrivals, shape ``(B, L, K)``, and outputs the next slot's arrivals of
every service, shape ``(B, K)``: LSTM layers, then a linear head. Inputs and outputs are
standardised arrivals (training-period mean and standard deviation per service, see
:mod:`splitalloc.frameworks.training`); the caller maps the output back to volumes and clamps it at 0,
because a traffic volume (the right-hand side ``D_k(t)`` of constraint (1)) cannot be negative.

Windowing is chronological: the series is cut into train / validation / test periods by time
(:func:`split_bounds`) and a sample belongs to the period of its *target* slot. Its input is the
``L`` slots right before the target, i.e. history that the controller has observed at the start
of the target slot (§III-B: ``D_k(t)`` is observed at the end of slot ``t``). Training samples
therefore never contain a validation or test value, while validation and test samples may read
earlier (already observed) slots as input, as a deployed controller would.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class TrafficPredictor(nn.Module):
    """LSTM / Bi-LSTM over a window of all services' past arrivals -> next-slot arrivals.

    Parameters
    ----------
    n_services:
        ``K``, the number of services (input and output width).
    hidden_size:
        width of the LSTM state.
    num_layers:
        stacked LSTM layers (the paper's Fig. 4 cascades cells in time; one layer by default).
    bidirectional:
        ``True`` gives the Bi-LSTM baseline of §V-A: the last hidden states of the forward and
        the backward pass over the window are concatenated before the output layer.
    window_level:
        ``True`` wraps the network in a reversible window-level normalisation (RevIN without
        the affine part; Kim et al., ICLR 2022): the mean ``m`` of each input window (per
        service) is subtracted from the window and added back to the output,
        ``forward(x) = m + W h_L(x - m) + b``. It lets the network follow level shifts between
        the training and the test period (weekday -> weekend) instead of reverting to the
        training level. Whether to use it is chosen on validation
        (:mod:`splitalloc.frameworks.training`, ``input_normalisation``).
    seed:
        seeds the weight initialisation (through a forked RNG, so the global torch RNG is left
        as it was).

    Notes
    -----
    ``forward(x)`` maps ``x`` of shape ``(B, L, K)`` to ``W h_L + b`` of shape ``(B, K)``, the
    predicted (standardised) arrivals ``D̂_k(t)``.
    """

    def __init__(self, n_services: int, hidden_size: int, *, num_layers: int = 1,
                 bidirectional: bool = False, window_level: bool = False, seed: int = 0) -> None:
        super().__init__()
        for name, val in (("n_services", n_services), ("hidden_size", hidden_size),
                          ("num_layers", num_layers)):
            if int(val) != val or val < 1:
                raise ValueError(f"TrafficPredictor: {name} must be a positive integer, got {val!r}")
        self.n_services = int(n_services)
        self.hidden_size = int(hidden_size)
        self.bidirectional = bool(bidirectional)
        self.window_level = bool(window_level)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seed))
            self.lstm = nn.LSTM(self.n_services, self.hidden_size, num_layers=int(num_layers),
                                batch_first=True, bidirectional=self.bidirectional)
            n_dir = 2 if self.bidirectional else 1
            self.head = nn.Linear(n_dir * self.hidden_size, self.n_services)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3 or x.shape[-1] != self.n_services:
            raise ValueError(
                f"TrafficPredictor expects input of shape (B, L, {self.n_services}), got {tuple(x.shape)}"
            )
        level = x.mean(dim=1) if self.window_level else None
        _, (h_n, _) = self.lstm(x if level is None else x - level[:, None, :])
        if self.bidirectional:
            # last layer: forward state after the window, backward state after reading it reversed
            last = torch.cat([h_n[-2], h_n[-1]], dim=-1)
        else:
            last = h_n[-1]
        out = self.head(last)
        return out if level is None else out + level


def split_bounds(n_slots: int, train_fraction: float, val_fraction: float) -> tuple[int, int]:
    """Chronological split of ``n_slots`` slots: returns ``(train_end, val_end)``.

    Train is ``[0, train_end)``, validation ``[train_end, val_end)``, test ``[val_end, n_slots)``.
    Each period gets at least one slot, or a ``ValueError`` says why not.
    """
    if not (0 < train_fraction < 1 and 0 <= val_fraction < 1 and train_fraction + val_fraction < 1):
        raise ValueError(
            f"split fractions must satisfy 0 < train_fraction, 0 <= val_fraction and "
            f"train_fraction + val_fraction < 1; got train_fraction={train_fraction}, "
            f"val_fraction={val_fraction}"
        )
    train_end = int(round(n_slots * train_fraction))
    val_end = int(round(n_slots * (train_fraction + val_fraction)))
    if train_end < 1 or val_end - train_end < (1 if val_fraction > 0 else 0) or n_slots - val_end < 1:
        raise ValueError(
            f"a series of {n_slots} slots is too short for the split "
            f"train/val/test = {train_fraction}/{val_fraction}/{1 - train_fraction - val_fraction}"
        )
    return train_end, val_end


def make_windows(series: np.ndarray, window: int, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples whose target slot lies in ``[start, stop)``.

    ``series`` has shape ``(T, K)``. Returns ``X`` of shape ``(n, L, K)`` with
    ``X[j] = series[t_j - L : t_j]`` and ``y`` of shape ``(n, K)`` with ``y[j] = series[t_j]``,
    for the target slots ``t_j = max(start, L), ..., stop - 1`` (a target needs ``L`` slots of
    history). Inputs only ever precede their target (see the module docstring).
    """
    series = np.asarray(series, dtype=np.float64)
    if series.ndim != 2:
        raise ValueError(f"make_windows: series must have shape (T, K), got {series.shape}")
    T = series.shape[0]
    if int(window) != window or window < 1:
        raise ValueError(f"make_windows: window must be a positive integer, got {window!r}")
    if not (0 <= start <= stop <= T):
        raise ValueError(f"make_windows: need 0 <= start <= stop <= {T}, got start={start}, stop={stop}")
    if window >= stop:
        raise ValueError(
            f"make_windows: window L={window} leaves no target slot in [{start}, {stop}) "
            f"(a target needs L earlier slots)"
        )
    targets = np.arange(max(start, window), stop)
    idx = targets[:, None] + np.arange(-window, 0)[None, :]       # (n, L)
    return series[idx], series[targets]
