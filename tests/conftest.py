"""Shared fixtures: one trained article run (seed 0, epochs 1 and 5000 recorded) and the
article's own numpy script, for comparisons against the library."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import article
from mlptrace import TrainConfig, train

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes a few seconds (sleeps or long runs)")


def article_script(seed: int, epochs: int = 5000):
    """The article's script (tests/article.py): (wh, bh, wout, bout, losses), where losses[k] is
    ½ΣE² of epoch k+1's forward pass.  It seeds numpy's global state: use run_article_script."""
    losses = []
    return (*article.article_script(seed, epochs, losses), np.array(losses))


@pytest.fixture
def run_article_script():
    """article_script, with numpy's global random state restored afterwards."""
    state = np.random.get_state()
    try:
        yield article_script
    finally:
        np.random.set_state(state)


@pytest.fixture(scope="session")
def article_trace():
    """The article's run: seed 0, 5000 epochs, epochs 1 and 5000 recorded.  Do not mutate."""
    return train(seed=0, record="1,last")


@pytest.fixture(scope="session")
def xor_sgd_trace():
    """xor with batch size 1 (four updates per epoch), epochs 1 and 3 recorded.  Do not mutate."""
    return train(TrainConfig(data="xor", batch_size=1, epochs=3, record="1,3", seed=3))


@pytest.fixture
def out_dir(tmp_path):
    """A not-yet-existing output folder inside the test's tmp folder."""
    return tmp_path / "out"
