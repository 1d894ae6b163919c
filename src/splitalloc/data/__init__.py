"""Real data: GEANT topology, GEANT traffic matrices, Kaggle flows, and the per-service arrival
series ``D_k(t)`` of the paper (§III-B, the upper bound in eq. (1)).

Which file serves which dataset (each dataset folder of the data directory has a ``SOURCE.md``
saying where its files come from; ``data/README.md`` summarises them):

====================  ===========================================  ==============================
module                what it reads                                 datasets / public entry points
====================  ===========================================  ==============================
``files``             ``$SPLITALLOC_DATA_DIR``, the sha256          :func:`resolve`,
                      registry ``data/registry.txt``, pooch          :func:`load_registry`, the
                      downloads; the errors below                    ``Data*Error`` classes
``topology``          ``geant-topology/thu-insc-nad/geant.txt``     :func:`load_geant_topology`
                      (23 nodes, 74 directed links, §V-A)            (the network of every run)
``geant_sndlib``      SNDlib XML: ``geant-tm-sndlib-subset/``        ``"geant-may"``
                      (324 slots, May 2005), the 4-month archive     (:func:`load_geant_subset`),
                      ``geant-tm-sndlib-full/``, and the network     ``"geant-full"``
                      ``geant-topology/sndlib/geant.xml``            (:func:`load_geant_full`),
                                                                     :func:`load_geant_sndlib_network`
``geant_week``        ``geant-tm-week/geant-15min-week.hist``       ``"geant"``, the headline
                      (DOTE/FIGRET, 677 slots)                       (:func:`load_geant_week`)
``kaggle``            ``kaggle-computer-network-traffic/``          ``"kaggle"`` (:func:`load_kaggle`)
                      ``cs448b_ipasn.csv`` (92 days)
``arrivals``          any of the above                              :func:`service_arrivals`,
                                                                     :func:`load_geant_traffic`
====================  ===========================================  ==============================

The modules import in that order (``files`` first, ``arrivals`` last); none imports a later one.

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

Where the parameters come from
------------------------------
:func:`service_arrivals` reads the config defaults of its rule (``service_mean_arrival`` as
``mean_arrival``, ``arrival_cap_median_multiple``, ``train_fraction``, the service groups) at
its entry and passes them down as arguments; see :mod:`splitalloc.data.arrivals`. The period
on which the cap and the scale are fitted can be passed as ``fit_slots`` (the scenario module
passes the first rolling origin's training period for Kaggle).

Errors
------
:class:`DataNotFoundError` (a missing file), :class:`DataHashError` (sha256 mismatch) and
:class:`DataFormatError` (malformed XML/CSV, wrong columns, negative or non-finite values) each
name the file and the problem; all are :class:`DataError`.
"""

from __future__ import annotations

from .files import (GEANT_TM_FULL, GEANT_TM_SUBSET, GEANT_TM_SUBSET_MEMBERS, GEANT_TM_WEEK, GEANT_TXT,
                    GEANT_XML, HOW_TO_GET, KAGGLE_CSV, REGISTRY_FILE, DataError, DataFormatError,
                    DataHashError, DataNotFoundError, RegistryEntry, cache_dir, cached_frame, data_root,
                    load_registry, resolve, sha256_file, verify_sha256)
from .topology import Topology, load_geant_topology, read_topology_txt
from .geant_sndlib import (SNDLIB_NS, load_geant_full, load_geant_sndlib_network, load_geant_subset,
                           parse_sndlib_demands, read_sndlib_network, read_sndlib_traffic_archive)
from .geant_week import GEANT_WEEK_NODES, load_geant_week, read_week_hist
from .kaggle import KAGGLE_COLUMNS, load_kaggle, read_kaggle_csv
from .arrivals import (DATASETS, GEANT_VARIANTS, load_geant_traffic, preprocess, service_arrivals,
                       training_slots, trim_and_fill)

__all__ = [
    # files: data directory, registry, downloads, errors
    "GEANT_TM_FULL", "GEANT_TM_SUBSET", "GEANT_TM_SUBSET_MEMBERS", "GEANT_TM_WEEK", "GEANT_TXT",
    "GEANT_XML", "HOW_TO_GET", "KAGGLE_CSV", "REGISTRY_FILE", "DataError", "DataFormatError",
    "DataHashError", "DataNotFoundError", "RegistryEntry", "cache_dir", "cached_frame", "data_root",
    "load_registry", "resolve", "sha256_file", "verify_sha256",
    # topology
    "Topology", "load_geant_topology", "read_topology_txt",
    # SNDlib XML
    "SNDLIB_NS", "load_geant_full", "load_geant_sndlib_network", "load_geant_subset",
    "parse_sndlib_demands", "read_sndlib_network", "read_sndlib_traffic_archive",
    # the GEANT week
    "GEANT_WEEK_NODES", "load_geant_week", "read_week_hist",
    # Kaggle
    "KAGGLE_COLUMNS", "load_kaggle", "read_kaggle_csv",
    # arrivals D_k(t)
    "DATASETS", "GEANT_VARIANTS", "load_geant_traffic", "preprocess", "service_arrivals",
    "training_slots", "trim_and_fill",
]
