"""Real data: GEANT topology, GEANT traffic matrices (SNDlib XML), Kaggle flows, and the
per-service arrival series ``D_k(t)`` of the paper (§III-B, the upper bound in eq. (1)).

Where files come from
---------------------
One setting decides: the environment variable ``$SPLITALLOC_DATA_DIR``
(:data:`splitalloc.config.DATA_ENV_VAR`) names a local folder laid out like ``../shared/data``
(one sub-folder per dataset, see ``data/README.md``). When it is set, files are read from there
and nowhere else (the full 4-month GEANT archive, which that folder does not hold, is the one
exception: it is downloaded into the cache). When it is unset, pooch downloads each public file
into the cache folder (``$SPLITALLOC_CACHE_DIR`` or the OS cache) and checks its sha256 against
``data/registry.txt``. Local files are checked against the same registry. With neither, a
:class:`DataNotFoundError` says what is missing and how to fetch it. There is never a fallback
to synthetic data: synthetic series come only from :mod:`splitalloc.synthetic`, on request.

Errors
------
:class:`DataNotFoundError` (a missing file), :class:`DataHashError` (sha256 mismatch) and
:class:`DataFormatError` (malformed XML/CSV, wrong columns, negative or non-finite values) each
name the file and the problem.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import logging
import math
import os
import re
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import config

log = logging.getLogger(__name__)

#: SNDlib XML namespace of network and demand files.
SNDLIB_NS = "http://sndlib.zib.de/network"
_NS = "{" + SNDLIB_NS + "}"

#: The registry of known files (path relative to the data directory, sha256, url).
REGISTRY_FILE = Path(__file__).resolve().parents[2] / "data" / "registry.txt"

# Paths inside the data directory (layout of ../shared/data).
GEANT_TXT = "geant-topology/thu-insc-nad/geant.txt"
GEANT_XML = "geant-topology/sndlib/geant.xml"
GEANT_TM_SUBSET = "geant-tm-sndlib-subset/directed-geant-uhlig-15min-over-4months-SUBSET.tar.xz"
GEANT_TM_SUBSET_MEMBERS = "geant-tm-sndlib-subset/members/"
GEANT_TM_FULL = "geant-tm-sndlib-full/directed-geant-uhlig-15min-over-4months-ALL.tgz"
GEANT_TM_WEEK = "geant-tm-week/geant-15min-week.hist"
KAGGLE_CSV = "kaggle-computer-network-traffic/cs448b_ipasn.csv"

KAGGLE_COLUMNS = ("date", "l_ipn", "r_asn", "f")
#: ``geant``: the 677-slot GEANT week (headline real series); ``geant-may``: the 324-slot SNDlib
#: subset of May 2005 (a second real GEANT series); ``geant-full``: the 4-month archive.
DATASETS = ("geant", "geant-may", "geant-full", "kaggle")
#: Number of values per line of the week file: a flattened 22 x 22 matrix.
GEANT_WEEK_NODES = 22

_HOW_TO_GET = {
    GEANT_TXT: "public on GitHub (THU-INSC-NAD/Traffic-Matrix-Prediction, GEANT/geant.txt); "
               "unset $SPLITALLOC_DATA_DIR to let pooch download it, or copy it into the data directory.",
    GEANT_XML: "public on GitHub (tfenz/TE_SR_WAN_simulation, data/topologies/sndlib/geant.xml) and in "
               "SNDlib (sndlib-networks-xml.zip); unset $SPLITALLOC_DATA_DIR to let pooch download it.",
    GEANT_TM_SUBSET: "a tar.xz of 324 upstream SNDlib XML files (tfenz/TE_SR_WAN_simulation, "
                     "data/demands/sndlib/directed-geant-uhlig-15min-over-4months-ALL/, 2005-05-04 15:00 "
                     "to 2005-05-07 23:45); unset $SPLITALLOC_DATA_DIR to let pooch download the 324 files "
                     "one by one, or rebuild the tarball by hand as data/README.md describes.",
    GEANT_TM_WEEK: "public on GitHub (FIGRET/figret, Data/GEANT/test/7.hist at commit "
                   "5e117d840cb9bd2875f6ed9779767e8785b1a869, MIT); unset $SPLITALLOC_DATA_DIR to let pooch "
                   "download it, or copy it to <data dir>/geant-tm-week/geant-15min-week.hist.",
    KAGGLE_CSV: "the Kaggle dataset crawford/computer-network-traffic needs a Kaggle login, so it cannot "
                "be downloaded automatically: sign in, download cs448b_ipasn.csv "
                "(e.g. `kaggle datasets download -d crawford/computer-network-traffic`), put it at "
                "<data dir>/kaggle-computer-network-traffic/cs448b_ipasn.csv and set $SPLITALLOC_DATA_DIR.",
    GEANT_TM_FULL: "SNDlib publishes it: https://sndlib.put.poznan.pl/download/"
                   "directed-geant-uhlig-15min-over-4months-ALL.tgz (formerly sndlib.zib.de); needs a network.",
}


class DataError(Exception):
    """Base class of every data problem raised by this module."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A data file is neither in the data directory nor downloadable."""


