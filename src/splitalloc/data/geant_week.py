"""The GEANT week (dataset ``"geant"``, the headline real series): 677 contiguous 15-min slots.

The file ``<data dir>/geant-tm-week/geant-15min-week.hist`` is ``Data/GEANT/test/7.hist`` of the
FIGRET repository (commit 5e117d8, MIT): the SNDlib GEANT traffic (Uhlig et al., the TOTEM data
of the paper's §V-A) as converted by DOTE to one flattened 22 x 22 matrix per line, in bit/s
(see ``geant-tm-week/SOURCE.md``). The file names neither its nodes nor its dates: the node
order (SNDlib ids in alphabetical order) and a nominal clock are assumptions, recorded in
``attrs``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from .files import GEANT_TM_WEEK, DataFormatError, DataNotFoundError, cached_frame, resolve

#: Number of values per line of the week file: a flattened 22 x 22 matrix.
GEANT_WEEK_NODES = 22


def read_week_hist(path, *, node_ids: Iterable[str] | None = None, sha256: str | None = None,
                   start: str | None = None) -> pd.DataFrame:
    """Parse a DOTE/FIGRET ``.hist`` file: one 15-min slot per line, ``n x n`` values row-major.

    Each line holds the flattened matrix ``M[src, dst]`` (``n = 22`` for GEANT), in bit/s (the
    DOTE conversion of the SNDlib Mbit/s files; see ``geant-tm-week/SOURCE.md``). The file
    names neither the nodes nor the dates: ``node_ids`` (default: config ``geant_week_node_order``,
    the SNDlib ids in alphabetical order, **an assumption**) labels rows and columns, and the
    index is a nominal 15-min clock starting at ``start`` (default config
    ``geant_week_nominal_start``; only the spacing means something). Returns the same layout as
    :func:`load_geant_traffic`: index ``time``, columns ``MultiIndex(source, target)``, Mbit/s.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"traffic file {path} does not exist")
    nodes = list(config.value("geant_week_node_order") if node_ids is None else node_ids)
    n = len(nodes)
    if len(set(nodes)) != n or n < 2:
        raise ValueError(f"node_ids must be >= 2 distinct names, got {nodes!r}")
    rows = []
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != n * n:
            raise DataFormatError(f"{path}: line {lineno} has {len(parts)} values, expected {n * n} "
                                  f"(a flattened {n} x {n} traffic matrix)")
        try:
            vals = np.array([float(x) for x in parts])
        except ValueError:
            bad = next(x for x in parts if not _is_float(x))
            raise DataFormatError(f"{path}: line {lineno}: {bad!r} is not a number") from None
        if not np.all(np.isfinite(vals)):
            raise DataFormatError(f"{path}: line {lineno}: non-finite value")
        if np.any(vals < 0):
            raise DataFormatError(f"{path}: line {lineno}: negative value {vals[vals < 0][0]}")
        rows.append(vals / 1e6)                                   # bit/s -> Mbit/s
    if not rows:
        raise DataFormatError(f"{path}: no traffic matrices (empty file)")
    step = pd.Timedelta(minutes=config.value("geant_slot_minutes"))
    t0 = pd.Timestamp(config.value("geant_week_nominal_start") if start is None else start)
    idx = pd.date_range(t0, periods=len(rows), freq=step, name="time")
    cols = pd.MultiIndex.from_product([nodes, nodes], names=["source", "target"])
    arr = np.stack(rows)
    df = pd.DataFrame(arr, index=idx, columns=cols, dtype=np.float64)
    df.attrs.update({
        "unit": "Mbit/s", "slot": "15min", "missing_slots": 0,
        "empty_slots": [str(t) for t in df.index[arr.sum(axis=1) == 0]],
        "node_order": "assumed: SNDlib ids in alphabetical order (the file does not name its nodes)",
        "calendar": f"nominal clock from {t0} (the file holds no dates)",
        "source_file": str(path), "sha256": sha256,
    })
    return df


def _is_float(x: str) -> bool:
    try:
        float(x)
    except ValueError:
        return False
    return True


_WEEK_CACHE: dict[tuple[str, str], pd.DataFrame] = {}


def load_geant_week(data_dir=None, *, progress: bool = False) -> pd.DataFrame:
    """The 677-slot GEANT week (dataset ``"geant"``), Mbit/s per ordered node pair, sha256-checked.

    Read from the data directory, or downloaded (pooch, checked against the registry's sha256)
    when none is set. Parsed once per file and hash (:func:`splitalloc.data.files.cached_frame`).
    """
    path, digest = resolve(GEANT_TM_WEEK, data_dir, progress=progress)
    df = cached_frame(_WEEK_CACHE, path, digest, lambda: read_week_hist(path, sha256=digest))
    df.attrs.update({"dataset": "geant", "files": {str(path): digest}})
    return df
