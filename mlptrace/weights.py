"""Starting weights: drawn as the article draws them, by a textbook scheme, or read from JSON.

Weights JSON: ``{"layers": [{"W": [[…]], "b": [[…]]}, …]}``, first layer first.  Floats are
written with ``repr`` precision (the json module's), so they read back bit-exact.
"""
from __future__ import annotations

import json
import math

import numpy as np

from .errors import MAX_NUMBER, MlptraceError, read_text
from .i18n import N_


def _uniform(rng, fan_in, fan_out):
    return rng.uniform(size=(fan_in, fan_out)), rng.uniform(size=(1, fan_out))


def _xavier(rng, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)), np.zeros((1, fan_out))


def _he(rng, fan_in, fan_out):
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_in, fan_out)), np.zeros((1, fan_out))


#: every scheme: its name (``--init``) → (how the overview sheet says it, how it draws a layer)
INITS = {
    "uniform": (N_("uniform [0, 1), as the article's np.random.uniform"), _uniform),
    "xavier": (N_("Xavier (Glorot) uniform, biases 0"), _xavier),
    "he": (N_("He normal, biases 0"), _he),
}


def initial_layers(sizes: list[int], seed: int, init: str = "uniform"):
    """Draw starting layers for layer sizes ``[inputs, hidden…, outputs]``.

    ``uniform`` is exactly the article's ``np.random.uniform(size=…)`` after
    ``np.random.seed(seed)``, in its order (W then b, layer by layer), but from a private
    RandomState, so numpy's global random state is never touched.  ``xavier`` (Glorot uniform)
    and ``he`` (normal, std √(2/fan-in)) draw W from the same private stream and start b at 0.
    """
    rng = np.random.RandomState(seed)
    draw = INITS[init][1]  # the name is checked with the settings (TrainConfig)
    return [draw(rng, fan_in, fan_out) for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]


def to_json(layers) -> str:
    """The weights JSON text of ``layers`` (bit-exact floats)."""
    doc = {"layers": [{"W": W.tolist(), "b": b.tolist()} for W, b in layers]}
    return json.dumps(doc) + "\n"


def _matrix(value, what: str) -> np.ndarray:
    rows = value if isinstance(value, list) else [value]
    if any(isinstance(x, (bool, str)) for row in rows for x in (row if isinstance(row, list) else [row])):
        raise MlptraceError(f"{what} holds something that is not a number (true, false or text)")
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise MlptraceError(f"{what} is not a matrix of numbers") from None
    except OverflowError:
        raise MlptraceError(f"{what} holds a number too large for a float") from None
    if arr.ndim != 2:
        raise MlptraceError(f"{what} is not a matrix (a list of rows of numbers)")
    if not np.all(np.isfinite(arr)):
        raise MlptraceError(f"{what} contains a value that is not a finite number")
    if np.any(np.abs(arr) > MAX_NUMBER):
        raise MlptraceError(f"{what} holds a number beyond ±9.99999999999999E+307, the largest a spreadsheet holds")
    return arr


def parse_json(text: str, source: str):
    """Parse weights JSON text; ``source`` names the file in messages."""
    try:
        doc = json.loads(text)
    except ValueError as exc:  # JSONDecodeError, and integers too long to read
        raise MlptraceError(f"weights file {source!r} is not valid JSON ({exc})") from None
    except RecursionError:
        raise MlptraceError(f"weights file {source!r} is not valid JSON (nested too deeply)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("layers"), list) or not doc["layers"]:
        raise MlptraceError(f'weights file {source!r} needs {{"layers": [{{"W": …, "b": …}}, …]}}')
    layers = []
    for k, layer in enumerate(doc["layers"], start=1):
        if not isinstance(layer, dict) or "W" not in layer or "b" not in layer:
            raise MlptraceError(f'weights file {source!r}: layer {k} needs "W" and "b"')
        layers.append((_matrix(layer["W"], f"{source}: layer {k} W"),
                       _matrix(layer["b"], f"{source}: layer {k} b")))
    return layers


def read_json(path: str):
    """Read a weights JSON file, with one clear error for any problem."""
    text = read_text(path, "weights file", "JSON")
    return parse_json(text, path)


def check_shapes(layers, sizes: list[int], source: str) -> None:
    """Raise MlptraceError unless ``layers`` fit layer sizes ``[inputs, hidden…, outputs]``."""
    want = len(sizes) - 1
    if len(layers) != want:
        raise MlptraceError(
            f"weights file {source!r} has {len(layers)} layers but the network has {want} "
            f"(sizes {'-'.join(map(str, sizes))})")
    for k, ((W, b), fan_in, fan_out) in enumerate(zip(layers, sizes[:-1], sizes[1:]), start=1):
        if W.shape != (fan_in, fan_out):
            raise MlptraceError(
                f"weights file {source!r}: layer {k} W has shape {W.shape[0]}×{W.shape[1]}, "
                f"the network needs {fan_in}×{fan_out}")
        if b.shape != (1, fan_out):
            raise MlptraceError(
                f"weights file {source!r}: layer {k} b has shape {b.shape[0]}×{b.shape[1]}, "
                f"the network needs 1×{fan_out}")