class DataHashError(DataError, ValueError):
    """A data file's sha256 differs from the registry."""


class DataFormatError(DataError, ValueError):
    """A data file is malformed: bad XML/CSV, wrong columns, negative or non-finite values."""


# ---------------------------------------------------------------- registry, hashes, resolution


@dataclass(frozen=True)
class RegistryEntry:
    path: str                  # relative to the data directory
    sha256: str | None         # None only for the full GEANT archive (hash unknown here)
    url: str | None            # None: no public direct download


def load_registry(path: Path | None = None) -> dict[str, RegistryEntry]:
    """Parse ``data/registry.txt`` (``<relative path> <sha256|unknown> <url|->`` per line)."""
    path = Path(path) if path is not None else REGISTRY_FILE
    if not path.is_file():
        raise DataNotFoundError(
            f"sha256 registry {path} not found; it ships with the source tree in data/registry.txt "
            "(install splitalloc from a checkout with `pip install -e .`)."
        )
    entries: dict[str, RegistryEntry] = {}
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3:
            raise DataFormatError(f"{path}:{lineno}: expected '<path> <sha256|unknown> <url|->', got {line!r}")
        rel, digest, url = parts
        if digest == "unknown":
            if rel != GEANT_TM_FULL:
                raise DataFormatError(f"{path}:{lineno}: only {GEANT_TM_FULL} may have an unknown hash, not {rel}")
            sha = None
        elif re.fullmatch(r"[0-9a-f]{64}", digest):
            sha = digest
        else:
            raise DataFormatError(f"{path}:{lineno}: {digest!r} is not a sha256 hex digest")
        entries[rel] = RegistryEntry(rel, sha, None if url == "-" else url)
    return entries


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_sha256(path: Path, expected: str | None) -> str:
    """Return the file's sha256; raise :class:`DataHashError` if it differs from ``expected``."""
    actual = sha256_file(path)
    if expected is not None and actual != expected:
        raise DataHashError(
            f"sha256 mismatch for {path}: expected {expected} (data/registry.txt), got {actual}. "
            "The file is corrupt, truncated or a different version; fetch it again (data/README.md)."
        )
    return actual


def cache_dir() -> Path:
    """The pooch download cache: ``$SPLITALLOC_CACHE_DIR`` or the OS cache folder."""
    raw = os.environ.get(config.CACHE_ENV_VAR)
    if raw:
        return Path(raw).expanduser().resolve()
    import pooch

    return Path(pooch.os_cache("splitalloc"))


def _data_dir(data_dir) -> Path | None:
    if data_dir is None:
        return config.data_dir_from_env()
    path = Path(data_dir).expanduser().resolve()
    if not path.is_dir():
        raise DataNotFoundError(f"data directory {path} does not exist (laid out like ../shared/data expected)")
    return path


