"""The GEANT topology of the paper (§V-A: 23 nodes, 74 directed links) from ``geant.txt``.

The file is ``<data dir>/geant-topology/thu-insc-nad/geant.txt`` (THU-INSC-NAD/Traffic-Matrix-
Prediction, the TOTEM GEANT; see ``geant-topology/SOURCE.md`` in the data directory): a header
``23 37`` and one ``u v capacity weight`` line per undirected link, every capacity ``9920000``
(unit not stated) and every weight 1. The experiments draw capacities from eq. (13) anyway
(:mod:`splitalloc.network`). The SNDlib form of GEANT (22 named nodes with coordinates) is read
by :func:`splitalloc.data.geant_sndlib.read_sndlib_network`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .files import GEANT_TXT, DataFormatError, DataNotFoundError, resolve


@dataclass(frozen=True)
class Topology:
    """A directed network: ``links[e] = (u, v)``, 0-based node ids, ``capacity[e]`` as in the file.

    For GEANT (``geant.txt``) each undirected line ``u v cap w`` gives two directed links,
    ``(u, v)`` at row ``2i`` and ``(v, u)`` at row ``2i + 1``.
    """

    name: str
    n_nodes: int
    links: np.ndarray
    capacity: np.ndarray
    source_file: Path
    capacity_unit: str = "as given in the file"
    sha256: str | None = None
    weight: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_links(self) -> int:
        return int(self.links.shape[0])


def read_topology_txt(path, *, name: str = "geant", sha256: str | None = None) -> Topology:
    """Parse a ``geant.txt``-style topology: header ``n_nodes n_links``, then ``u v capacity weight``.

    No hash check here (see :func:`load_geant_topology`); every line is validated.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"topology file {path} does not exist")
    rows = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    if not rows:
        raise DataFormatError(f"{path}: empty topology file")
    try:
        n_nodes, n_und = (int(x) for x in rows[0])
    except ValueError:
        raise DataFormatError(f"{path}: line 1 must be '<n_nodes> <n_links>', got {' '.join(rows[0])!r}") from None
    body = rows[1:]
    if len(body) != n_und:
        raise DataFormatError(f"{path}: header announces {n_und} links but {len(body)} link lines follow")
    links, cap, weight, seen = [], [], [], set()
    for i, parts in enumerate(body, 2):
        if len(parts) != 4:
            raise DataFormatError(f"{path}: line {i}: expected 'u v capacity weight', got {' '.join(parts)!r}")
        try:
            u, v = int(parts[0]), int(parts[1])
            c, w = float(parts[2]), float(parts[3])
        except ValueError:
            raise DataFormatError(f"{path}: line {i}: non-numeric field in {' '.join(parts)!r}") from None
        if not (0 <= u < n_nodes and 0 <= v < n_nodes):
            raise DataFormatError(f"{path}: line {i}: node id out of range 0..{n_nodes - 1} in {(u, v)}")
        if u == v:
            raise DataFormatError(f"{path}: line {i}: self-loop {(u, v)}")
        if not (math.isfinite(c) and math.isfinite(w)) or c < 0 or w < 0:
            raise DataFormatError(f"{path}: line {i}: capacity and weight must be finite and >= 0, got {c}, {w}")
        key = (min(u, v), max(u, v))
        if key in seen:
            raise DataFormatError(f"{path}: line {i}: duplicate link {key}")
        seen.add(key)
        links += [(u, v), (v, u)]
        cap += [c, c]
        weight += [w, w]
    return Topology(
        name=name, n_nodes=n_nodes, links=np.asarray(links, dtype=np.int64).reshape(-1, 2),
        capacity=np.asarray(cap, dtype=float), source_file=path,
        capacity_unit="not stated in the file (uniform 9920000; probably kbit/s)",
        sha256=sha256, weight=np.asarray(weight, dtype=float),
    )


def load_geant_topology(data_dir=None) -> Topology:
    """GEANT as the paper uses it (§V-A): 23 nodes, 74 directed links (``geant.txt``), sha256-checked."""
    path, digest = resolve(GEANT_TXT, data_dir)
    return read_topology_txt(path, name="geant", sha256=digest)
