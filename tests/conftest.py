"""Shared fixtures: one trained article run (seed 0, epochs 1 and 5000 recorded) and the
article's own numpy script, for comparisons against the library."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlptrace import TrainConfig, train

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes a few seconds (sleeps or long runs)")


def article_script(seed: int, epochs: int = 5000):
    """The article's numpy code, verbatim apart from np.random.seed and collecting the loss.

    Returns (wh, bh, wout, bout, losses) with losses[k] = ½ΣE² of epoch k+1's forward pass.
    It seeds numpy's *global* state, as the article's reader would: callers restore it.
    """
    np.random.seed(seed)
    X = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]])
    y = np.array([[1], [1], [0]])

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    def derivatives_sigmoid(x):
        return x * (1 - x)

    epoch = epochs
    lr = 0.1
    inputlayer_neurons = X.shape[1]
    hiddenlayer_neurons = 3
    output_neurons = 1
    wh = np.random.uniform(size=(inputlayer_neurons, hiddenlayer_neurons))
    bh = np.random.uniform(size=(1, hiddenlayer_neurons))
    wout = np.random.uniform(size=(hiddenlayer_neurons, output_neurons))
    bout = np.random.uniform(size=(1, output_neurons))
    losses = []
    for i in range(epoch):
        hidden_layer_input1 = np.dot(X, wh)
        hidden_layer_input = hidden_layer_input1 + bh
        hiddenlayer_activations = sigmoid(hidden_layer_input)
        output_layer_input1 = np.dot(hiddenlayer_activations, wout)
        output_layer_input = output_layer_input1 + bout
        output = sigmoid(output_layer_input)
        E = y - output
        losses.append(0.5 * float(np.sum(E ** 2)))
        slope_output_layer = derivatives_sigmoid(output)
        slope_hidden_layer = derivatives_sigmoid(hiddenlayer_activations)
        d_output = E * slope_output_layer
        Error_at_hidden_layer = d_output.dot(wout.T)
        d_hiddenlayer = Error_at_hidden_layer * slope_hidden_layer
        wout += hiddenlayer_activations.T.dot(d_output) * lr
        bout += np.sum(d_output, axis=0, keepdims=True) * lr
        wh += X.T.dot(d_hiddenlayer) * lr
        bh += np.sum(d_hiddenlayer, axis=0, keepdims=True) * lr
    return wh, bh, wout, bout, np.array(losses)


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