def _download(entry: RegistryEntry, *, progress: bool = False) -> Path:
    """Fetch one registered file into the cache with pooch (sha256 checked by pooch)."""
    import pooch

    target = cache_dir() / Path(entry.path).parent
    if entry.sha256 is None:
        log.warning(
            "downloading %s with no known sha256 (known_hash=None): the full GEANT archive's hash is "
            "not recorded in data/registry.txt; its sha256 is recorded in the frame's attrs instead",
            entry.url,
        )
    try:
        got = pooch.retrieve(
            entry.url,
            known_hash=None if entry.sha256 is None else f"sha256:{entry.sha256}",
            fname=Path(entry.path).name,
            path=target,
            progressbar=progress,
        )
    except ValueError as exc:  # pooch raises ValueError on a hash mismatch
        raise DataHashError(f"download of {entry.url} into {target}: {exc}") from exc
    except Exception as exc:  # network errors, HTTP errors
        raise DataNotFoundError(
            f"could not download {entry.path} from {entry.url} ({type(exc).__name__}: {exc}). "
            f"The file is not in a local data directory (${config.DATA_ENV_VAR}) and the download failed. "
            f"How to get it: {_HOW_TO_GET.get(entry.path, 'see data/README.md')}"
        ) from exc
    return Path(got)


def resolve(rel: str, data_dir=None, *, progress: bool = False) -> tuple[Path, str]:
    """Locate registered file ``rel`` and verify it; return ``(path, sha256)``.

    With a data directory (argument or ``$SPLITALLOC_DATA_DIR``) the file must be there
    (except the full GEANT archive, which falls back to a logged download). Without one,
    pooch downloads it into :func:`cache_dir`.
    """
    registry = load_registry()
    if rel not in registry:
        raise KeyError(f"{rel!r} is not in {REGISTRY_FILE}")
    entry = registry[rel]
    root = _data_dir(data_dir)
    if root is not None:
        path = root / rel
        if path.is_file():
            if entry.sha256 is None:
                log.warning("%s: no sha256 is registered for this file; it is used unverified", path)
            return path, verify_sha256(path, entry.sha256)
        if rel != GEANT_TM_FULL:
            raise DataNotFoundError(
                f"{path} is missing (data directory {root}, from ${config.DATA_ENV_VAR} or the "
                f"data_dir argument). How to get it: {_HOW_TO_GET.get(rel, 'see data/README.md')}"
            )
        log.info("%s not in %s; downloading it into the cache", rel, root)
    if entry.url is None:
        where = (f"the data directory {root}" if root is not None
                 else f"a data directory (${config.DATA_ENV_VAR} is not set)")
        raise DataNotFoundError(
            f"{rel} is not in {where} and has no public download URL. "
            f"How to get it: {_HOW_TO_GET.get(rel, 'see data/README.md')}"
        )
    path = _download(entry, progress=progress)
    return path, sha256_file(path) if entry.sha256 is None else entry.sha256


# ------------------------------------------------------------------------------ topology


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


# ---------------------------------------------------------------------- SNDlib XML helpers


def _parse_xml(data: bytes, where: str) -> ET.Element:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise DataFormatError(f"{where}: malformed XML ({exc})") from None
    if root.tag != _NS + "network":
        raise DataFormatError(f"{where}: root element is {root.tag!r}, expected SNDlib <network> in namespace {SNDLIB_NS}")
    return root


def _text(elem: ET.Element | None, where: str, what: str) -> str:
    if elem is None or elem.text is None or not elem.text.strip():
        raise DataFormatError(f"{where}: missing {what}")
    return elem.text.strip()


def _float(text: str, where: str, what: str, *, nonneg: bool = True) -> float:
    try:
        x = float(text)
    except ValueError:
        raise DataFormatError(f"{where}: {what} {text!r} is not a number") from None
    if not math.isfinite(x):
        raise DataFormatError(f"{where}: {what} is not finite ({text!r})")
    if nonneg and x < 0:
        raise DataFormatError(f"{where}: {what} is negative ({x})")
    return x


def _sndlib_nodes(root: ET.Element, where: str) -> list[tuple[str, float, float]]:
    nodes = []
    for n in root.iter(_NS + "node"):
        nid = n.get("id")
        if not nid:
            raise DataFormatError(f"{where}: a <node> has no id")
        x = _float(_text(n.find(f"{_NS}coordinates/{_NS}x"), where, f"x coordinate of node {nid}"), where,
                   f"x coordinate of node {nid}", nonneg=False)
        y = _float(_text(n.find(f"{_NS}coordinates/{_NS}y"), where, f"y coordinate of node {nid}"), where,
                   f"y coordinate of node {nid}", nonneg=False)
        nodes.append((nid, x, y))
    if not nodes:
        raise DataFormatError(f"{where}: no <node> elements")
    ids = [n[0] for n in nodes]
    if len(set(ids)) != len(ids):
        raise DataFormatError(f"{where}: duplicate node ids")
    return nodes


