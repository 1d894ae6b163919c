"""Shared fixtures.

``data_dir``: the real data directory named by ``$SPLITALLOC_DATA_DIR`` (CI and ``make test``
point it at ``../shared/data``). A test that needs real data must not pass silently without
it, so an unset or wrong setting *fails* the test with a message saying how to fix it; it is
never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from splitalloc import config

_EXPECTED = (
    "geant-topology/thu-insc-nad/geant.txt",
    "geant-topology/sndlib/geant.xml",
    "geant-tm-sndlib-subset/directed-geant-uhlig-15min-over-4months-SUBSET.tar.xz",
    "kaggle-computer-network-traffic/cs448b_ipasn.csv",
)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real data directory; fails (not skips) with a clear message when it is not usable."""
    raw = os.environ.get(config.DATA_ENV_VAR)
    if not raw:
        pytest.fail(
            f"${config.DATA_ENV_VAR} is not set. The data tests read the real datasets from a local "
            "folder laid out like ../shared/data: run `export "
            f"{config.DATA_ENV_VAR}=/path/to/shared/data` (make test and .ci/run set it to "
            "../shared/data when that folder exists). See data/README.md for how to fetch the files.",
            pytrace=False,
        )
    path = Path(raw).expanduser().resolve()
    missing = [rel for rel in _EXPECTED if not (path / rel).is_file()]
    if not path.is_dir() or missing:
        pytest.fail(
            f"${config.DATA_ENV_VAR}={raw!r} does not hold the expected data files; missing: "
            f"{missing if path.is_dir() else 'the directory itself'}. See data/README.md.",
            pytrace=False,
        )
    return path


@pytest.fixture()
def no_data_env(monkeypatch, tmp_path):
    """No data directory and an empty, private download cache (for the 'nothing available' paths)."""
    monkeypatch.delenv(config.DATA_ENV_VAR, raising=False)
    monkeypatch.setenv(config.CACHE_ENV_VAR, str(tmp_path / "cache"))
    return tmp_path / "cache"
