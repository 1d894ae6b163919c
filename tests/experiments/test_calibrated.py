"""The calibration's artefacts (issue 17): ``calibration.csv``, ``calibration_morris.csv`` and
``heldout.csv`` written by ``reproduce`` (fake runs and a fake candidate: ``conftest.fake_results``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from splitalloc import experiments as ex
from splitalloc.experiments import calibrated, calibration as cal

from experiment_fakes import TINY, fake_evaluate, fake_forecasts


def test_reproduce_writes_the_calibration_tables(fake_results):
    out, res = fake_results
    d = out / TINY.name
    table = pd.read_csv(d / "calibration.csv")
    design = cal.design_for(TINY)
    assert len(table) == 1 + design["n_design"] and table["best"].sum() == 1
    assert table.loc[0, "stage"] == "today"
    for g in cal.GROUPS:
        assert g.name in table.columns
    assert {"demand_scale", "sq_error", "max_implausibility", "in_set", "in_set_margin"} <= set(table.columns)
    assert any(c.startswith("I[table4:") for c in table.columns) and any(c.startswith("mean[fig5") for c in table.columns)
    # the margin flag: the worst implausibility more than SET_MARGIN from the threshold
    assert (table["in_set_margin"] == ((table["max_implausibility"] - 3.0).abs() > cal.SET_MARGIN)).all()
    morris = pd.read_csv(d / "calibration_morris.csv")
    assert set(morris["group"]) == {g.name for g in cal.GROUPS} and (morris["mu_star"] >= 0).all()
    assert set(res) >= {"calibration", "calibration_morris", "heldout"}


def test_heldout_rows_cover_every_heldout_target(fake_results):
    out, _ = fake_results
    held = pd.read_csv(out / TINY.name / "heldout.csv")
    want = cal.heldout_targets()
    assert len(held) == len(want)
    keys = ["artefact", "dataset", "framework", "setting", "metric"]
    assert sorted(map(tuple, held[keys].astype(str).to_numpy())) == sorted(map(tuple, want[keys].astype(str).to_numpy()))
    assert (held["environment"] == "independent").all()
    done = held[held["computed"]]
    assert len(done) > 0
    assert done["error"].to_numpy() == pytest.approx((done["ours"] - done["paper"]).to_numpy())


def test_the_calibration_table_is_cached_and_not_rewritten(tmp_path, monkeypatch):
    monkeypatch.setattr(cal, "load_forecasts", fake_forecasts)
    monkeypatch.setattr(cal, "evaluate_candidate", fake_evaluate)
    first = cal.run_calibration(TINY, (0, 1, 2), tmp_path)
    files = sorted((tmp_path / "calibration").glob("*.csv"))
    assert len(files) == 2
    stamps = [f.stat().st_mtime_ns for f in files]

    def boom(*a, **k):
        raise AssertionError("a cached calibration was recomputed")

    monkeypatch.setattr(cal, "calibrate", boom)
    again = cal.run_calibration(TINY, (0, 1, 2), tmp_path)
    pd.testing.assert_frame_equal(first["calibration"], again["calibration"])
    assert [f.stat().st_mtime_ns for f in files] == stamps


def test_bad_input_is_named_and_nothing_cached_is_overwritten(tmp_path, monkeypatch):
    monkeypatch.setattr(cal, "load_forecasts", fake_forecasts)
    monkeypatch.setattr(cal, "evaluate_candidate", fake_evaluate)
    bad = cal.Group("rho_C", 0.25, 4.0, 9.0, "a default outside its range")
    monkeypatch.setattr(cal, "GROUPS", (bad,) + cal.GROUPS[1:])
    monkeypatch.setattr(cal.CalibrationSpace, "__init__", lambda self, groups=None, fixed=None: (
        object.__setattr__(self, "groups", groups or cal.GROUPS), object.__setattr__(self, "fixed", fixed or {}),
        None)[-1])
    with pytest.raises(ValueError, match=r"calibration group rho_C=9\.0 is outside its declared range"):
        cal.check_inputs()
    with pytest.raises(ValueError, match="rho_C"):
        cal.run_calibration(TINY, (0, 1, 2), tmp_path)
    assert not (tmp_path / "calibration").exists()


def test_best_fit_record_names_its_targets(fake_results):
    out, _ = fake_results
    rec = calibrated.best_fit_record(pd.read_csv(out / TINY.name / "calibration.csv"))
    assert list(rec["name"]) == [g.name for g in cal.GROUPS] and (rec["source"] == "calibrated").all()
    assert rec["provenance"].str.contains("table4").all() and rec["provenance"].str.contains("fig5").all()


def test_cli_names_a_target_row_that_does_not_parse(monkeypatch, capsys, tmp_path):
    from splitalloc import cli

    real = cal.targets

    def broken(path=None):
        raise ValueError("paper numbers, line 5 (Table 4,TOTEM,LSTM,Sigma=30,utility,8x5): target row does not parse")

    monkeypatch.setattr(cal, "targets", broken)
    with pytest.raises(SystemExit) as exc:
        cli.main(["reproduce", "--scale", "quick", "--out", str(tmp_path), "--no-progress"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "line 5" in err[0] and "does not parse" in err[0]
    assert not any(tmp_path.iterdir())
    assert real is not broken


def test_a_calibrated_parameter_must_name_its_targets():
    from splitalloc import config

    config.Parameter("rho_C", 1.0, "", "calibration", "calibrated", "fitted to the Table 4 targets")
    with pytest.raises(ValueError, match="must name its targets"):
        config.Parameter("rho_C", 1.0, "", "calibration", "calibrated", "fitted")
    with pytest.raises(ValueError, match="source must be one of"):
        config.Parameter("rho_C", 1.0, "", "calibration", "guessed", "fitted")


def test_claim_1_is_fitted_because_fig5s_bar_is_a_target():
    from splitalloc.experiments import judge

    assert calibrated.fitted_claims() == {1: "fig5:TOTEM:non-splitting"}
    assert judge.FITTED == "fitted, not tested"


# ------------------------------------------------------------------ verdicts across environments
def test_reproduce_writes_the_verdicts_across_environments(fake_results):
    out, res = fake_results
    env = pd.read_csv(out / TINY.name / "environments.csv")
    assert list(env.columns) == list(calibrated.ENVIRONMENT_COLUMNS)
    kinds = env.drop_duplicates("environment").set_index("environment")["kind"]
    assert list(kinds.iloc[:3]) == ["independent", "rule", "best fit"]
    assert (kinds.iloc[3:] == "member").all() and len(kinds) <= 3 + calibrated.SMALL_ENVIRONMENT_DESIGN["members"]
    assert env.loc[env["kind"] == "rule", "gamma"].eq(float("inf")).all()
    assert set(env["verdict"]) <= set(ex.VERDICTS) and set(env["claim_no"]) == set(calibrated.ENVIRONMENT_CLAIMS)
    assert set(env["dataset"]) == {"geant"} and (env["n_seeds"] == 3).all()


def test_members_are_clear_members_best_first():
    base = {g.name: g.default for g in cal.GROUPS}
    rows = [dict(base, rho_C=1.0 + i / 10, sq_error=float(e), in_set=s, in_set_margin=m, best=b,
                 max_implausibility=2.0)
            for i, (e, s, m, b) in enumerate([(1, False, True, True), (5, True, True, False),
                                              (3, True, False, False), (4, True, True, False),
                                              (9, True, True, False)])]
    table = pd.DataFrame(rows)
    small = TINY.replace(name="quick")   # the quick design: up to 4 members, 3 seeds
    envs = calibrated.environment_list(table, small)
    assert [k for k, _, _ in envs] == ["independent", "rule", "best fit", "member", "member", "member"]
    # the near-tie (in_set_margin False) is left out; the best fit is not counted twice; best sq_error first
    assert [r["sq_error"] for _, _, r in envs[3:]] == [4.0, 5.0, 9.0]
    assert envs[2][1].compute_density_total == pytest.approx(1.0 * 100 / 35)
    specs = calibrated.environment_specs(small, (0, 1, 2, 3), envs)
    assert len(specs) == len(envs) * 3 * 3 * len(calibrated.ENVIRONMENT_FRAMEWORKS)
    assert {s.environment.name for s in specs} == {e.name for _, e, _ in envs}


def test_the_member_search_draws_near_members(monkeypatch):
    """With members in the set, a fixed number of points is drawn within MEMBER_RADIUS of them (unit
    cube), categorical groups kept; with none, nothing is drawn."""
    monkeypatch.setattr(cal, "evaluate_candidate", fake_evaluate)
    kw = dict(n_design=4, seeds=(0, 1, 2), sigmas=(0.0, 30.0), forecasts={}, n_refine=0)
    table = cal.calibrate(cal.CalibrationSpace(), member_evals=4, **kw)
    members = table[(table["stage"] != "member") & table["in_set"]]
    assert len(members) >= 1 and (table["stage"] == "member").sum() == 4
    space = cal.CalibrationSpace()
    centres = [space.to_unit(r) for _, r in members.iterrows()]
    for _, r in table[table["stage"] == "member"].iterrows():
        u = space.to_unit(r)
        assert min(np.abs(u - c).max() for c in centres) <= cal.MEMBER_RADIUS + 1e-12
    def far(*a, **k):   # every target twice the paper's: nobody is in the set
        df = fake_evaluate(*a, **k)
        return df.assign(value=2 * df["value"]).pipe(lambda d: (d.attrs.update(df.attrs), d)[1])

    monkeypatch.setattr(cal, "evaluate_candidate", far)
    nobody = cal.calibrate(cal.CalibrationSpace(), member_evals=4, **kw)
    assert not nobody["in_set"].any() and (nobody["stage"] == "member").sum() == 0