def read_sndlib_network(path, *, sha256: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse an SNDlib network XML: nodes (index ``name``; ``lon``, ``lat``) and links.

    Links keep the file's (undirected) rows: ``source``, ``target`` (names), ``link_id``,
    ``module_capacity`` (Mbit/s, the first installable module) and ``module_cost``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"SNDlib network file {path} does not exist")
    root = _parse_xml(path.read_bytes(), str(path))
    nodes = _sndlib_nodes(root, str(path))
    nodes_df = pd.DataFrame(nodes, columns=["name", "lon", "lat"]).set_index("name")
    names = set(nodes_df.index)
    rows = []
    for link in root.iter(_NS + "link"):
        lid = link.get("id", "?")
        where = f"{path}: link {lid}"
        s = _text(link.find(_NS + "source"), where, "<source>")
        t = _text(link.find(_NS + "target"), where, "<target>")
        if s not in names or t not in names:
            raise DataFormatError(f"{where}: endpoint not among the file's nodes ({s} -> {t})")
        mod = link.find(f"{_NS}additionalModules/{_NS}addModule")
        cap = cost = np.nan
        if mod is not None:
            cap = _float(_text(mod.find(_NS + "capacity"), where, "module capacity"), where, "module capacity")
            cost = _float(_text(mod.find(_NS + "cost"), where, "module cost"), where, "module cost")
        rows.append((lid, s, t, cap, cost))
    links_df = pd.DataFrame(rows, columns=["link_id", "source", "target", "module_capacity", "module_cost"])
    links_df = links_df[["source", "target", "link_id", "module_capacity", "module_cost"]]
    for df in (nodes_df, links_df):
        df.attrs.update({"source_file": str(path), "sha256": sha256, "unit": "Mbit/s (module_capacity)"})
    return nodes_df, links_df


