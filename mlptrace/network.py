"""The network's math for the epochs nobody records: the update as one fast loop, and the loss.

Pure numpy and nothing else.  The update's math is defined once, by the operations of the plan
(``trace``), which the recorded epochs run; ``step`` is the same update without keeping its
matrices: the same operations in the same order, hence the same bits (a test proves it), but
it adds to the weights in place, as the article's ``+=`` does.  A network is a list of layers
``[(W, b), …]``, first hidden layer first, output layer last; ``W`` has shape (inputs, neurons)
as in ``X·W`` and ``b`` has shape (1, neurons).
"""
from __future__ import annotations

import numpy as np

Layers = list  # list[tuple[np.ndarray, np.ndarray]]


def step(layers: Layers, X: np.ndarray, y: np.ndarray, hidden, hidden_slope, output, output_slope,
         lr: float, E: np.ndarray) -> None:
    """One update of ``layers`` in place; write E = y − output into ``E`` (shape of y).

    Exactly the plan's update (same operations on the same numbers, hence the same bits)
    without keeping its matrices: for the epochs that are not recorded.  Each layer is
    updated as soon as the error of the layer below has been taken through its old W.
    ``d.sum(…)`` is ``np.sum(d, …)`` (the same reduction) without np.sum's Python wrapper.
    """
    acts = [X]
    for W, b in layers[:-1]:
        acts.append(hidden(np.dot(acts[-1], W) + b))
    W, b = layers[-1]
    out = output(np.dot(acts[-1], W) + b)
    np.subtract(y, out, out=E)
    d = E * output_slope(out)
    for l in range(len(layers) - 1, 0, -1):
        W, b = layers[l]
        A = acts[l]
        below = d.dot(W.T) * hidden_slope(A)
        W += A.T.dot(d) * lr
        b += d.sum(axis=0, keepdims=True) * lr
        d = below
    W, b = layers[0]
    W += X.T.dot(d) * lr
    b += d.sum(axis=0, keepdims=True) * lr


def half_squared_errors(E: np.ndarray) -> np.ndarray:
    """½·ΣE² of each error matrix of a stack E (K, samples, outputs): shape (K,).

    One ``matmul`` of each flattened E[k] with itself: numpy computes every row with the same
    BLAS dot product as ``np.vdot``, whatever K, so a block of epochs gets, bit for bit, the
    losses that ``half_squared_error`` gives one epoch at a time.
    """
    flat = E.reshape(len(E), 1, -1)
    with np.errstate(over="ignore", invalid="ignore"):  # silent, as np.vdot: the trainer reports it
        return 0.5 * np.matmul(flat, flat.transpose(0, 2, 1))[:, 0, 0]


def half_squared_error(E: np.ndarray) -> float:
    """½·ΣE², the article's loss."""
    return float(half_squared_errors(E[np.newaxis])[0])
