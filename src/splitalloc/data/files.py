"""Where data files come from: the data directory, the sha256 registry, pooch downloads, errors.

One setting decides: the environment variable ``$SPLITALLOC_DATA_DIR``
(:data:`splitalloc.config.DATA_ENV_VAR`) names a local folder laid out like ``../shared/data``
(one sub-folder per dataset with its ``SOURCE.md``, see ``data/README.md``). When it is set,
files are read from there and nowhere else (the full 4-month GEANT archive, which that folder
does not hold, is the one exception: it is downloaded into the cache). When it is unset, pooch
downloads each public file into the cache folder (``$SPLITALLOC_CACHE_DIR`` or the OS cache)
and checks its sha256 against ``data/registry.txt``. Local files are checked against the same
registry. With neither, a :class:`DataNotFoundError` says what is missing and how to fetch it.
There is never a fallback to synthetic data: synthetic series come only from
:mod:`splitalloc.synthetic`, on request.

The paths below are relative to the data directory; every dataset module resolves its files
through :func:`resolve`.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config

log = logging.getLogger(__name__)

#: The registry of known files (path relative to the data directory, sha256, url).
REGISTRY_FILE = Path(__file__).resolve().parents[3] / "data" / "registry.txt"

# Paths inside the data directory (layout of ../shared/data).
GEANT_TXT = "geant-topology/thu-insc-nad/geant.txt"
GEANT_XML = "geant-topology/sndlib/geant.xml"
GEANT_TM_SUBSET = "geant-tm-sndlib-subset/directed-geant-uhlig-15min-over-4months-SUBSET.tar.xz"
GEANT_TM_SUBSET_MEMBERS = "geant-tm-sndlib-subset/members/"
GEANT_TM_FULL = "geant-tm-sndlib-full/directed-geant-uhlig-15min-over-4months-ALL.tgz"
GEANT_TM_WEEK = "geant-tm-week/geant-15min-week.hist"
KAGGLE_CSV = "kaggle-computer-network-traffic/cs448b_ipasn.csv"

#: How to obtain each file when it is neither in the data directory nor downloadable.
HOW_TO_GET = {
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
    """Base class of every data problem raised by :mod:`splitalloc.data`."""


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


def data_root(data_dir=None) -> Path | None:
    """The local data directory: ``data_dir`` if given (it must exist), else
    ``$SPLITALLOC_DATA_DIR`` (:func:`splitalloc.config.data_dir_from_env`), else ``None``
    (files are downloaded)."""
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
            f"How to get it: {HOW_TO_GET.get(entry.path, 'see data/README.md')}"
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
    root = data_root(data_dir)
    if root is not None:
        path = root / rel
        if path.is_file():
            if entry.sha256 is None:
                log.warning("%s: no sha256 is registered for this file; it is used unverified", path)
            return path, verify_sha256(path, entry.sha256)
        if rel != GEANT_TM_FULL:
            raise DataNotFoundError(
                f"{path} is missing (data directory {root}, from ${config.DATA_ENV_VAR} or the "
                f"data_dir argument). How to get it: {HOW_TO_GET.get(rel, 'see data/README.md')}"
            )
        log.info("%s not in %s; downloading it into the cache", rel, root)
    if entry.url is None:
        where = (f"the data directory {root}" if root is not None
                 else f"a data directory (${config.DATA_ENV_VAR} is not set)")
        raise DataNotFoundError(
            f"{rel} is not in {where} and has no public download URL. "
            f"How to get it: {HOW_TO_GET.get(rel, 'see data/README.md')}"
        )
    path = _download(entry, progress=progress)
    return path, sha256_file(path) if entry.sha256 is None else entry.sha256


# ------------------------------------------------------------------------ parsed-file cache


def cached_frame(cache: dict[tuple[str, str], pd.DataFrame], path: Path, digest: str,
                 parse: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A copy (values and ``attrs``) of the frame parsed from ``path``, parsing it only once.

    ``cache`` is keyed by ``(path, sha256)``: parsing 324 SNDlib XML files or the 677-line week
    file costs seconds, and the experiments call :func:`splitalloc.data.service_arrivals` many
    times. The caller resolves (and so re-verifies the hash of) the file on every call; a
    different hash is a different key. Callers get a deep copy, so they may modify it.
    """
    key = (str(path), digest)
    if key not in cache:
        cache[key] = parse()
    out = cache[key].copy()
    out.attrs = copy.deepcopy(cache[key].attrs)
    return out