def load_geant_sndlib_network(data_dir=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SNDlib GEANT (22 named nodes with coordinates, 36 undirected links), sha256-checked."""
    path, digest = resolve(GEANT_XML, data_dir)
    return read_sndlib_network(path, sha256=digest)


# ------------------------------------------------------------------------- traffic matrices


def _iter_tar_xml(path: Path, progress: bool) -> Iterator[tuple[str, bytes]]:
    try:
        tf = tarfile.open(path, mode="r:*")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DataFormatError(f"{path}: not a readable tar archive ({exc})") from None
    with tf:
        try:
            members = [m for m in tf.getmembers() if m.isfile() and m.name.endswith(".xml")]
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise DataFormatError(f"{path}: corrupt tar archive ({exc})") from None
        it: Iterable = members
        if progress:
            from tqdm.auto import tqdm

            it = tqdm(members, desc=f"reading {path.name}", unit="file")
        for m in it:
            fh = tf.extractfile(m)
            yield f"{path}::{m.name}", fh.read()


def parse_sndlib_demands(files: Iterable[tuple[str, bytes]], *, source: str) -> pd.DataFrame:
    """Build the traffic frame from SNDlib demand XML files ``(name, bytes)``.

    Each file is one slot: ``<meta><time>`` (``YYYYMMDD-HHMM``), ``<unit>MBITPERSEC``, the node
    list, and ``<demand>`` entries; pairs not listed are zero. Returns a frame indexed by time
    (sorted) with columns ``MultiIndex(source, target)`` over all ordered node pairs, Mbit/s.
    """
    times, mats, node_ids = [], [], None
    for where, data in files:
        root = _parse_xml(data, where)
        meta = root.find(_NS + "meta")
        if meta is None:
            raise DataFormatError(f"{where}: missing <meta>")
        tstr = _text(meta.find(_NS + "time"), where, "<meta><time>")
        try:
            t = pd.Timestamp(pd.to_datetime(tstr, format="%Y%m%d-%H%M"))
        except ValueError:
            raise DataFormatError(f"{where}: <meta><time> {tstr!r} is not YYYYMMDD-HHMM") from None
        unit = _text(meta.find(_NS + "unit"), where, "<meta><unit>")
        if unit != "MBITPERSEC":
            raise DataFormatError(f"{where}: unit is {unit!r}, expected MBITPERSEC")
        ids = [n[0] for n in _sndlib_nodes(root, where)]
        if node_ids is None:
            node_ids = ids
            index = {n: i for i, n in enumerate(node_ids)}
        elif sorted(ids) != sorted(node_ids):
            raise DataFormatError(f"{where}: node set differs from the other files ({sorted(set(ids) ^ set(node_ids))})")
        mat = np.zeros((len(node_ids), len(node_ids)))
        seen = set()
        for d in root.iter(_NS + "demand"):
            did = d.get("id", "?")
            w = f"{where}: demand {did}"
            s = _text(d.find(_NS + "source"), w, "<source>")
            tgt = _text(d.find(_NS + "target"), w, "<target>")
            if s not in index or tgt not in index:
                raise DataFormatError(f"{w}: unknown node in {s} -> {tgt}")
            if (s, tgt) in seen:
                raise DataFormatError(f"{w}: pair {s} -> {tgt} listed twice")
            seen.add((s, tgt))
            mat[index[s], index[tgt]] = _float(_text(d.find(_NS + "demandValue"), w, "<demandValue>"), w,
                                               "demandValue")
        times.append(t)
        mats.append(mat)
    if not mats:
        raise DataFormatError(f"{source}: no SNDlib demand XML files found")
    idx = pd.DatetimeIndex(times, name="time")
    if idx.has_duplicates:
        dup = idx[idx.duplicated()][0]
        raise DataFormatError(f"{source}: two files share the time {dup}")
    order = np.argsort(idx.values)
    arr = np.stack(mats)[order].reshape(len(mats), -1)
    cols = pd.MultiIndex.from_product([node_ids, node_ids], names=["source", "target"])
    df = pd.DataFrame(arr, index=idx[order], columns=cols, dtype=np.float64)
    step = pd.Timedelta(minutes=config.value("geant_slot_minutes"))
    full = pd.date_range(df.index[0], df.index[-1], freq=step)
    df.attrs.update({
        "unit": "Mbit/s", "slot": "15min",
        "missing_slots": int(len(full) - len(df)),
        "empty_slots": [str(t) for t in df.index[arr.sum(axis=1) == 0]],
    })
    if len(full) == len(df):
        df.index = full.rename("time")
    return df


#: Parsed archives, keyed by (path, sha256): parsing 324 XML files costs seconds, and the
#: experiments call service_arrivals many times. The hash is re-verified on every call.
_ARCHIVE_CACHE: dict[tuple[str, str], pd.DataFrame] = {}


def _copy_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.attrs = copy.deepcopy(df.attrs)
    return out


def _read_archive_cached(path: Path, digest: str, progress: bool) -> pd.DataFrame:
    key = (str(path), digest)
    if key not in _ARCHIVE_CACHE:
        _ARCHIVE_CACHE[key] = read_sndlib_traffic_archive(path, progress=progress)
    return _copy_frame(_ARCHIVE_CACHE[key])


def read_sndlib_traffic_archive(path, *, progress: bool = False) -> pd.DataFrame:
    """Read every SNDlib demand XML inside a ``.tar.xz``/``.tgz`` archive (no extraction to disk)."""
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"traffic archive {path} does not exist")
    return parse_sndlib_demands(_iter_tar_xml(path, progress), source=str(path))


def _subset_from_members(progress: bool) -> tuple[pd.DataFrame, dict[str, str]]:
    """Download the 324 subset XML files one by one (no data directory set)."""
    registry = load_registry()
    rels = sorted(r for r in registry if r.startswith(GEANT_TM_SUBSET_MEMBERS))
    files: dict[str, str] = {}
    it: Iterable = rels
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(rels, desc="downloading GEANT subset", unit="file")

    def gen():
        for rel in it:
            p, digest = resolve(rel, None)
            files[str(p)] = digest
            yield str(p), p.read_bytes()

    df = parse_sndlib_demands(gen(), source="GEANT subset (downloaded files)")
    return df, files


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


def load_geant_traffic(variant: str = "subset", data_dir=None, *, progress: bool = False) -> pd.DataFrame:
    """GEANT traffic matrices (TOTEM/Uhlig via SNDlib), Mbit/s per ordered node pair and 15-min slot.

    ``variant="week"``: the 677 contiguous slots of one week (DOTE/FIGRET ``.hist``, read by
    :func:`read_week_hist`; node order and calendar are assumptions recorded in ``attrs``).
    ``variant="subset"``: the 324 contiguous slots 2005-05-04 15:00 .. 05-07 23:45 (the tarball
    in the data directory, or the 324 upstream files downloaded one by one). ``variant="full"``:
    SNDlib's ``directed-geant-uhlig-15min-over-4months-ALL`` archive (about 11,460 matrices with
    breaks; its sha256 is unknown here, so it is logged and recorded, not checked).
    Slots that the archive lacks are not invented: ``attrs["missing_slots"]`` counts them and
    ``attrs["empty_slots"]`` lists slots whose file lists no demand (the subset's first two).
    """
    if variant == "week":
        path, digest = resolve(GEANT_TM_WEEK, data_dir, progress=progress)
        key = (str(path), digest)
        if key not in _WEEK_CACHE:
            _WEEK_CACHE[key] = read_week_hist(path, sha256=digest)
        df, files = _copy_frame(_WEEK_CACHE[key]), {str(path): digest}
    elif variant == "subset":
        root = _data_dir(data_dir)
        if root is None:
            df, files = _subset_from_members(progress)
        else:
            path, digest = resolve(GEANT_TM_SUBSET, root)
            df, files = _read_archive_cached(path, digest, progress), {str(path): digest}
    elif variant == "full":
        path, digest = resolve(GEANT_TM_FULL, data_dir, progress=progress)
        df, files = _read_archive_cached(path, digest, progress), {str(path): digest}
    else:
        raise ValueError(f"variant must be 'week', 'subset' or 'full', got {variant!r}")
    name = {"week": "geant", "subset": "geant-may", "full": "geant-full"}[variant]
    df.attrs.update({"dataset": name, "files": files})
    return df


# ---------------------------------------------------------------------------------- Kaggle


def read_kaggle_csv(path, *, sha256: str | None = None) -> pd.DataFrame:
    """Parse ``cs448b_ipasn.csv``: columns exactly ``date,l_ipn,r_asn,f``, typed and validated.

    ``date`` -> datetime64 (``YYYY-MM-DD``), ``l_ipn`` (workstation), ``r_asn`` (remote AS)
    and ``f`` (flows that day) -> int64, all >= 0.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"Kaggle file {path} does not exist")
    try:
        with open(path, newline="", encoding="utf-8") as fh:   # ragged rows: pandas would shift them
            for lineno, row in enumerate(csv.reader(fh), 1):
                if lineno == 1:
                    width = len(row)
                elif row and len(row) != width:
                    raise DataFormatError(f"{path}: malformed CSV: line {lineno} has {len(row)} fields, "
                                          f"the header has {width}")
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, csv.Error) as exc:
        raise DataFormatError(f"{path}: malformed CSV ({exc})") from None
    if tuple(raw.columns) != KAGGLE_COLUMNS:
        raise DataFormatError(f"{path}: columns are {list(raw.columns)}, expected {list(KAGGLE_COLUMNS)}")
    if raw.empty:
        raise DataFormatError(f"{path}: no data rows")
    out = pd.DataFrame(index=raw.index)
    dates = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        i = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise DataFormatError(f"{path}: row {i + 2}: date {raw['date'].iloc[i]!r} is not YYYY-MM-DD")
    out["date"] = dates.astype("datetime64[ns]")
    for col in KAGGLE_COLUMNS[1:]:
        num = pd.to_numeric(raw[col], errors="coerce")
        bad = num.isna() | ~np.isfinite(num.astype(float))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFormatError(f"{path}: row {i + 2}: {col} = {raw[col].iloc[i]!r} is not a finite number")
        if (num < 0).any():
            i = int(np.flatnonzero((num < 0).to_numpy())[0])
            raise DataFormatError(f"{path}: row {i + 2}: {col} = {raw[col].iloc[i]} is negative")
        if (num != np.floor(num)).any():
            i = int(np.flatnonzero((num != np.floor(num)).to_numpy())[0])
            raise DataFormatError(f"{path}: row {i + 2}: {col} = {raw[col].iloc[i]} is not an integer")
        out[col] = num.astype(np.int64)
    out.attrs.update({"dataset": "kaggle", "source_file": str(path), "sha256": sha256,
                      "files": {str(path): sha256}, "unit": "f = flows per day"})
    return out


