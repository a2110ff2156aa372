"""The network's math: forward pass, backward pass and the gradient-descent update.

Pure numpy and nothing else.  Written in the article's order of operations so that, on the
article's data, every number is bit-for-bit the number its loop computes.  A network is a list
of layers ``[(W, b), …]``, first hidden layer first, output layer last; ``W`` has shape
(inputs, neurons) as in ``X·W`` and ``b`` has shape (1, neurons).

``forward``, ``backward`` and ``update`` never write into an array they were given: the recorder
keeps the arrays it is handed and must never see them change afterwards.  ``step`` is the same
update for the epochs nobody records: the same operations in the same order, hence the same
bits, but it keeps no intermediate matrix and adds to the weights in place, as the article's
``+=`` does.
"""
from __future__ import annotations

import numpy as np

Layers = list  # list[tuple[np.ndarray, np.ndarray]]


def forward(layers: Layers, X: np.ndarray, hidden, output):
    """Return (pre-activations, activations) per layer.

    ``hidden``/``output`` are activation functions.  zs[l] has shape (samples, neurons of layer
    l); acts[0] is X itself, acts[l + 1] = f(zs[l]); acts[-1] is the network's output.
    """
    zs, acts = [], [X]
    last = len(layers) - 1
    for l, (W, b) in enumerate(layers):
        z = np.dot(acts[-1], W) + b
        zs.append(z)
        acts.append(output(z) if l == last else hidden(z))
    return zs, acts


def backward(layers: Layers, acts, y: np.ndarray, hidden_slope, output_slope):
    """Return (errors, slopes, deltas) per layer, as the article computes them.

    errors[-1] is E = y − output; errors[l] = deltas[l+1]·W[l+1]ᵀ for the hidden layers;
    slopes[l] = slope(acts[l+1]); deltas[l] = errors[l] * slopes[l].  Shapes: (samples, neurons).
    """
    n = len(layers)
    slopes = [hidden_slope(a) for a in acts[1:-1]] + [output_slope(acts[-1])]
    errors, deltas = [None] * n, [None] * n
    errors[-1] = y - acts[-1]
    deltas[-1] = errors[-1] * slopes[-1]
    for l in range(n - 2, -1, -1):
        errors[l] = deltas[l + 1].dot(layers[l + 1][0].T)
        deltas[l] = errors[l] * slopes[l]
    return errors, slopes, deltas


def update(layers: Layers, acts, deltas, lr: float) -> Layers:
    """Return the new layers: W + Aᵀ·d·lr and b + Σrows d·lr (gradient descent on ½ΣE²)."""
    return [
        (W + acts[l].T.dot(deltas[l]) * lr,
         b + np.sum(deltas[l], axis=0, keepdims=True) * lr)
        for l, (W, b) in enumerate(layers)
    ]


def step(layers: Layers, X: np.ndarray, y: np.ndarray, hidden, hidden_slope, output, output_slope,
         lr: float, E: np.ndarray) -> None:
    """One update of ``layers`` in place; write E = y − output into ``E`` (shape of y).

    Exactly forward, backward and update (same operations on the same numbers, hence the same
    bits) without keeping their matrices: for the epochs that are not recorded.  Each layer is
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
