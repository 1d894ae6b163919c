"""Command line (`python -m splitalloc reproduce ...`): bad parameters end with exit status 2
and a message naming them, before any run starts (nothing is written)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from splitalloc import cli, config


def _fails(capsys, tmp_path, *args, match: str) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["reproduce", "--out", str(tmp_path), "--no-progress", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert match in err, err
    assert not (tmp_path / "runs").exists()  # no work started


@pytest.mark.parametrize("args, match", [
    (["--scale", "huge"], "unknown scale 'huge'"),
    (["--datasets", "geant,totem"], "unknown dataset 'totem'"),
    (["--sigmas", "0,-10"], "Sigma (eq. 15) must be a finite number >= 0, got -10.0"),
    (["--sigmas", "0,abc"], "--sigmas must be a comma-separated list of numbers"),
    (["--Ms", "0"], "M (eq. 14) must be a finite number > 0"),
    (["--workers", "0"], "--workers must be a positive integer"),
    (["--seeds", "-2"], "--seeds must be a positive integer"),
    (["--only", "fig5,fig11"], "unknown experiment 'fig11'"),
])
def test_bad_arguments_exit_2_with_a_clear_message(capsys, tmp_path, args, match):
    _fails(capsys, tmp_path, *args, match=match)


def test_window_longer_than_the_series(capsys, tmp_path, monkeypatch):
    from splitalloc import experiments as ex

    # series lengths are those of the real data (GEANT subset 324 slots, Kaggle 92 days)
    monkeypatch.setattr(ex.runs, "_real_length", lambda ds: {"geant": 324, "kaggle": 92}[ds])
    _fails(capsys, tmp_path, "--window", "60", "--only", "fig10", match="window L=60")


def test_unknown_framework_is_rejected_by_validation():
    from splitalloc import experiments as ex

    from splitalloc.frameworks import TrainSettings

    spec = ex.RunSpec(dataset="geant", framework="arima", seed=0, M=100, Sigma=30,
                      training=TrainSettings(max_steps=1, window=4, hidden_size=4, learning_rate=0.01,
                                             batch_size=8))
    with pytest.raises(ValueError, match="unknown framework 'arima'"):
        ex.validate_specs([spec], series_length=lambda s: 100)


def test_module_entry_point_help():
    out = subprocess.run([sys.executable, "-m", "splitalloc", "reproduce", "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for flag in ("--scale", "--workers", "--scheduler", "--out"):
        assert flag in out.stdout


@pytest.mark.parametrize("where", ["missing-folder", "empty-folder"])
def test_data_errors_end_with_one_line_and_no_traceback(where, tmp_path, monkeypatch, capsys):
    """A data directory that does not exist, or one without the data files, ends `reproduce`
    with exit status 1 and one line naming the problem (no traceback)."""
    data = tmp_path / "data"
    if where == "empty-folder":
        data.mkdir()
    monkeypatch.setenv(config.DATA_ENV_VAR, str(data))
    monkeypatch.setenv(config.CACHE_ENV_VAR, str(tmp_path / "cache"))
    with pytest.raises(SystemExit) as exc:
        cli.main(["reproduce", "--scale", "quick", "--out", str(tmp_path / "out"), "--no-progress"])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("python -m splitalloc reproduce: error:"), err
    assert str(data) in lines[0]


def test_reproduce_prints_the_accuracy_of_the_lstms_beside_the_naive_forecasters(capsys, tmp_path, monkeypatch):
    import numpy as np
    import pandas as pd

    from splitalloc import experiments as ex

    rows = [dict(dataset="geant", data="real", framework=fw, seed=s, slot=t, D_true=100.0,
                 abs_err=err * (1 + 0.1 * s), accuracy=1 - err * (1 + 0.1 * s) / 100, throughput=90.0)
            for fw, err in (("two-stage-lstm", 2.5), ("two-stage-persistence", 2.8), ("two-stage-seasonal", 10.0))
            for s in range(3) for t in range(10)]
    fake = {"comparison": pd.DataFrame(), "claims": pd.DataFrame(), "fig7": pd.DataFrame(rows)}
    monkeypatch.setattr(ex, "reproduce", lambda *a, **k: fake)
    assert cli.main(["reproduce", "--only", "fig7", "--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "Prediction accuracy, 1 - WAPE" in out
    for label, acc in (("LSTM", 97.25), ("Persistence (naive)", 96.92), ("Seasonal naive", 89.0)):
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(label + " "))
        assert f"{acc:.2f}" in line, line
    assert "moving-block bootstrap" in out
    assert np.isfinite(ex.fig7_table(fake["fig7"])["ci95_low"]).all()
