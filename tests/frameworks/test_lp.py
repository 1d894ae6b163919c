"""The scenario's LP in torch: h = [C; B; D; 0] as the problem builds it; the offline optimum."""

import numpy as np
import torch

from splitalloc.frameworks import ScenarioLP
from splitalloc.scenario import make_scenario


def test_torch_h_equals_the_problems_h():
    s = make_scenario("geant", seed=0)
    lp = ScenarioLP(s.problem)
    D = np.abs(np.random.default_rng(0).normal(100, 10, (4, 3)))
    h = lp.h(torch.tensor(s.C_true), torch.tensor(s.B_true), torch.tensor(D)).numpy()
    np.testing.assert_allclose(h, s.problem.h(s.C_true, s.B_true, D))                # eq. (4b)


def test_offline_allocation_serves_what_it_reserves(runs):
    off = runs["offline"]
    np.testing.assert_allclose(off["D_pred"], off["D_true"])
    np.testing.assert_allclose(off["served"], off["d"], rtol=1e-9, atol=1e-9)


def test_serve_on_gamma_default_is_the_proportional_rule():
    """Calibration knob (issue 17): ``serve_on(..., gamma=1)`` is today's rule bit for bit, and a
    larger gamma never serves more."""
    from splitalloc.frameworks.lp import serve_on

    s = make_scenario("geant", seed=0)
    D = s.arrivals.to_numpy()[-20:]
    d = 1.3 * D                                     # over-reserve: some resources overload
    today = serve_on(s, d, D)
    assert np.array_equal(today, serve_on(s, d, D, gamma=1.0))
    assert np.all(serve_on(s, d, D, gamma=3.0) <= today + 1e-12)
    assert np.all(serve_on(s, d, D, gamma=float("inf")) <= serve_on(s, d, D, gamma=3.0) + 1e-12)
