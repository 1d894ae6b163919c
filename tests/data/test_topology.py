"""splitalloc.data.topology: the GEANT topology of ``geant.txt`` against
``geant-topology/SOURCE.md``, and every malformed topology file on small files written here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from splitalloc import data
from splitalloc.data import DataFormatError

def test_geant_topology_23_nodes_74_directed_links(data_dir):
    topo = data.load_geant_topology(data_dir)
    assert topo.name == "geant" and topo.n_nodes == 23
    assert topo.links.shape == (74, 2) and topo.links.dtype == np.int64
    assert topo.capacity.shape == (74,)
    np.testing.assert_array_equal(topo.capacity, 9920000.0)          # uniform in geant.txt
    pairs = {tuple(x) for x in topo.links}
    assert len(pairs) == 74 and all((v, u) in pairs for u, v in pairs)   # both directions
    assert set(np.unique(topo.links)) == set(range(23))                # no isolated node
    deg = np.bincount(topo.links[:, 0], minlength=23)
    assert deg.min() == 2 and deg.max() == 6                          # SOURCE.md: degrees 2..6
    assert topo.source_file.name == "geant.txt" and len(topo.sha256) == 64


def _write_topo(tmp_path, text: str) -> Path:
    p = tmp_path / "geant.txt"
    p.write_text(text)
    return p


@pytest.mark.parametrize("text, match", [
    ("3 2\n0 1 10 1\n", "announces 2 links but 1"),
    ("3 1\n0 1 -10 1\n", "finite and >= 0"),
    ("3 1\n0 1 nan 1\n", "finite and >= 0"),
    ("3 1\n0 5 10 1\n", "out of range"),
    ("3 1\n0 x 10 1\n", "non-numeric"),
    ("3 1\n0 1 10\n", "expected 'u v capacity weight'"),
    ("three 1\n0 1 10 1\n", "line 1 must be"),
    ("3 2\n0 1 10 1\n1 0 10 1\n", "duplicate link"),
    ("", "empty topology"),
])
def test_bad_topology_file(tmp_path, text, match):
    p = _write_topo(tmp_path, text)
    with pytest.raises(DataFormatError, match=match) as err:
        data.read_topology_txt(p)
    assert str(p) in str(err.value) or match == "empty topology"