def load_kaggle(data_dir=None) -> pd.DataFrame:
    """Kaggle "Computer Network Traffic" (``cs448b_ipasn.csv``), typed rows, sha256-checked."""
    path, digest = resolve(KAGGLE_CSV, data_dir)
    return read_kaggle_csv(path, sha256=digest)


# ------------------------------------------------------------------------- arrivals D_k(t)


def _trim_and_fill(raw: pd.DataFrame, empty: pd.Series, freq: str) -> tuple[pd.DataFrame, dict]:
    """Drop leading/trailing empty slots; linearly interpolate interior empty or missing slots."""
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


def training_slots(n_slots: int) -> int:
    """Number of leading slots of an ``n_slots`` series that form its training period.

    The chronological split of every experiment (train ``[0, train_end)``, then validation, then
    test) with ``train_end = round(n_slots * train_fraction)``, the rule of
    :func:`splitalloc.models.split_bounds`; preprocessing statistics come from these slots only.
    """
    frac = float(config.value("train_fraction"))
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


def _rescale(raw: pd.DataFrame, train_end: int | None = None,
             mean_arrival: float | None = None) -> tuple[pd.DataFrame, dict[str, float]]:
    """Multiply each column by one constant so that its mean over rows ``[0, train_end)`` (the
    training period; the whole frame if ``None``) is ``mean_arrival`` (Mb/slot; ``None``: config
    ``service_mean_arrival``)."""
    target = float(config.value("service_mean_arrival") if mean_arrival is None else mean_arrival)
    fit = raw if train_end is None else raw.iloc[:train_end]
    means = fit.mean(axis=0)
    if (means <= 0).any():
        bad = list(means.index[means <= 0])
        raise DataFormatError(f"services {bad} have no traffic in the training period; "
                              f"cannot rescale to mean {target}")
    scale = target / means
    return raw * scale, {k: float(v) for k, v in scale.items()}


