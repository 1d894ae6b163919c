"""splitalloc.data.geant_sndlib: the SNDlib GEANT network and the May 2005 subset against the
SOURCE.md files, the subset's file-by-file download, the 4-month archive's code path on a small
stand-in, and every malformed XML or archive on small files written here."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from splitalloc import config, data
from splitalloc.data import DataFormatError, DataNotFoundError, geant_sndlib

#: every series is rescaled to this training-period mean (config service_mean_arrival)
MEAN = float(config.value("service_mean_arrival"))

def test_sndlib_network_22_named_nodes(data_dir):
    nodes, links = data.load_geant_sndlib_network(data_dir)
    assert nodes.shape == (22, 2) and list(nodes.columns) == ["lon", "lat"]
    assert nodes.index.name == "name" and nodes.index[0] == "at1.at"
    assert nodes.loc["at1.at", "lon"] == pytest.approx(16.3729)
    assert nodes.loc["at1.at", "lat"] == pytest.approx(48.2091)
    assert len(links) == 36
    assert set(links["source"]) | set(links["target"]) <= set(nodes.index)
    assert (links["module_capacity"] == 40000.0).all()


def test_geant_traffic_subset_matches_source_md(traffic):
    tm = traffic
    assert tm.shape == (324, 22 * 22)
    assert tm.index[0] == pd.Timestamp("2005-05-04 15:00")
    assert tm.index[-1] == pd.Timestamp("2005-05-07 23:45")
    assert (np.diff(tm.index) == pd.Timedelta(minutes=15)).all()
    assert tm.columns.names == ["source", "target"]
    assert len(tm.columns.get_level_values("source").unique()) == 22
    assert (tm.dtypes == np.float64).all() and np.isfinite(tm.to_numpy()).all()
    assert (tm.to_numpy() >= 0).all()
    total = tm.sum(axis=1)
    assert total.iloc[:2].eq(0).all() and (total.iloc[2:] > 0).all()   # two empty slots first
    assert tm.attrs["empty_slots"] == ["2005-05-04 15:00:00", "2005-05-04 15:15:00"]
    assert total.mean() == pytest.approx(46710.3, abs=0.05)
    nonempty = total.iloc[2:]
    assert nonempty.mean() == pytest.approx(47000.5, abs=0.05)
    assert nonempty.min() == pytest.approx(30698.5, abs=0.05)
    assert nonempty.max() == pytest.approx(67963.9, abs=0.05)
    nnz = (tm.to_numpy() > 0).sum(axis=1)
    assert nnz.min() == 0 and nnz.max() == 449                         # "0 to 449 nonzero demands"
    assert tm.attrs["unit"] == "Mbit/s" and len(tm.attrs["files"]) == 1


def test_subset_is_downloaded_file_by_file(no_data_env, monkeypatch, fake_pooch, data_dir):
    """Without a data directory the subset comes file by file, each checked against the
    registry; keep this test fast with the first 8 of the 324 files."""
    full_registry = data.load_registry()
    members = sorted(r for r in full_registry if r.startswith(data.GEANT_TM_SUBSET_MEMBERS))
    assert len(members) == 324
    small = {k: v for k, v in full_registry.items() if k not in members[8:]}
    monkeypatch.setattr(geant_sndlib, "load_registry", lambda path=None: small)
    tm = data.load_geant_traffic("subset")
    assert tm.shape == (8, 484) and len(tm.attrs["files"]) == 8
    assert [known for _, known in fake_pooch] == [f"sha256:{full_registry[r].sha256}" for r in members[:8]]
    assert tm.index[0] == pd.Timestamp("2005-05-04 15:00") and tm.index[-1] == pd.Timestamp("2005-05-04 16:45")
    real = data.load_geant_traffic("subset", data_dir)
    np.testing.assert_array_equal(tm.to_numpy(), real.iloc[:8].to_numpy())


_NODES = """<networkStructure><nodes coordinatesType="geographical">
<node id="a"><coordinates><x>1.0</x><y>2.0</y></coordinates></node>
<node id="b"><coordinates><x>3.0</x><y>4.0</y></coordinates></node>
</nodes><links></links></networkStructure>"""


def _tm_xml(time="20050504-1500", unit="MBITPERSEC", demands=(("a", "b", "5.0"),)) -> str:
    ds = "".join(f'<demand id="{s}_{t}"><source>{s}</source><target>{t}</target>'
                 f"<demandValue> {v} </demandValue></demand>" for s, t, v in demands)
    return (f'<?xml version="1.0"?><network xmlns="{data.SNDLIB_NS}" version="1.0">'
            f"<meta><granularity>15min</granularity><time>{time}</time><unit>{unit}</unit></meta>"
            f"{_NODES}<demands>{ds}</demands></network>")


def _write_tar(tmp_path, files: dict[str, str]) -> Path:
    path = tmp_path / "tm.tar.xz"
    with tarfile.open(path, "w:xz") as tf:
        for name, text in files.items():
            raw = text.encode()
            info = tarfile.TarInfo(f"dir/{name}")
            info.size = len(raw)
            tf.addfile(info, io.BytesIO(raw))
    return path


def test_small_traffic_archive_parses(tmp_path):
    p = _write_tar(tmp_path, {
        "m1.xml": _tm_xml("20050504-1515", demands=(("a", "b", "5.0"), ("b", "a", "1.5"))),
        "m0.xml": _tm_xml("20050504-1500", demands=()),
    })
    tm = data.read_sndlib_traffic_archive(p)
    assert tm.shape == (2, 4) and tm.index[1] - tm.index[0] == pd.Timedelta("15min")
    assert tm.loc["2005-05-04 15:15", ("a", "b")] == 5.0 and tm.loc["2005-05-04 15:15", ("b", "a")] == 1.5
    assert tm.loc["2005-05-04 15:15", ("a", "a")] == 0.0                 # unlisted pair = 0
    assert tm.attrs["empty_slots"] == ["2005-05-04 15:00:00"]


@pytest.mark.parametrize("xml, match", [
    (_tm_xml()[:-30], "malformed XML"),
    (_tm_xml(unit="GBITPERSEC"), "expected MBITPERSEC"),
    (_tm_xml(demands=(("a", "b", "-3"),)), "negative"),
    (_tm_xml(demands=(("a", "b", "nan"),)), "not finite"),
    (_tm_xml(demands=(("a", "b", "inf"),)), "not finite"),
    (_tm_xml(demands=(("a", "b", "lots"),)), "not a number"),
    (_tm_xml(demands=(("a", "z", "1"),)), "unknown node"),
    (_tm_xml(demands=(("a", "b", "1"), ("a", "b", "2"))), "listed twice"),
    (_tm_xml(time="yesterday"), "not YYYYMMDD-HHMM"),
    (_tm_xml().replace(data.SNDLIB_NS, "http://example.org/other"), "expected SNDlib"),
])
def test_bad_traffic_xml_names_member_and_problem(tmp_path, xml, match):
    p = _write_tar(tmp_path, {"ok.xml": _tm_xml("20050504-1445"), "broken-member.xml": xml})
    with pytest.raises(DataFormatError, match=match) as err:
        data.read_sndlib_traffic_archive(p)
    assert f"{p}::dir/broken-member.xml" in str(err.value)


def test_bad_traffic_archives(tmp_path):
    dup = _write_tar(tmp_path, {"x.xml": _tm_xml(), "y.xml": _tm_xml()})
    with pytest.raises(DataFormatError, match="share the time"):
        data.read_sndlib_traffic_archive(dup)
    junk = tmp_path / "junk.tar.xz"
    junk.write_bytes(b"not a tar at all")
    with pytest.raises(DataFormatError, match="not a readable tar"):
        data.read_sndlib_traffic_archive(junk)
    empty = tmp_path / "empty.tar.xz"
    with tarfile.open(empty, "w:xz"):
        pass
    with pytest.raises(DataFormatError, match="no SNDlib demand XML"):
        data.read_sndlib_traffic_archive(empty)
    with pytest.raises(DataNotFoundError):
        data.read_sndlib_traffic_archive(tmp_path / "absent.tar.xz")


def test_bad_sndlib_network(tmp_path):
    p = tmp_path / "net.xml"
    p.write_text(_tm_xml()[:50])
    with pytest.raises(DataFormatError, match="malformed XML"):
        data.read_sndlib_network(p)
    link = ('<link id="a_z"><source>a</source><target>z</target></link>')
    p.write_text(_tm_xml().replace("<links></links>", f"<links>{link}</links>"))
    with pytest.raises(DataFormatError, match="unknown node in a -> z .an endpoint not among"):
        data.read_sndlib_network(p)
    p.write_text(_tm_xml().replace("<x>1.0</x>", "<x>east</x>"))
    with pytest.raises(DataFormatError, match="x coordinate of node a"):
        data.read_sndlib_network(p)


def test_full_archive_path_with_gaps(tmp_path, caplog):
    """The 4-month archive's code path, on a small stand-in .tgz with 22 real node names,
    an interior empty slot and a missing slot (the real archive has breaks)."""
    names = [n for g in config.value("geant_service_sources") for n in g]
    nodes = "".join(f'<node id="{n}"><coordinates><x>0</x><y>0</y></coordinates></node>' for n in names)

    def xml(time, value):
        srcs = (names[0], names[8], names[15])            # first node of west, centre, east
        ds = "" if value is None else "".join(
            f'<demand id="d{i}"><source>{s}</source><target>{names[1]}</target>'
            f"<demandValue>{value * (i + 1)}</demandValue></demand>" for i, s in enumerate(srcs))
        return (f'<network xmlns="{data.SNDLIB_NS}"><meta><time>{time}</time><unit>MBITPERSEC</unit></meta>'
                f"<networkStructure><nodes>{nodes}</nodes></networkStructure><demands>{ds}</demands></network>")

    slots = {"20050504-1500": 1.0, "20050504-1515": None, "20050504-1545": 4.0}   # 15:30 missing
    target = tmp_path / data.GEANT_TM_FULL
    target.parent.mkdir(parents=True)
    with tarfile.open(target, "w:gz") as tf:
        for t, v in slots.items():
            raw = xml(t, v).encode()
            info = tarfile.TarInfo(f"directed-geant-uhlig-15min-over-4months-ALL/demandMatrix-{t}.xml")
            info.size = len(raw)
            tf.addfile(info, io.BytesIO(raw))
    with caplog.at_level("WARNING", logger="splitalloc.data"):
        tm = data.load_geant_traffic("full", tmp_path)
    assert "unverified" in caplog.text
    assert tm.shape == (3, 484) and tm.attrs["missing_slots"] == 1 and tm.attrs["dataset"] == "geant-full"
    assert tm.attrs["files"] == {str(target): data.sha256_file(target)}
    arr = data.service_arrivals("geant-full", data_dir=tmp_path, cap_median_multiple=None)
    assert arr.shape == (4, 3) and arr.attrs["interpolated_slots"] == 2 and arr.attrs["dropped_slots"] == []
    # each region sends 1, (2, 3 interpolated), 4 Mbit/s times (1, 2, 3); scaled so that the
    # training period (the first round(0.6 * 4) = 2 slots, mean 1.5) has mean MEAN (service_mean_arrival)
    assert arr.attrs["fit_slots"] == 2
    for name in arr.columns:
        np.testing.assert_allclose(arr[name], np.array([1.0, 2.0, 3.0, 4.0]) * MEAN / 1.5)
    assert arr.attrs["scale"]["FACE"] == pytest.approx(MEAN / (1.5 * 3 * 900))
    with pytest.raises(DataFormatError, match="no traffic in the training period"):
        data.preprocess(arr.assign(FACE=0.0), cap_median_multiple=None, mean_arrival=MEAN)
