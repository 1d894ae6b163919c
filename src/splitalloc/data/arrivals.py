"""The per-service arrival series ``D_k(t)`` of the paper (§III-B, the bound ``d_k <= D_k`` of eq. (1)).

The paper maps network traffic to its three services (§V-A: AlexNet, VGG, FACE) without saying
how; this module holds our rule, one function per dataset kind and one public entry point,
:func:`service_arrivals`. Every parameter of the rule is read from :mod:`splitalloc.config` in
that entry point only (unless passed) and reaches the code that uses it as an argument:

=============================  =====================================  ===========================
parameter                      config default                         used by
=============================  =====================================  ===========================
``mean_arrival``               ``service_mean_arrival``               :func:`preprocess` (rescale)
``cap_median_multiple``        ``arrival_cap_median_multiple``        :func:`preprocess` (cap)
``sources``                    ``geant_service_sources``              GEANT node groups
(Kaggle groups)                ``kaggle_service_workstations``        Kaggle workstation blocks
(service names)                ``service_names``                      column order
(slot length)                  ``geant_slot_seconds``                 Mbit/s -> Mb per slot
(training period)              ``train_fraction``                     :func:`training_slots`
                                                                      (unless ``fit_slots=``)
=============================  =====================================  ===========================

The loaders below the rule read the format assumptions of their files themselves:
``geant_slot_minutes`` (the 15-min grid of the SNDlib and week files) and, as defaults of
:func:`~splitalloc.data.geant_week.read_week_hist`'s ``node_ids``/``start``,
``geant_week_node_order`` and ``geant_week_nominal_start``.

:func:`load_geant_traffic` picks one of the three GEANT series by variant (``"week"``,
``"subset"``, ``"full"``; the datasets ``"geant"``, ``"geant-may"``, ``"geant-full"``).
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import config
from .files import DataFormatError
from .geant_sndlib import load_geant_full, load_geant_subset
from .geant_week import load_geant_week
from .kaggle import load_kaggle

log = logging.getLogger(__name__)

#: The GEANT datasets and the variant of :func:`load_geant_traffic` each reads: ``geant``, the
#: 677-slot week (headline real series); ``geant-may``, the 324-slot SNDlib subset of May 2005
#: (a second real GEANT series); ``geant-full``, the 4-month archive.
GEANT_VARIANTS = {"geant": "week", "geant-may": "subset", "geant-full": "full"}
#: Every dataset :func:`service_arrivals` accepts.
DATASETS = (*GEANT_VARIANTS, "kaggle")

_GEANT_LOADERS = {"week": load_geant_week, "subset": load_geant_subset, "full": load_geant_full}


def load_geant_traffic(variant: str = "subset", data_dir=None, *, progress: bool = False) -> pd.DataFrame:
    """GEANT traffic matrices (TOTEM/Uhlig via SNDlib), Mbit/s per ordered node pair and 15-min slot.

    ``variant="week"``: the 677 contiguous slots of one week (DOTE/FIGRET ``.hist``, read by
    :func:`splitalloc.data.geant_week.read_week_hist`; node order and calendar are assumptions
    recorded in ``attrs``). ``variant="subset"``: the 324 contiguous slots 2005-05-04 15:00 ..
    05-07 23:45 (the tarball in the data directory, or the 324 upstream files downloaded one by
    one). ``variant="full"``: SNDlib's ``directed-geant-uhlig-15min-over-4months-ALL`` archive
    (about 11,460 matrices with breaks; its sha256 is unknown here, so it is logged and
    recorded, not checked). Slots that the archive lacks are not invented:
    ``attrs["missing_slots"]`` counts them and ``attrs["empty_slots"]`` lists slots whose file
    lists no demand (the subset's first two). ``attrs["dataset"]`` is the dataset name
    (:data:`GEANT_VARIANTS`) and ``attrs["files"]`` maps each file read to its sha256.
    """
    if variant not in _GEANT_LOADERS:
        raise ValueError(f"variant must be 'week', 'subset' or 'full', got {variant!r}")
    return _GEANT_LOADERS[variant](data_dir, progress=progress)


# ------------------------------------------------------------------- raw series per dataset


def _geant_raw(tm: pd.DataFrame, names: Sequence[str], groups: Sequence[Sequence[str]],
               slot_seconds: float) -> tuple[pd.DataFrame, dict]:
    """Mb per slot originating at each service's group of SNDlib nodes (Mbit/s x ``slot_seconds``),
    summed over destinations; empty slots at the edges dropped, interior ones interpolated."""
    nodes = set(tm.columns.get_level_values("source"))
    by_src = tm.T.groupby(level="source").sum().T   # Mbit/s originating at each node
    raw = pd.DataFrame(index=tm.index)
    for name, group in zip(names, groups):
        unknown = sorted(set(group) - nodes)
        if unknown:
            raise DataFormatError(f"{tm.attrs['files']}: nodes {unknown} of service {name} not in the traffic data")
        raw[name] = by_src[list(group)].sum(axis=1) * slot_seconds
    empty = pd.Series(tm.to_numpy().sum(axis=1) == 0, index=tm.index)
    return trim_and_fill(raw, empty, "15min")


def _kaggle_raw(kg: pd.DataFrame, names: Sequence[str],
                groups: Sequence[Sequence[int]]) -> tuple[pd.DataFrame, dict]:
    """Daily flow count of each service's block of workstations; days without rows count as 0."""
    per_ws = kg.pivot_table(index="date", columns="l_ipn", values="f", aggfunc="sum", fill_value=0)
    grid = pd.date_range(per_ws.index.min(), per_ws.index.max(), freq="1D", name="time")
    n_missing = int(len(grid) - len(per_ws))
    if n_missing:
        log.warning("%s: %d days have no rows; counted as zero flows", kg.attrs["source_file"], n_missing)
    per_ws = per_ws.reindex(grid, fill_value=0)
    raw = pd.DataFrame(index=grid)
    for name, group in zip(names, groups):
        cols = [c for c in group if c in per_ws.columns]
        raw[name] = per_ws[cols].sum(axis=1).astype(np.float64) if cols else 0.0
    return raw, {"dropped_slots": [], "interpolated_slots": 0, "zero_filled_days": n_missing}


def trim_and_fill(raw: pd.DataFrame, empty: pd.Series, freq: str) -> tuple[pd.DataFrame, dict]:
    """Drop leading/trailing empty slots; linearly interpolate interior empty or missing slots.

    ``empty`` flags the slots whose traffic file lists no demand (measurement outages, not zero
    traffic); ``freq`` is the slot grid on which missing slots are detected. Returns the frame
    and ``{"dropped_slots": [...], "interpolated_slots": n}``.
    """
    keep = np.flatnonzero(~empty.to_numpy())
    if len(keep) == 0:
        raise DataFormatError("every slot of the series is empty; no arrivals can be derived")
    first, last = keep[0], keep[-1]
    dropped = [str(t) for t in raw.index[:first]] + [str(t) for t in raw.index[last + 1:]]
    core = raw.iloc[first:last + 1].copy()
    hole = empty.iloc[first:last + 1].to_numpy()
    core[hole] = np.nan
    grid = pd.date_range(core.index[0], core.index[-1], freq=freq, name="time")
    core = core.reindex(grid)
    n_interp = int(core.isna().any(axis=1).sum())
    if n_interp:
        log.warning("%d interior slots are empty or missing; filled by linear interpolation", n_interp)
        core = core.interpolate(method="time", limit_area="inside")
    return core, {"dropped_slots": dropped, "interpolated_slots": n_interp}


# ------------------------------------------------------------ training-period preprocessing


def training_slots(n_slots: int, train_fraction: float | None = None) -> int:
    """Number of leading slots of an ``n_slots`` series that form its training period.

    The chronological split of every experiment (train ``[0, train_end)``, then validation, then
    test) with ``train_end = round(n_slots * train_fraction)``, the rule of
    :func:`splitalloc.models.split_bounds`; preprocessing statistics come from these slots only.
    ``train_fraction`` defaults to config ``train_fraction``.
    """
    frac = float(config.value("train_fraction") if train_fraction is None else train_fraction)
    if int(n_slots) != n_slots or n_slots < 1:
        raise ValueError(f"n_slots must be a positive integer, got {n_slots!r}")
    return max(1, int(round(int(n_slots) * frac)))


def _cap(raw: pd.DataFrame, multiple: float | None,
         train_end: int | None = None) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Cap each column at ``multiple`` x its training-period median (rows ``[0, train_end)``,
    the whole frame if ``None``); return the capped frame and the capped slots (any period)."""
    if multiple is None:
        return raw, {}
    if not (isinstance(multiple, (int, float)) and math.isfinite(multiple) and multiple >= 1):
        raise ValueError(f"cap_median_multiple must be a finite number >= 1 or None, got {multiple!r}")
    fit = raw if train_end is None else raw.iloc[:train_end]
    out, capped = raw.copy(), {}
    for col in raw.columns:
        limit = multiple * float(fit[col].median())
        over = raw[col] > limit
        if over.any() and limit > 0:
            capped[col] = [str(t) for t in raw.index[over]]
            log.info("%s: %d slots capped at %g x training median (%s)", col, int(over.sum()), multiple,
                     capped[col])
            out.loc[over, col] = limit
    return out, capped


def _check_mean_arrival(mean_arrival) -> float:
    """``mean_arrival`` as a float; a clear error unless it is a finite real number > 0."""
    if (isinstance(mean_arrival, bool) or not isinstance(mean_arrival, numbers.Real)
            or not math.isfinite(mean_arrival) or mean_arrival <= 0):
        raise ValueError(f"mean_arrival must be a finite number > 0 (Mb/slot: the training-period mean of "
                         f"each service's series; default config service_mean_arrival), got {mean_arrival!r}")
    return float(mean_arrival)


def _rescale(raw: pd.DataFrame, mean_arrival: float,
             train_end: int | None = None) -> tuple[pd.DataFrame, dict[str, float]]:
    """Multiply each column by one constant so that its mean over rows ``[0, train_end)`` (the
    training period; the whole frame if ``None``) is ``mean_arrival`` (Mb/slot)."""
    target = _check_mean_arrival(mean_arrival)
    fit = raw if train_end is None else raw.iloc[:train_end]
    means = fit.mean(axis=0)
    if (means <= 0).any():
        bad = list(means.index[means <= 0])
        raise DataFormatError(f"services {bad} have no traffic in the training period; "
                              f"cannot rescale to mean {target}")
    scale = target / means
    return raw * scale, {k: float(v) for k, v in scale.items()}


def preprocess(raw: pd.DataFrame, *, cap_median_multiple: float | None, mean_arrival: float,
               train_end: int | None = None) -> tuple[pd.DataFrame, dict[str, float], dict[str, list[str]]]:
    """Cap bursts, then rescale to Mb/slot, with every statistic fitted on the training period.

    ``train_end`` (default :func:`training_slots` of the frame's length) ends the training
    period. The cap level (``cap_median_multiple`` x median; ``None`` disables the cap) and the
    scale factor (to make the mean ``mean_arrival``, Mb/slot) are computed from rows
    ``[0, train_end)`` only and then applied to every row, so no value of the validation or
    test period can change them (no leakage). Returns ``(frame, scale factors, capped slots)``.
    """
    n = int(raw.shape[0])
    train_end = training_slots(n) if train_end is None else int(train_end)
    if not 1 <= train_end <= n:
        raise ValueError(f"train_end must be in 1..{n} (the series has {n} slots), got {train_end}")
    capped_frame, capped = _cap(raw, cap_median_multiple, train_end)
    out, scale = _rescale(capped_frame, mean_arrival, train_end)
    return out, scale, capped


# ------------------------------------------------------------------------------ entry point


_DEFAULT = object()


def service_arrivals(dataset: str, *, mean_arrival: float | None = None, data_dir=None,
                     cap_median_multiple=_DEFAULT, progress: bool = False,
                     sources: Sequence[Sequence[str]] | None = None,
                     fit_slots: int | None = None) -> pd.DataFrame:
    """Per-service arrival series ``D_k(t)`` (paper §III-B; the bound ``d_k <= D_k`` of eq. (1)).

    Derivation rule (the paper does not give one; defaults in :mod:`splitalloc.config`):

    * ``"geant"`` (the 677-slot week, the headline series), ``"geant-may"`` (the 324-slot May
      2005 subset) and ``"geant-full"`` (4-month archive): service k receives
      all traffic *originating* at its region's nodes (``geant_service_sources``: the 22 SNDlib
      nodes sorted by longitude, split west/centre/east), summed over destinations, in Mbit/s,
      times 900 s -> Mb per 15-min slot. Slots whose file lists no demand at all are measurement
      outages, not zero traffic: leading and trailing ones are dropped (the subset's first two,
      2005-05-04 15:00 and 15:15, leaving 322 slots), interior ones and slots missing from the
      archive are linearly interpolated; both are recorded in ``attrs``.
    * ``"kaggle"``: service k receives the daily number of flows of its block of workstations
      (``kaggle_service_workstations``); 92 daily slots. Days without any row would be zero
      flows (there are none in the file); they are filled with 0 and counted in ``attrs``.

    Every statistic below is fitted on the training period only, see :func:`preprocess`: the
    first ``fit_slots`` slots (default :func:`training_slots` of the series, the training period
    of the chronological split; a rolling-origin evaluation passes the first origin's training
    period, :func:`splitalloc.scenario.arrival_fit_slots`, so that the cap and the scale stay
    frozen across origins); ``attrs["fit_slots"]`` records it.

    Bursts beyond ``cap_median_multiple`` x the training period's median (default: config
    ``arrival_cap_median_multiple``; ``None`` disables) are capped at that level first; only two
    Kaggle days are affected, listed in ``attrs["capped_slots"]``.

    Each service's series is then multiplied by one constant so that its mean over the
    training period equals ``mean_arrival`` (Mb/slot; default: config ``service_mean_arrival``,
    the regime knob; a finite number > 0, else ``ValueError``). Reason: raw volumes (tens of Tb
    per slot on GEANT, flow counts on Kaggle) are not edge-inference loads, and the LP's
    capacities (eq. 13) are set on that scale; one constant per service keeps every temporal
    pattern and every ratio between slots. For Kaggle this amounts to assuming a fixed volume
    per flow. The factors are in ``attrs["scale"]``, the mean in ``attrs["mean_arrival"]``.

    ``sources`` (GEANT only) replaces ``geant_service_sources``: one group of SNDlib node ids per
    service, e.g. a permuted node-to-service mapping (the robustness page's check of that
    assumption); ``attrs["sources"]`` records the groups used.

    Returns float64 frame, index time, columns ``service_names``; ``attrs``: ``dataset``,
    ``unit`` ("Mb/slot"), ``slot``, ``synthetic`` (False), ``files`` ({path: sha256}), ``rule``.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    if dataset == "kaggle" and sources is not None:
        raise ValueError("sources= (node groups per service) applies to the GEANT datasets only, "
                         f"not to {dataset!r}")
    # every config default of the rule is read here, and only here
    mean_arrival = _check_mean_arrival(config.value("service_mean_arrival") if mean_arrival is None
                                       else mean_arrival)
    if cap_median_multiple is _DEFAULT:
        cap_median_multiple = config.value("arrival_cap_median_multiple")
    train_fraction = float(config.value("train_fraction"))
    names = list(config.value("service_names"))
    if dataset in GEANT_VARIANTS:
        groups = config.value("geant_service_sources") if sources is None else tuple(
            tuple(str(n) for n in g) for g in sources)
    else:
        groups = config.value("kaggle_service_workstations")
    if len(names) != len(groups):
        raise ValueError(f"{len(names)} service names but {len(groups)} source groups "
                         f"({'sources=' if sources is not None else 'config'})")

    if dataset in GEANT_VARIANTS:
        tm = load_geant_traffic(GEANT_VARIANTS[dataset], data_dir, progress=progress)
        raw, notes = _geant_raw(tm, names, groups, float(config.value("geant_slot_seconds")))
        slot, files = "15min", tm.attrs["files"]
        rule = ("traffic originating at each service's region of SNDlib nodes (geant_service_sources), "
                "Mbit/s x 900 s; leading/trailing empty slots dropped, interior gaps interpolated; "
                "rescaled to training-period mean mean_arrival")
    else:
        kg = load_kaggle(data_dir)
        raw, notes = _kaggle_raw(kg, names, groups)
        slot, files = "1D", kg.attrs["files"]
        rule = ("daily flow count f of each service's block of workstations l_ipn "
                "(kaggle_service_workstations); rescaled to training-period mean mean_arrival "
                "(fixed volume per flow)")
    raw = raw.astype(np.float64)
    if fit_slots is None:
        train_end = training_slots(len(raw), train_fraction)
    elif isinstance(fit_slots, bool) or not isinstance(fit_slots, numbers.Integral):
        raise ValueError(f"fit_slots must be an integer number of leading slots, got {fit_slots!r}")
    else:
        train_end = int(fit_slots)
        if not 1 <= train_end <= len(raw):
            raise ValueError(f"fit_slots must be in 1..{len(raw)} (the {dataset!r} series has {len(raw)} "
                             f"slots), got {fit_slots!r}")
    out, scale, capped = preprocess(raw, cap_median_multiple=cap_median_multiple, mean_arrival=mean_arrival,
                                    train_end=train_end)
    values = out.to_numpy()
    if not np.isfinite(values).all() or (values < 0).any():
        raise DataFormatError(f"{files}: derived arrivals contain negative or non-finite values")
    out.index.name = "time"
    out.columns.name = "service"
    out.attrs = {"dataset": dataset, "unit": "Mb/slot", "slot": slot, "synthetic": False,
                 "files": dict(files), "scale": scale, "rule": rule, "mean_arrival": mean_arrival,
                 "cap_median_multiple": cap_median_multiple, "capped_slots": capped,
                 "fit_slots": train_end, **notes}
    if sources is not None:
        out.attrs["sources"] = groups
    return out
