"""splitalloc.data: real datasets checked against ../shared/data/*/SOURCE.md, and every
kind of bad input (missing file, hash mismatch, malformed XML/CSV, wrong column, negative
or non-finite value) on small files the tests write themselves."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from splitalloc import config, data
from splitalloc.data import DataFormatError, DataHashError, DataNotFoundError

#: every series is rescaled to this training-period mean (config service_mean_arrival)
MEAN = float(config.value("service_mean_arrival"))

SUBSET_TAR = data.GEANT_TM_SUBSET


# ------------------------------------------------------------------ real data (SOURCE.md)


@pytest.fixture(scope="module")
def traffic(data_dir):
    return data.load_geant_traffic("subset", data_dir)


@pytest.fixture(scope="module")
def kaggle(data_dir):
    return data.load_kaggle(data_dir)


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


def test_kaggle_matches_source_md(kaggle):
    kg = kaggle
    assert list(kg.columns) == ["date", "l_ipn", "r_asn", "f"]
    assert str(kg["date"].dtype).startswith("datetime64")
    assert all(kg[c].dtype == np.int64 for c in ("l_ipn", "r_asn", "f"))
    assert len(kg) == 20803 and int(kg["f"].sum()) == 1953698
    assert kg["date"].nunique() == 92
    assert kg["date"].min() == pd.Timestamp("2006-07-01") and kg["date"].max() == pd.Timestamp("2006-09-30")
    assert sorted(kg["l_ipn"].unique()) == list(range(10)) and kg["r_asn"].nunique() == 2005
    daily = kg.groupby("date")["f"].sum()
    assert daily.min() == 2706 and daily.max() == 788297 and daily.mean() == pytest.approx(21235.8, abs=0.05)
    grid = kg.pivot_table(index="date", columns="l_ipn", values="f", aggfunc="sum", fill_value=0)
    assert int((grid.to_numpy() == 0).sum()) == 73


# ------------------------------------------------------------------ arrivals D_k(t)


def test_service_arrivals_geant_may_rule(data_dir, traffic):
    arr = data.service_arrivals("geant-may", data_dir=data_dir)
    names = list(config.value("service_names"))
    assert list(arr.columns) == names and arr.shape == (322, 3)        # 2 empty slots dropped
    assert arr.index[0] == pd.Timestamp("2005-05-04 15:30")
    assert (np.diff(arr.index) == pd.Timedelta("15min")).all()
    assert (arr.dtypes == np.float64).all() and np.isfinite(arr.to_numpy()).all()
    assert (arr.to_numpy() >= 0).all()
    n_fit = data.training_slots(322)
    assert arr.attrs["fit_slots"] == n_fit == 193
    np.testing.assert_allclose(arr.iloc[:n_fit].mean().to_numpy(), config.value("service_mean_arrival"))
    a = arr.attrs
    assert a["dataset"] == "geant-may" and a["unit"] == "Mb/slot" and a["slot"] == "15min"
    assert a["synthetic"] is False and a["dropped_slots"] == ["2005-05-04 15:00:00", "2005-05-04 15:15:00"]
    (path, digest), = a["files"].items()
    assert path.endswith(SUBSET_TAR) and digest == data.load_registry()[SUBSET_TAR].sha256
    # the rule, recomputed independently: Mbit/s originating at the region x 900 s, then scaled
    tm = traffic.iloc[2:]
    for name, group in zip(names, config.value("geant_service_sources")):
        raw = tm.loc[:, tm.columns.get_level_values("source").isin(group)].sum(axis=1) * 900.0
        fit = raw.iloc[:n_fit].mean()                                    # training period only
        np.testing.assert_allclose(arr[name].to_numpy(), raw.to_numpy() * MEAN / fit, rtol=1e-12)
        assert a["scale"][name] == pytest.approx(MEAN / fit)
    assert sum(len(g) for g in config.value("geant_service_sources")) == 22


def test_service_arrivals_kaggle_rule_and_cap(data_dir, kaggle):
    arr = data.service_arrivals("kaggle", data_dir=data_dir)
    assert arr.shape == (92, 3) and (np.diff(arr.index) == pd.Timedelta("1D")).all()
    assert arr.attrs["slot"] == "1D" and arr.attrs["synthetic"] is False
    n_fit = data.training_slots(92)
    np.testing.assert_allclose(arr.iloc[:n_fit].mean().to_numpy(), MEAN)
    assert arr.attrs["capped_slots"] == {"VGG16": ["2006-09-17 00:00:00", "2006-09-18 00:00:00"]}
    daily = kaggle.pivot_table(index="date", columns="l_ipn", values="f", aggfunc="sum", fill_value=0)
    for name, group in zip(config.value("service_names"), config.value("kaggle_service_workstations")):
        raw = daily[list(group)].sum(axis=1).astype(float)
        raw = raw.clip(upper=20.0 * raw.iloc[:n_fit].median())            # training median
        np.testing.assert_allclose(arr[name].to_numpy(), raw.to_numpy() * MEAN / raw.iloc[:n_fit].mean(),
                                   rtol=1e-12)
    uncapped = data.service_arrivals("kaggle", data_dir=data_dir, cap_median_multiple=None)
    assert uncapped.attrs["capped_slots"] == {}
    assert uncapped["VGG16"].max() > 30 * uncapped["VGG16"].median()  # the burst the cap removes
    np.testing.assert_allclose(uncapped["AlexNet"], arr["AlexNet"])    # other services untouched


def test_service_arrivals_bad_arguments(data_dir):
    with pytest.raises(ValueError, match="dataset must be one of"):
        data.service_arrivals("totem", data_dir=data_dir)
    with pytest.raises(ValueError, match="cap_median_multiple"):
        data.service_arrivals("kaggle", data_dir=data_dir, cap_median_multiple=-1)
    with pytest.raises(ValueError, match="variant"):
        data.load_geant_traffic("half", data_dir)


def test_trim_and_fill_drops_edges_and_interpolates_interior():
    idx = pd.date_range("2005-05-04 15:00", periods=6, freq="15min")
    raw = pd.DataFrame({"a": [0.0, 2.0, 0.0, 6.0, 8.0, 0.0]}, index=idx)
    empty = pd.Series([True, False, True, False, False, True], index=idx)
    out, notes = data._trim_and_fill(raw.drop(idx[3]), empty.drop(idx[3]), "15min")   # idx[3] missing
    assert list(out.index) == list(idx[1:5])
    np.testing.assert_allclose(out["a"], [2.0, 4.0, 6.0, 8.0])   # interior empty slot and gap filled
    assert notes == {"dropped_slots": [str(idx[0]), str(idx[5])], "interpolated_slots": 2}
    with pytest.raises(DataFormatError, match="every slot"):
        data._trim_and_fill(raw, pd.Series(True, index=idx), "15min")


# --------------------------------------------------------- location, hashes, downloads


def test_missing_file_in_data_dir_names_it(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"geant\.txt is missing.*How to get it"):
        data.load_geant_topology(tmp_path)
    with pytest.raises(DataNotFoundError, match="Kaggle login"):
        data.load_kaggle(tmp_path)
    with pytest.raises(DataNotFoundError, match="does not exist"):
        data.load_geant_topology(tmp_path / "nope")


def test_hash_mismatch_names_file_expected_and_actual(tmp_path, data_dir):
    target = tmp_path / data.GEANT_TXT
    target.parent.mkdir(parents=True)
    target.write_bytes((data_dir / data.GEANT_TXT).read_bytes() + b"\n")
    expected = data.load_registry()[data.GEANT_TXT].sha256
    actual = data.sha256_file(target)
    with pytest.raises(DataHashError) as err:
        data.load_geant_topology(tmp_path)
    msg = str(err.value)
    assert str(target) in msg and expected in msg and actual in msg


def test_env_var_is_the_default_location(monkeypatch, data_dir, tmp_path):
    monkeypatch.setenv(config.DATA_ENV_VAR, str(data_dir))
    assert data.load_geant_topology().n_nodes == 23
    monkeypatch.setenv(config.DATA_ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match=config.DATA_ENV_VAR):
        data.load_geant_topology()


def test_nothing_available_is_a_clear_error(no_data_env, monkeypatch):
    import pooch

    def offline(*args, **kwargs):
        raise ConnectionError("network unreachable")

    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(DataNotFoundError, match=r"could not download .*geant\.txt.*SPLITALLOC_DATA_DIR"):
        data.load_geant_topology()
    with pytest.raises(DataNotFoundError, match="needs a Kaggle login"):
        data.load_kaggle()
    with pytest.raises(DataNotFoundError, match="could not download"):
        data.load_geant_traffic("full")


def _fake_retrieve(data_dir: Path, calls: list):
    """Stand-in for pooch.retrieve serving the registered bytes from the local copy."""
    tar_path = data_dir / SUBSET_TAR
    with tarfile.open(tar_path) as tf:
        members = {Path(m.name).name: tf.extractfile(m).read() for m in tf.getmembers() if m.isfile()}

    def retrieve(url, known_hash, fname, path, progressbar=False):
        calls.append((url, known_hash))
        rel = {e.url: e.path for e in data.load_registry().values()}[url]
        content = members[fname] if "/members/" in rel else (data_dir / rel).read_bytes()
        out = Path(path) / fname
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        assert known_hash == f"sha256:{data.sha256_file(out)}"      # pooch would verify this
        return str(out)

    return retrieve


def test_download_path_uses_registry_hashes(no_data_env, monkeypatch, data_dir):
    import pooch

    calls: list = []
    monkeypatch.setattr(pooch, "retrieve", _fake_retrieve(data_dir, calls))
    topo = data.load_geant_topology()
    assert topo.n_nodes == 23 and topo.source_file.is_relative_to(no_data_env)
    assert calls[0][0].startswith("https://raw.githubusercontent.com/THU-INSC-NAD/")
    # the subset comes file by file; keep this test fast with the first 8 of the 324 files
    full_registry = data.load_registry()
    members = sorted(r for r in full_registry if r.startswith(data.GEANT_TM_SUBSET_MEMBERS))
    assert len(members) == 324
    small = {k: v for k, v in full_registry.items() if k not in members[8:]}
    monkeypatch.setattr(data, "load_registry", lambda path=None: small)
    tm = data.load_geant_traffic("subset")
    assert tm.shape == (8, 484) and len(tm.attrs["files"]) == 8
    assert tm.index[0] == pd.Timestamp("2005-05-04 15:00") and tm.index[-1] == pd.Timestamp("2005-05-04 16:45")
    real = data.load_geant_traffic("subset", data_dir)
    np.testing.assert_array_equal(tm.to_numpy(), real.iloc[:8].to_numpy())


def test_download_hash_mismatch_is_reported(no_data_env, monkeypatch):
    import pooch

    def bad(*args, **kwargs):
        raise ValueError("SHA256 hash of downloaded file (abc) does not match the known hash: expected def")

    monkeypatch.setattr(pooch, "retrieve", bad)
    with pytest.raises(DataHashError, match="does not match"):
        data.load_geant_topology()


def test_registry_is_complete_and_strict(tmp_path):
    reg = data.load_registry()
    for rel in (data.GEANT_TXT, data.GEANT_XML, SUBSET_TAR, data.KAGGLE_CSV):
        assert reg[rel].sha256 is not None
    assert reg[data.GEANT_TM_FULL].sha256 is None and reg[data.GEANT_TM_FULL].url.endswith("-ALL.tgz")
    assert sum(r.startswith(data.GEANT_TM_SUBSET_MEMBERS) for r in reg) == 324
    bad = tmp_path / "registry.txt"
    bad.write_text(f"{data.GEANT_TXT} unknown -\n")
    with pytest.raises(DataFormatError, match="only .* may have an unknown hash"):
        data.load_registry(bad)
    bad.write_text(f"{data.GEANT_TXT} 1234 -\n")
    with pytest.raises(DataFormatError, match="not a sha256"):
        data.load_registry(bad)


# ------------------------------------------------------------- malformed files (written here)


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
    with pytest.raises(DataFormatError, match="endpoint not among"):
        data.read_sndlib_network(p)
    p.write_text(_tm_xml().replace("<x>1.0</x>", "<x>east</x>"))
    with pytest.raises(DataFormatError, match="x coordinate of node a"):
        data.read_sndlib_network(p)


_CSV_OK = "date,l_ipn,r_asn,f\n2006-07-01,0,701,1\n2006-07-01,1,714,3\n2006-07-02,0,701,2\n"


def test_small_kaggle_csv_parses(tmp_path):
    p = tmp_path / "k.csv"
    p.write_text(_CSV_OK)
    kg = data.read_kaggle_csv(p)
    assert len(kg) == 3 and kg["f"].tolist() == [1, 3, 2] and kg["f"].dtype == np.int64
    assert kg["date"].iloc[2] == pd.Timestamp("2006-07-02")


@pytest.mark.parametrize("text, match", [
    ("date,l_ipn,Bytes,Time\n2006-07-01,0,701,1\n", "columns are"),
    ("date,l_ipn,r_asn\n2006-07-01,0,701\n", "columns are"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,-4\n", "row 2: f = -4 is negative"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,1\n2006-07-01,0,702,inf\n", "row 3: f = 'inf' is not a finite"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,nan\n", "not a finite number"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,\n", "not a finite number"),
    ("date,l_ipn,r_asn,f\n2006-07-01,zero,701,1\n", "l_ipn = 'zero'"),
    ("date,l_ipn,r_asn,f\n07/01/2006,0,701,1\n", "is not YYYY-MM-DD"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,1.5\n", "not an integer"),
    ("date,l_ipn,r_asn,f\n2006-07-01,0,701,1,9,9\n", "malformed CSV"),
    ("", "malformed CSV"),
    ("date,l_ipn,r_asn,f\n", "no data rows"),
])
def test_bad_kaggle_csv_names_file_and_problem(tmp_path, text, match):
    p = tmp_path / "cs448b_ipasn.csv"
    p.write_text(text)
    with pytest.raises(DataFormatError, match=match) as err:
        data.read_kaggle_csv(p)
    assert str(p) in str(err.value)


def test_corrupt_copy_in_data_dir_is_caught_by_hash(tmp_path, data_dir):
    """A malformed Kaggle file placed where the real one belongs fails loudly (hash first)."""
    target = tmp_path / data.KAGGLE_CSV
    target.parent.mkdir(parents=True)
    shutil.copy(data_dir / data.KAGGLE_CSV, target)
    with open(target, "a") as fh:
        fh.write("2006-10-01,0,701,-1\n")
    with pytest.raises(DataHashError, match="cs448b_ipasn.csv"):
        data.load_kaggle(tmp_path)


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
        data._rescale(arr.assign(FACE=0.0))


# ------------------------------------------------------------------ the GEANT week (DOTE/FIGRET .hist)


def test_geant_week_matches_source_md(data_dir):
    tm = data.load_geant_traffic("week", data_dir)
    assert tm.shape == (677, 22 * 22) and tm.attrs["dataset"] == "geant"
    assert (np.diff(tm.index) == pd.Timedelta(minutes=15)).all()
    nodes = list(tm.columns.get_level_values("source").unique())
    assert nodes == sorted(nodes) == list(config.value("geant_week_node_order"))   # the assumption
    m = tm.to_numpy().reshape(677, 22, 22)
    assert (m >= 0).all() and (np.einsum("tii->ti", m) == 0).all()                 # diagonal 0
    total = tm.sum(axis=1)
    assert total.mean() == pytest.approx(43_600, rel=2e-3)                         # 4.36e10 bit/s
    assert total.min() == pytest.approx(30_700, rel=2e-3)                          # 3.07e10 bit/s
    assert tm.to_numpy().max() == pytest.approx(8290, rel=2e-3)                    # 8.29e9 bit/s
    x = total.to_numpy() - total.mean()                        # sample autocorrelation (global mean)
    lag = lambda k: (x[k:] * x[:-k]).sum() / (x * x).sum()
    assert lag(1) == pytest.approx(0.98, abs=0.005) and lag(96) == pytest.approx(0.64, abs=0.005)
    src = tm.T.groupby(level="source").sum().T.mean()
    assert src.idxmin() == "sk1.sk" and src.min() == pytest.approx(57, abs=0.5)     # SOURCE.md
    assert src.idxmax() == "ch1.ch" and src.max() == pytest.approx(6370, abs=0.5)
    assert "assumed" in tm.attrs["node_order"] and "nominal" in tm.attrs["calendar"]
    (path, digest), = tm.attrs["files"].items()
    assert path.endswith(data.GEANT_TM_WEEK) and digest == data.load_registry()[data.GEANT_TM_WEEK].sha256


def test_service_arrivals_geant_is_the_week(data_dir):
    arr = data.service_arrivals("geant", data_dir=data_dir)
    assert arr.shape == (677, 3) and arr.attrs["dataset"] == "geant" and arr.attrs["fit_slots"] == 406
    np.testing.assert_allclose(arr.iloc[:406].mean().to_numpy(), MEAN)
    tm = data.load_geant_traffic("week", data_dir)
    for name, group in zip(config.value("service_names"), config.value("geant_service_sources")):
        raw = tm.loc[:, tm.columns.get_level_values("source").isin(group)].sum(axis=1) * 900.0
        np.testing.assert_allclose(arr[name].to_numpy(), raw.to_numpy() * MEAN / raw.iloc[:406].mean(),
                                   rtol=1e-12)


def test_week_registry_entry_is_pinned_to_the_figret_commit():
    entry = data.load_registry()[data.GEANT_TM_WEEK]
    assert entry.sha256 == "b6f8d5df18505386cf3ecdf4c89459945211b6e02c7f4aaa3bb506d523e8dfca"
    assert entry.url == ("https://raw.githubusercontent.com/FIGRET/figret/"
                         "5e117d840cb9bd2875f6ed9779767e8785b1a869/Data/GEANT/test/7.hist")


def _write_hist(path: Path, rows) -> Path:
    path.write_text("\n".join(" ".join(repr(float(v)) for v in r) for r in rows) + "\n")
    return path


def test_small_week_file_parses(tmp_path):
    nodes = ("a", "b", "c")
    rows = [np.arange(9) * 1e6 * (t + 1) for t in range(4)]
    tm = data.read_week_hist(_write_hist(tmp_path / "w.hist", rows), node_ids=nodes, start="2020-01-01")
    assert tm.shape == (4, 9) and tm.index[1] == pd.Timestamp("2020-01-01 00:15")
    assert tm.loc[tm.index[0], ("b", "c")] == 5.0            # row-major M[src, dst], bit/s -> Mbit/s
    assert tm.loc[tm.index[3], ("c", "a")] == 24.0


@pytest.mark.parametrize("text, match", [
    ("1 2 3\n", r"line 1 has 3 values, expected 4"),
    ("1 2 3 x\n", r"line 1: 'x' is not a number"),
    ("1 2 3 4\n1 -2 3 4\n", r"line 2: negative value -2"),
    ("1 2 3 nan\n", r"line 1: non-finite"),
    ("\n", r"empty file"),
])
def test_bad_week_file_names_line_and_problem(tmp_path, text, match):
    p = tmp_path / "bad.hist"
    p.write_text(text)
    with pytest.raises(DataFormatError, match=match):
        data.read_week_hist(p, node_ids=("a", "b"))
    with pytest.raises(DataNotFoundError, match="does not exist"):
        data.read_week_hist(tmp_path / "nope.hist", node_ids=("a", "b"))


def test_week_missing_from_data_dir_says_how_to_get_it(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"geant-15min-week\.hist is missing.*FIGRET"):
        data.load_geant_traffic("week", tmp_path)


def test_week_download_is_checked_against_the_registry(no_data_env, monkeypatch, data_dir):
    import pooch

    calls: list = []
    monkeypatch.setattr(pooch, "retrieve", _fake_retrieve(data_dir, calls))
    tm = data.load_geant_traffic("week")
    assert tm.shape == (677, 484)
    (url, known), = calls
    assert "FIGRET/figret/5e117d8" in url and known == f"sha256:{data.load_registry()[data.GEANT_TM_WEEK].sha256}"


# ------------------------------------------------------------------ no leakage from the test period


def test_preprocessing_statistics_come_from_the_training_period_only():
    rng = np.random.default_rng(0)
    idx = pd.date_range("2020-01-01", periods=50, freq="15min")
    raw = pd.DataFrame(rng.uniform(1, 2, size=(50, 2)), index=idx, columns=["A", "B"])
    raw.iloc[5, 0] = 100.0                                      # a training-period burst
    n_fit = data.training_slots(50)
    assert n_fit == 30
    out, scale, capped = data.preprocess(raw, cap_median_multiple=20.0)
    changed = raw.copy()
    changed.iloc[n_fit:] = rng.uniform(0, 1000, size=(50 - n_fit, 2))  # a wholly different future
    out2, scale2, capped2 = data.preprocess(changed, cap_median_multiple=20.0)
    assert scale == scale2
    pd.testing.assert_frame_equal(out.iloc[:n_fit], out2.iloc[:n_fit])
    assert capped["A"] == capped2["A"][:1] == [str(idx[5])]
    np.testing.assert_allclose(out.iloc[:n_fit].mean().to_numpy(), config.value("service_mean_arrival"))
    # the cap level is the training median's multiple, applied to the future as well
    assert out2["A"].iloc[n_fit:].max() <= 20.0 * raw["A"].iloc[:n_fit].median() * scale["A"] + 1e-9
    with pytest.raises(ValueError, match="train_end must be in 1..50"):
        data.preprocess(raw, cap_median_multiple=None, train_end=0)
    with pytest.raises(DataFormatError, match="no traffic in the training period"):
        data.preprocess(raw.assign(B=np.r_[np.zeros(30), np.ones(20)]), cap_median_multiple=None)


def test_real_arrivals_do_not_depend_on_their_test_period(data_dir, monkeypatch):
    """Rewriting the GEANT week's last 40 % (validation + test) leaves the first 60 % unchanged."""
    week = data.load_geant_traffic("week", data_dir)
    base = data.service_arrivals("geant", data_dir=data_dir)
    fake = week.copy()
    fake.iloc[406:] = fake.iloc[406:].to_numpy() * 7.0
    fake.attrs = dict(week.attrs)
    monkeypatch.setattr(data, "load_geant_traffic", lambda *a, **k: fake)
    moved = data.service_arrivals("geant", data_dir=data_dir)
    assert moved.attrs["scale"] == base.attrs["scale"]
    pd.testing.assert_frame_equal(moved.iloc[:406], base.iloc[:406])
    np.testing.assert_allclose(moved.iloc[406:].to_numpy(), base.iloc[406:].to_numpy() * 7.0, rtol=1e-12)


