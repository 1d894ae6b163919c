"""TrainSettings: defaults from config, every bad value named in the error."""

import pytest

from splitalloc import config
from splitalloc.frameworks import TrainSettings


def test_defaults_come_from_config():
    st = TrainSettings()
    for name in ("max_steps", "window", "hidden_size", "learning_rate", "batch_size", "input_normalisation"):
        assert getattr(st, name) == config.value(name)
    assert st.quantile_grid == tuple(config.value("quantile_grid"))


def test_bad_settings_raise_naming_the_field():
    with pytest.raises(ValueError, match="hidden_size"):
        TrainSettings(max_steps=1, window=4, hidden_size=0, learning_rate=1e-2, batch_size=8)
    with pytest.raises(ValueError, match="learning_rate"):
        TrainSettings(max_steps=1, window=4, hidden_size=4, learning_rate=-1.0, batch_size=8)
    with pytest.raises(ValueError, match="max_steps"):
        TrainSettings(max_steps=0)
    with pytest.raises(ValueError, match="patience"):
        TrainSettings(patience=1.5)
    with pytest.raises(ValueError, match="quantile_grid"):
        TrainSettings(quantile_grid=(0.5, 1.5))
    with pytest.raises(ValueError, match="regret_overload_penalty"):
        TrainSettings(regret_overload_penalty=-1.0)
    with pytest.raises(ValueError, match="input_normalisation must be one of"):
        TrainSettings(input_normalisation="robust")


def test_settings_are_one_hashable_value():
    a = TrainSettings(quantile_grid=[0.4, 0.6])           # a list is kept as a tuple
    assert a.quantile_grid == (0.4, 0.6)
    assert hash(a) == hash(TrainSettings(quantile_grid=(0.4, 0.6))) and a == TrainSettings(quantile_grid=(0.4, 0.6))
