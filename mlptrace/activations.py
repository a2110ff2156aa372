"""Activation functions and their slopes, as a table keyed by name.

As in the article (and scikit-learn), each slope is written from the activation's *output*
``a``: sigmoid a(1-a), tanh 1-a², ReLU 1 where a > 0 (that is, where the input was positive),
linear 1.  The spreadsheet forms of both live here too, so the math, the written-out arithmetic
and the formulas all come from one table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))  # the article's exact expression: same bits as its loop


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
    """One activation: the function, its slope from the output, and how to write both.

    ``formula`` and ``slope_formula`` are spreadsheet templates over ``{x}`` / ``{a}``;
    ``arithmetic`` and ``slope_arithmetic`` are the same with numbers, for the written-out line.
    """

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray], np.ndarray]
    formula: str
    slope_formula: str
    arithmetic: str
    slope_arithmetic: str
    symbol: str
    slope_symbol: str
    words: str


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid", _sigmoid, _sigmoid_slope,
        "1/(1+EXP(-{x}))", "{a}*(1-{a})",
        "1/(1+exp(-{x}))", "{a}×(1−{a})",
        "sigmoid({z})", "{a}·(1−{a})",
        "squashes any number into (0, 1) as 1/(1+e^−z)",
    ),
    "tanh": Activation(
        "tanh", np.tanh, _tanh_slope,
        "TANH({x})", "1-{a}*{a}",
        "tanh({x})", "1−{a}×{a}",
        "tanh({z})", "1−{a}²",
        "squashes any number into (−1, 1)",
    ),
    "relu": Activation(
        "relu", _relu, _relu_slope,
        "MAX({x},0)", "IF({a}>0,1,0)",
        "max({x}, 0)", "(1 if {a} > 0 else 0)",
        "max({z}, 0)", "(1 where {a} > 0, else 0)",
        "keeps positive numbers and turns negative ones into 0",
    ),
    "linear": Activation(
        "linear", _identity, _one,
        "{x}", "1",
        "{x}", "1",
        "{z}", "1",
        "passes the number through unchanged",
    ),
}

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
OUTPUT_ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")


def get(name: str) -> Activation:
    """Return the activation called ``name`` (a KeyError means a bug: names are validated first)."""
    return ACTIVATIONS[name]