def preprocess(raw: pd.DataFrame, *, cap_median_multiple: float | None,
               train_end: int | None = None,
               mean_arrival: float | None = None) -> tuple[pd.DataFrame, dict[str, float], dict[str, list[str]]]:
    """Cap bursts, then rescale to Mb/slot, with every statistic fitted on the training period.

    ``train_end`` (default :func:`training_slots` of the frame's length) ends the training
    period. The cap level (``cap_median_multiple`` x median) and the scale factor (to make the
    mean ``mean_arrival``, default config ``service_mean_arrival``) are computed from rows
    ``[0, train_end)`` only and then
    applied to every row, so no value of the validation or test period can change them (no
    leakage). Returns ``(frame, scale factors, capped slots)``.
    """
    n = int(raw.shape[0])
    train_end = training_slots(n) if train_end is None else int(train_end)
    if not 1 <= train_end <= n:
        raise ValueError(f"train_end must be in 1..{n} (the series has {n} slots), got {train_end}")
    capped_frame, capped = _cap(raw, cap_median_multiple, train_end)
    out, scale = _rescale(capped_frame, train_end, mean_arrival)
    return out, scale, capped


_DEFAULT = object()


def service_arrivals(dataset: str, *, data_dir=None, cap_median_multiple=_DEFAULT,
                     progress: bool = False, sources: Sequence[Sequence[str]] | None = None,
                     mean_arrival: float | None = None) -> pd.DataFrame:
    """Per-service arrival series ``D_k(t)`` (paper §III-B; the bound ``d_k <= D_k`` of eq. (1)).

    Derivation rule (the paper does not give one; parameters in :mod:`splitalloc.config`):

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

    Every statistic below is fitted on the training period only (the first
    :func:`training_slots` slots; ``attrs["fit_slots"]``), see :func:`preprocess`.

    Bursts beyond ``cap_median_multiple`` x the training period's median (default: config
    ``arrival_cap_median_multiple``; ``None`` disables) are capped at that level first; only two
    Kaggle days are affected, listed in ``attrs["capped_slots"]``.

    Each service's series is then multiplied by one constant so that its mean over the
    training period equals ``mean_arrival`` (Mb/slot; ``None``: config ``service_mean_arrival``). Reason: raw volumes (tens of Tb per slot
    on GEANT, flow counts on Kaggle) are not edge-inference loads, and the LP's capacities
    (eq. 13) are set on that scale; one constant per service keeps every temporal pattern and
    every ratio between slots. For Kaggle this amounts to assuming a fixed volume per flow.
    The factors are in ``attrs["scale"]``.

    ``sources`` (GEANT only) replaces ``geant_service_sources``: one group of SNDlib node ids per
    service, e.g. a permuted node-to-service mapping (the robustness page's check of that
    assumption); ``attrs["sources"]`` records the groups used.

    Returns float64 frame, index time, columns ``service_names``; ``attrs``: ``dataset``,
    ``unit`` ("Mb/slot"), ``slot``, ``synthetic`` (False), ``files`` ({path: sha256}), ``rule``.
    """
    names = list(config.value("service_names"))
    if dataset in ("geant", "geant-may", "geant-full"):
        variant = {"geant": "week", "geant-may": "subset", "geant-full": "full"}[dataset]
        tm = load_geant_traffic(variant, data_dir, progress=progress)
        groups = config.value("geant_service_sources") if sources is None else tuple(
            tuple(str(n) for n in g) for g in sources)
        nodes = set(tm.columns.get_level_values("source"))
        by_src = tm.T.groupby(level="source").sum().T   # Mbit/s originating at each node
        raw = pd.DataFrame(index=tm.index)
        for name, group in zip(names, groups):
            unknown = sorted(set(group) - nodes)
            if unknown:
                raise DataFormatError(f"{tm.attrs['files']}: nodes {unknown} of service {name} not in the traffic data")
            raw[name] = by_src[list(group)].sum(axis=1) * float(config.value("geant_slot_seconds"))
        empty = pd.Series(tm.to_numpy().sum(axis=1) == 0, index=tm.index)
        raw, notes = _trim_and_fill(raw, empty, "15min")
        slot = "15min"
        rule = ("traffic originating at each service's region of SNDlib nodes (geant_service_sources), "
                "Mbit/s x 900 s; leading/trailing empty slots dropped, interior gaps interpolated; "
                "rescaled to mean service_mean_arrival")
        files = tm.attrs["files"]
    elif dataset == "kaggle":
        if sources is not None:
            raise ValueError("sources= (node groups per service) applies to the GEANT datasets only, "
                             f"not to {dataset!r}")
        kg = load_kaggle(data_dir)
        groups = config.value("kaggle_service_workstations")
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
        notes = {"dropped_slots": [], "interpolated_slots": 0, "zero_filled_days": n_missing}
        slot = "1D"
        rule = ("daily flow count f of each service's block of workstations l_ipn "
                "(kaggle_service_workstations); rescaled to mean service_mean_arrival (fixed volume per flow)")
        files = kg.attrs["files"]
    else:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    if len(names) != len(groups):
        raise ValueError(f"{len(names)} service names but {len(groups)} source groups in config")
    raw = raw.astype(np.float64)
    if cap_median_multiple is _DEFAULT:
        cap_median_multiple = config.value("arrival_cap_median_multiple")
    train_end = training_slots(len(raw))
    if mean_arrival is None:
        mean_arrival = config.value("service_mean_arrival")
    out, scale, capped = preprocess(raw, cap_median_multiple=cap_median_multiple, train_end=train_end,
                                    mean_arrival=mean_arrival)
    values = out.to_numpy()
    if not np.isfinite(values).all() or (values < 0).any():
        raise DataFormatError(f"{files}: derived arrivals contain negative or non-finite values")
    out.index.name = "time"
    out.columns.name = "service"
    out.attrs = {"dataset": dataset, "unit": "Mb/slot", "slot": slot, "synthetic": False,
                 "files": dict(files), "scale": scale, "rule": rule,
                 "cap_median_multiple": cap_median_multiple, "capped_slots": capped,
                 "fit_slots": train_end, **notes}
    if sources is not None:
        out.attrs["sources"] = groups
    return out