def test_training_slots_matches_the_split_of_the_experiments():
    from splitalloc.models import split_bounds

    for n in (92, 322, 677, 3500, 7):
        assert data.training_slots(n) == split_bounds(n, config.value("train_fraction"),
                                                      config.value("val_fraction"))[0]
    with pytest.raises(ValueError, match="n_slots must be a positive integer"):
        data.training_slots(0)


def test_service_arrivals_with_other_node_groups(data_dir):
    """``sources=`` replaces geant_service_sources (the robustness page permutes the mapping)."""
    groups = config.value("geant_service_sources")
    swapped = (groups[2], groups[1], groups[0])
    base = data.service_arrivals("geant-may", data_dir=data_dir)
    other = data.service_arrivals("geant-may", data_dir=data_dir, sources=swapped)
    np.testing.assert_allclose(other["AlexNet"].to_numpy(), base["FACE"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(other["FACE"].to_numpy(), base["AlexNet"].to_numpy(), rtol=1e-12)
    assert other.attrs["sources"] == swapped and "sources" not in base.attrs
    with pytest.raises(ValueError, match="GEANT datasets only"):
        data.service_arrivals("kaggle", data_dir=data_dir, sources=swapped)
    with pytest.raises(DataFormatError, match="not in the traffic data"):
        data.service_arrivals("geant-may", data_dir=data_dir, sources=(("xx1.xx",), groups[1], groups[2]))
