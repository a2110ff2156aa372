"""Activation functions and their slopes, as a table keyed by name.

As in the article (and scikit-learn), each slope is written from the activation's *output*
``a``: sigmoid a(1-a), tanh 1-a², ReLU 1 where a > 0 (that is, where the input was positive),
linear 1.  Pure math: how each is written on a sheet is in ``wording``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def _sigmoid(x):
    # The article's exact expression: the same bits as its loop.  Where x < −709.78, exp(−x)
    # overflows to inf and the result is exactly 0, as it should be (numpy may warn).
    return 1 / (1 + np.exp(-x))


def _sigmoid_slope(a):
    return a * (1 - a)


def _tanh_slope(a):
    return 1 - a * a


def _relu(x):
    return np.maximum(x, 0.0)


def _relu_slope(a):
    return (a > 0).astype(float)


def _identity(x):
    return x


def _one(a):
    return np.ones_like(a)


@dataclass(frozen=True)
class Activation:
    """One activation: the function and its slope written from the output."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray], np.ndarray]


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_slope),
    "tanh": Activation("tanh", np.tanh, _tanh_slope),
    "relu": Activation("relu", _relu, _relu_slope),
    "linear": Activation("linear", _identity, _one),
}

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
OUTPUT_ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")


def get(name: str) -> Activation:
    """Return the activation called ``name`` (a KeyError means a bug: names are validated first)."""
    return ACTIVATIONS[name]
