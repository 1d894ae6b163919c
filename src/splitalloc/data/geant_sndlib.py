"""GEANT traffic matrices and network in SNDlib XML: the May 2005 subset and the 4-month archive.

SNDlib (Orlowski et al.) publishes the GEANT measurements of Uhlig et al. (TOTEM, the data
the paper uses, §V-A) as one demand XML file per 15-min slot,
``directed-geant-uhlig-15min-over-4months-ALL``, with 22 of TOTEM's 23 routers named like
``at1.at``. This module reads

* the **subset** (dataset ``"geant-may"``): 324 contiguous slots, 2005-05-04 15:00 to
  05-07 23:45, from the tarball ``geant-tm-sndlib-subset/...-SUBSET.tar.xz`` in the data
  directory, or downloaded file by file (see ``geant-tm-sndlib-subset/SOURCE.md``);
* the **full archive** (dataset ``"geant-full"``): about 11,460 slots with breaks, downloaded
  from SNDlib (its sha256 is not registered, so it is logged and recorded, not checked);
* the **network** ``geant-topology/sndlib/geant.xml`` (node names, coordinates, links; see
  ``geant-topology/SOURCE.md``), whose node names label the traffic matrices.

Every parser validates the namespace, the ``<meta>`` time and unit (``MBITPERSEC``), node ids
and values, and names the file (``archive::member`` inside a tarball) in each error.
"""

from __future__ import annotations

import math
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from .files import (GEANT_TM_FULL, GEANT_TM_SUBSET, GEANT_TM_SUBSET_MEMBERS, GEANT_XML, DataFormatError,
                    DataNotFoundError, cached_frame, data_root, load_registry, resolve)

#: SNDlib XML namespace of network and demand files.
SNDLIB_NS = "http://sndlib.zib.de/network"
_NS = "{" + SNDLIB_NS + "}"


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


def _endpoints(elem: ET.Element, where: str, known) -> tuple[str, str]:
    """The ``<source>`` and ``<target>`` node ids of a ``<link>`` or ``<demand>``; both must be
    among ``known`` (the file's node ids)."""
    s = _text(elem.find(_NS + "source"), where, "<source>")
    t = _text(elem.find(_NS + "target"), where, "<target>")
    if s not in known or t not in known:
        raise DataFormatError(f"{where}: unknown node in {s} -> {t} (an endpoint not among the file's nodes)")
    return s, t


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
        s, t = _endpoints(link, where, names)
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
            s, tgt = _endpoints(d, w, index)
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


#: Parsed archives, keyed by (path, sha256) (see :func:`splitalloc.data.files.cached_frame`).
_ARCHIVE_CACHE: dict[tuple[str, str], pd.DataFrame] = {}


def _read_archive_cached(path: Path, digest: str, progress: bool) -> pd.DataFrame:
    return cached_frame(_ARCHIVE_CACHE, path, digest,
                        lambda: read_sndlib_traffic_archive(path, progress=progress))


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


def load_geant_subset(data_dir=None, *, progress: bool = False) -> pd.DataFrame:
    """The 324-slot May 2005 subset (dataset ``"geant-may"``), Mbit/s per ordered node pair.

    With a data directory (argument or ``$SPLITALLOC_DATA_DIR``) the sha256-checked tarball is
    read from there; without one, the 324 upstream XML files are downloaded one by one, each
    checked against the registry. ``attrs["files"]`` maps every file read to its sha256.
    """
    root = data_root(data_dir)
    if root is None:
        df, files = _subset_from_members(progress)
    else:
        path, digest = resolve(GEANT_TM_SUBSET, root)
        df, files = _read_archive_cached(path, digest, progress), {str(path): digest}
    df.attrs.update({"dataset": "geant-may", "files": files})
    return df


def load_geant_full(data_dir=None, *, progress: bool = False) -> pd.DataFrame:
    """SNDlib's 4-month archive (dataset ``"geant-full"``), Mbit/s per ordered node pair.

    Read from the data directory when it holds the archive, else downloaded into the cache
    (a logged warning: no sha256 is registered for it; ``attrs["files"]`` records the one seen).
    Slots the archive lacks are not invented: ``attrs["missing_slots"]`` counts them.
    """
    path, digest = resolve(GEANT_TM_FULL, data_dir, progress=progress)
    df = _read_archive_cached(path, digest, progress)
    df.attrs.update({"dataset": "geant-full", "files": {str(path): digest}})
    return df
