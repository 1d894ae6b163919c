"""Fixtures shared by the tests of :mod:`splitalloc.data`: the real GEANT subset and Kaggle
frames (read once per test module), and a pooch stand-in that serves the registered files
from the local data directory (the download paths without a network)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from splitalloc import data


@pytest.fixture(scope="module")
def traffic(data_dir):
    return data.load_geant_traffic("subset", data_dir)


@pytest.fixture(scope="module")
def kaggle(data_dir):
    return data.load_kaggle(data_dir)


@pytest.fixture()
def fake_pooch(monkeypatch, data_dir) -> list:
    """Replace ``pooch.retrieve`` by a stand-in serving the registered bytes from the local copy
    (the subset's member files from inside its tarball); returns the ``(url, known_hash)`` calls."""
    import pooch

    with tarfile.open(data_dir / data.GEANT_TM_SUBSET) as tf:
        members = {Path(m.name).name: tf.extractfile(m).read() for m in tf.getmembers() if m.isfile()}
    calls: list = []

    def retrieve(url, known_hash, fname, path, progressbar=False):
        calls.append((url, known_hash))
        rel = {e.url: e.path for e in data.load_registry().values()}[url]
        content = members[fname] if "/members/" in rel else (data_dir / rel).read_bytes()
        out = Path(path) / fname
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        assert known_hash == f"sha256:{data.sha256_file(out)}"      # pooch would verify this
        return str(out)

    monkeypatch.setattr(pooch, "retrieve", retrieve)
    return calls
