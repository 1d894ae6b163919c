"""splitalloc.data.files: where files come from (data directory, ``$SPLITALLOC_DATA_DIR``,
pooch downloads), the sha256 registry, and the errors that name the missing or corrupt file."""

from __future__ import annotations

import pytest

from splitalloc import config, data
from splitalloc.data import DataFormatError, DataHashError, DataNotFoundError

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


def test_download_path_uses_registry_hashes(no_data_env, fake_pooch):
    topo = data.load_geant_topology()
    assert topo.n_nodes == 23 and topo.source_file.is_relative_to(no_data_env)
    (url, known), = fake_pooch
    assert url.startswith("https://raw.githubusercontent.com/THU-INSC-NAD/")
    assert known == f"sha256:{data.load_registry()[data.GEANT_TXT].sha256}"


def test_download_hash_mismatch_is_reported(no_data_env, monkeypatch):
    import pooch

    def bad(*args, **kwargs):
        raise ValueError("SHA256 hash of downloaded file (abc) does not match the known hash: expected def")

    monkeypatch.setattr(pooch, "retrieve", bad)
    with pytest.raises(DataHashError, match="does not match"):
        data.load_geant_topology()


def test_registry_is_complete_and_strict(tmp_path):
    reg = data.load_registry()
    for rel in (data.GEANT_TXT, data.GEANT_XML, data.GEANT_TM_SUBSET, data.KAGGLE_CSV):
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
