"""The instrumented trainer: the article's loop, recording the epochs asked for.

Unrecorded epochs run the bare math and keep only their loss; a recorded epoch also names and
copies every matrix of each of its updates.  Memory therefore grows with the recorded epochs
(and one float of loss per epoch), not with the number of epochs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import network
from .activations import get as activation
from .config import TrainConfig, record_epochs
from .data import Dataset, load
from .errors import MlptraceError
from .trace import EpochTrace, Plan, record_update
from .weights import check_shapes, initial_layers, read_json


@dataclass
class Trace:
    """The result of a training run.

    loss : (epochs,) array of ½·ΣE² per epoch;  epochs : recorded EpochTrace list;
    initial / final : layers [(W, b), …] before the first and after the last epoch.
    """
    config: TrainConfig
    data: Dataset
    plan: Plan
    loss: np.ndarray
    epochs: list
    initial: list
    final: list
    start: str  # where the starting weights came from, in words

    def epoch(self, k: int) -> EpochTrace:
        """The recorded epoch number ``k`` (1-based)."""
        for e in self.epochs:
            if e.epoch == k:
                return e
        raise KeyError(f"epoch {k} was not recorded (recorded: {[e.epoch for e in self.epochs]})")

    def predict(self, X=None) -> np.ndarray:
        """The trained network's output for X (default: the training inputs)."""
        X = self.data.X if X is None else np.asarray(X, dtype=float)
        return network.forward(self.final, X, activation(self.plan.hidden).fn,
                               activation(self.plan.output).fn)[1][-1]


def _batches(n: int, size: int | None, order: np.ndarray) -> list[np.ndarray]:
    size = n if size is None or size >= n else size
    return [order[k:k + size] for k in range(0, n, size)]


def _starting_layers(config: TrainConfig, sizes: list[int]):
    if config.init_weights:
        layers = read_json(config.init_weights)
        check_shapes(layers, sizes, config.init_weights)
        return layers, f"read from {config.init_weights}"
    how = {"uniform": "uniform [0, 1), as the article's np.random.uniform",
           "xavier": "Xavier (Glorot) uniform, biases 0", "he": "He normal, biases 0"}[config.init]
    return initial_layers(sizes, config.seed, config.init), f"{how}, seed {config.seed}"


def train(config: TrainConfig | None = None, *, data: Dataset | None = None, progress=None,
          **settings) -> Trace:
    """Train as the article does and return the trace.

    Pass a TrainConfig, or its fields as keywords (``train(hidden=(4,), epochs=100)``).
    ``data`` overrides ``config.data`` with a Dataset already in memory; ``progress(n)`` is
    called with the number of epochs just finished, now and then.  Raises MlptraceError for
    bad settings or when training diverges.
    """
    config = config or TrainConfig(**settings)
    data = data or load(config.data, config.targets, config.seed)
    sizes = [data.X.shape[1], *config.hidden, data.y.shape[1]]
    plan = Plan(sizes, config.activation, config.output_activation)
    layers, start = _starting_layers(config, sizes)
    initial = [(W.copy(), b.copy()) for W, b in layers]
    recorded = set(record_epochs(config.record, config.epochs))
    f, df = activation(config.activation).fn, activation(config.activation).slope
    fo, dfo = activation(config.output_activation).fn, activation(config.output_activation).slope
    X, y, lr, n = data.X, data.y, config.lr, data.X.shape[0]
    shuffler = np.random.default_rng([config.seed, 1]) if config.shuffle else None
    batches = _batches(n, config.batch_size, np.arange(n))
    slices = [(idx, X[idx], y[idx]) for idx in batches]
    loss = np.empty(config.epochs)
    traces = []
    for epoch in range(1, config.epochs + 1):
        if shuffler is not None:
            slices = [(idx, X[idx], y[idx]) for idx in _batches(n, config.batch_size, shuffler.permutation(n))]
        keep = epoch in recorded
        total, updates = 0.0, []
        for u, (idx, Xb, yb) in enumerate(slices, start=1):
            zs, acts = network.forward(layers, Xb, f, fo)
            errors, slopes, deltas = network.backward(layers, acts, yb, df, dfo)
            new = network.update(layers, acts, deltas, lr)
            total += network.half_squared_error(errors[-1])
            if keep:
                updates.append(record_update(plan, u, idx, Xb, yb, lr, layers, zs, acts, errors,
                                             slopes, deltas, new))
            layers = new
        if not math.isfinite(total):
            raise MlptraceError(
                f"training diverged at epoch {epoch} (the loss is no longer a finite number): "
                f"try a smaller --lr than {lr:g}")
        loss[epoch - 1] = total
        if keep:
            traces.append(EpochTrace(epoch, total, updates))
        if progress is not None and (epoch % 1000 == 0 or epoch == config.epochs):
            progress(epoch)
    if not all(np.all(np.isfinite(W)) and np.all(np.isfinite(b)) for W, b in layers):
        raise MlptraceError(f"training diverged (the weights overflowed): try a smaller --lr than {lr:g}")
    return Trace(config, data, plan, loss, traces, initial, layers, start)
