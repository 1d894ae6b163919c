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
