"""Trace records: every matrix of an update, with the operation and operands it came from.

The *plan* of a network (its layer sizes and activations) fixes, once, the name, operation,
operands and step of every matrix, and the steps themselves; walking it, each operation's
``apply`` computes its matrix (the one definition of the update's math).  A recorded update is
the plan plus one owned numpy array per name.  From a matrix's operation the sheets derive, for any cell,
the cells it is computed from, its formula and its written-out arithmetic (see ``expr``).

Names follow the article.  With one hidden layer they are exactly the article's
(``hidden_layer_input``, ``d_hiddenlayer`` …); with several, every hidden-layer name gets the
layer's number, first hidden layer 1: ``wh_1``, ``hidden_layer_input_2``, ``d_hiddenlayer_2``.
Parameters after the update carry the suffix ``_next``; ``lr`` is a 1×1 matrix.

Words (step titles, what a given matrix is) are English msgids marked for the catalogues; an
operation's ``symbols`` takes the reader's translate function ``t``, so the plan itself has no
language.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import expr as ex
from .activations import get as activation
from .errors import NotRecorded
from .i18n import N_, english
from .wording import forms, slope_symbol

# ---------------------------------------------------------------- operations


@dataclass(frozen=True)
class Given:
    """A matrix that is read, drawn or set, not computed: X, y, the starting parameters, lr."""
    what: str

    def cell(self, i, j, operands, shapes):
        return None

    def symbols(self, name, operands, t=english):
        return f"{name}: {t(self.what)}"


@dataclass(frozen=True)
class Affine:
    """Z = A·W + b.  Cell (i, j): row i of A against column j of W, plus b[j]."""

    def cell(self, i, j, operands, shapes):
        A, W, b = operands
        n = shapes[0][1]
        dot = ex.Dot(tuple(ex.Ref(A, i, k) for k in range(n)), tuple(ex.Ref(W, k, j) for k in range(n)))
        return ex.Bin("+", dot, ex.Ref(b, 0, j))

    def symbols(self, name, operands, t=english):
        A, W, b = operands
        return f"{name} = {A}·{W} + {b}"

    def apply(self, A, W, b):
        return np.dot(A, W) + b


@dataclass(frozen=True)
class Activate:
    """a = f(z), cell by cell."""
    activation: str

    def cell(self, i, j, operands, shapes):
        return ex.Apply(self.activation, "fn", ex.Ref(operands[0], i, j))

    def symbols(self, name, operands, t=english):
        return f"{name} = " + forms(self.activation).symbol.format(z=operands[0])

    def apply(self, z):
        return activation(self.activation).fn(z)


@dataclass(frozen=True)
class Slope:
    """The activation's derivative, written from its output a (sigmoid: a·(1−a))."""
    activation: str

    def cell(self, i, j, operands, shapes):
        return ex.Apply(self.activation, "slope", ex.Ref(operands[0], i, j))

    def symbols(self, name, operands, t=english):
        return f"{name} = " + slope_symbol(self.activation, operands[0], t)

    def apply(self, a):
        return activation(self.activation).slope(a)


@dataclass(frozen=True)
class Difference:
    """E = y − output, cell by cell."""

    def cell(self, i, j, operands, shapes):
        return ex.Bin("-", ex.Ref(operands[0], i, j), ex.Ref(operands[1], i, j))

    def symbols(self, name, operands, t=english):
        return f"{name} = {operands[0]} − {operands[1]}"

    def apply(self, y, out):
        return y - out


@dataclass(frozen=True)
class Product:
    """Cell-by-cell product (the article's ``*``)."""

    def cell(self, i, j, operands, shapes):
        return ex.Bin("*", ex.Ref(operands[0], i, j), ex.Ref(operands[1], i, j))

    def symbols(self, name, operands, t=english):
        return t("{name} = {a} * {b}  (cell by cell)", name=name, a=operands[0], b=operands[1])

    def apply(self, a, b):
        return a * b


@dataclass(frozen=True)
class BackProp:
    """Error = d·Wᵀ.  Cell (i, j): row i of d against row j of W."""

    def cell(self, i, j, operands, shapes):
        d, W = operands
        n = shapes[0][1]
        return ex.Dot(tuple(ex.Ref(d, i, k) for k in range(n)), tuple(ex.Ref(W, j, k) for k in range(n)))

    def symbols(self, name, operands, t=english):
        return f"{name} = {operands[0]}·{operands[1]}ᵀ"

    def apply(self, d, W):
        return d.dot(W.T)


@dataclass(frozen=True)
class StepWeights:
    """W_next = W + Aᵀ·d·lr.  Cell (i, j): W[i,j] + (column i of A against column j of d)·lr."""

    def cell(self, i, j, operands, shapes):
        W, A, d, lr = operands
        n = shapes[1][0]
        dot = ex.Dot(tuple(ex.Ref(A, k, i) for k in range(n)), tuple(ex.Ref(d, k, j) for k in range(n)))
        return ex.Bin("+", ex.Ref(W, i, j), ex.Bin("*", dot, ex.Ref(lr, 0, 0)))

    def symbols(self, name, operands, t=english):
        W, A, d, lr = operands
        return f"{name} = {W} + {A}ᵀ·{d}·{lr}"

    def change(self, A, d, lr):
        """The update's change Δ = Aᵀ·d·lr, as ``apply`` adds it (what an exercise asks for)."""
        return A.T.dot(d) * lr[0, 0]

    def apply(self, W, A, d, lr):
        return W + self.change(A, d, lr)


@dataclass(frozen=True)
class StepBias:
    """b_next = b + Σrows d·lr.  Cell (0, j): b[j] + (sum of column j of d)·lr."""

    def cell(self, i, j, operands, shapes):
        b, d, lr = operands
        total = ex.Total(tuple(ex.Ref(d, k, j) for k in range(shapes[1][0])))
        return ex.Bin("+", ex.Ref(b, 0, j), ex.Bin("*", total, ex.Ref(lr, 0, 0)))

    def symbols(self, name, operands, t=english):
        b, d, lr = operands
        return t("{name} = {b} + Σrows {d}·{lr}", name=name, b=b, d=d, lr=lr)

    def change(self, d, lr):
        """The update's change Δ = Σrows d·lr, as ``apply`` adds it."""
        return np.sum(d, axis=0, keepdims=True) * lr[0, 0]

    def apply(self, b, d, lr):
        return b + self.change(d, lr)


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Spec:
    """Where a matrix comes from: its operation, operand names and the step that computes it."""
    name: str
    op: object
    operands: tuple
    step: str


@dataclass(frozen=True)
class Step:
    """One step sheet: its number, title (an English msgid), the matrices it computes, its
    phase, the kind of its sentence (a key of ``wording.step_sentences``) and, with several
    hidden layers, the layer number after the title (" 2")."""
    id: str
    title: str
    computes: tuple
    phase: str  # "given", "forward", "backward" or "update"
    kind: str
    layer: str = ""

    @property
    def label(self) -> str:
        """The English label: "3 Hidden layer input 2"."""
        return f"{self.id} {self.title}{self.layer}"


@dataclass(frozen=True)
class LayerNames:
    """The article's names for one layer's matrices."""
    W: str
    b: str
    z: str
    a: str
    slope: str
    error: str
    delta: str


def layer_names(n_hidden: int) -> list[LayerNames]:
    """Names per layer, first hidden layer first, output layer last."""
    def hidden(k):
        s = f"_{k}" if n_hidden > 1 else ""
        return LayerNames(f"wh{s}", f"bh{s}", f"hidden_layer_input{s}", f"hiddenlayer_activations{s}",
                          f"slope_hidden_layer{s}", f"Error_at_hidden_layer{s}", f"d_hiddenlayer{s}")
    return [hidden(k) for k in range(1, n_hidden + 1)] + [LayerNames(
        "wout", "bout", "output_layer_input", "output", "slope_output_layer", "E", "d_output")]


@dataclass
class Plan:
    """Everything about a network's update that does not depend on the numbers.

    sizes : [inputs, hidden…, outputs];  hidden/output : activation names.
    """
    sizes: tuple
    hidden: str = "sigmoid"
    output: str = "sigmoid"
    specs: dict = field(init=False)
    steps: list = field(init=False)

    def __post_init__(self):
        self.sizes = tuple(self.sizes)
        self.specs, self.steps = {}, []
        self._build()

    @property
    def names(self) -> list[LayerNames]:
        return layer_names(len(self.sizes) - 2)

    def given(self, X, layers, y=None, lr=None, copy=False) -> dict:
        """The given matrices by name: X, y, every layer's W and b (``layers`` first hidden layer
        first) and lr as a 1×1 matrix; ``copy`` makes float copies the result owns."""
        values = {"X": X, "y": y}
        for n, (W, b) in zip(self.names, layers):
            values[n.W], values[n.b] = W, b
        values["lr"] = None if lr is None else np.array([[lr]], dtype=float)
        if copy:
            values = {k: None if v is None else np.array(v, dtype=float, copy=True) for k, v in values.items()}
        return values

    def compute(self, values: dict, until: str | None = None) -> dict:
        """Fill ``values`` (the given matrices by name) with every computed matrix, in the plan's
        order, each by its operation's ``apply``: the one definition of the update's math.  With
        ``until``, stop once that matrix is computed (``"output"``: the forward pass)."""
        for name, spec in self.specs.items():
            if isinstance(spec.op, Given):
                continue
            args = [values[o] for o in spec.operands]
            value = spec.op.apply(*args)
            # linear's output is its input: the record keeps a matrix of its own
            values[name] = value.copy() if any(value is a for a in args) else value
            if name == until:
                break
        return values

    def after(self, values: dict) -> list:
        """The layers [(W_next, b_next), …] of a computed update, first hidden layer first."""
        return [(values[n.W + "_next"], values[n.b + "_next"]) for n in self.names]

    def _step(self, id, title, phase, kind, *entries, layer=""):
        """Add a step and the matrices it computes, each given as (name, op, operand, …)."""
        for name, op, *operands in entries:
            self.specs[name] = Spec(name, op, tuple(operands), id)
        self.steps.append(Step(id, title, tuple(e[0] for e in entries), phase, kind, layer))

    def _build(self):
        names = self.names
        self._step("1", N_("Inputs"), "given", "inputs",
                   ("X", Given(N_("the inputs, one row per sample"))),
                   ("y", Given(N_("the targets, one row per sample"))))
        self._step("2", N_("Initial weights"), "given", "weights",
                   *[e for n in names for e in ((n.W, Given(N_("weights at the start of this update"))),
                                                (n.b, Given(N_("biases at the start of this update"))))],
                   ("lr", Given(N_("the learning rate"))))
        self._forward(names)
        self._backward(names)
        inputs = ["X"] + [n.a for n in names[:-1]]
        self._step("11", N_("Update weights"), "update", "update_w",
                   *[(n.W + "_next", StepWeights(), n.W, a, n.delta, "lr") for n, a in reversed(list(zip(names, inputs)))])
        self._step("12", N_("Update biases"), "update", "update_b",
                   *[(n.b + "_next", StepBias(), n.b, n.delta, "lr") for n in reversed(names)])

    @staticmethod
    def _numbered(k, several):
        """Step id suffix and title suffix of hidden layer k: ".2", " 2" (nothing for one layer)."""
        return (f".{k}", f" {k}") if several else ("", "")

    def _forward(self, names):
        """Steps 3–4 per hidden layer, 5 and 6."""
        several, prev, out = len(names) > 2, "X", names[-1]
        for k, n in enumerate(names[:-1], start=1):
            sfx, num = self._numbered(k, several)
            self._step(f"3{sfx}", N_("Hidden layer input"), "forward", "hidden_input",
                       (n.z, Affine(), prev, n.W, n.b), layer=num)
            self._step(f"4{sfx}", N_("Hidden activations"), "forward", "hidden_act",
                       (n.a, Activate(self.hidden), n.z), layer=num)
            prev = n.a
        self._step("5", N_("Output"), "forward", "output",
                   (out.z, Affine(), prev, out.W, out.b), (out.a, Activate(self.output), out.z))
        self._step("6", N_("Error"), "forward", "error", (out.error, Difference(), "y", out.a))

    def _backward(self, names):
        """Steps 7 and 8, then 9–10 per hidden layer, last layer first."""
        out, hidden = names[-1], names[:-1]
        self._step("7", N_("Slopes"), "backward", "slopes", (out.slope, Slope(self.output), out.a),
                   *[(n.slope, Slope(self.hidden), n.a) for n in reversed(hidden)])
        self._step("8", N_("Output delta"), "backward", "d_output", (out.delta, Product(), out.error, out.slope))
        for k in range(len(hidden), 0, -1):
            n, after = names[k - 1], names[k]
            sfx, num = self._numbered(k, len(names) > 2)
            self._step(f"9{sfx}", N_("Hidden error"), "backward", "hidden_error",
                       (n.error, BackProp(), after.delta, after.W), layer=num)
            self._step(f"10{sfx}", N_("Hidden delta"), "backward", "hidden_delta",
                       (n.delta, Product(), n.error, n.slope), layer=num)


# ---------------------------------------------------------------- records


@dataclass
class Update:
    """One recorded update: every matrix by name (owned arrays), and the samples it used.

    ``samples`` are 0-based row numbers of the data; ``index`` counts updates in the epoch from 1.
    """
    plan: Plan
    index: int
    samples: tuple
    values: dict
    #: (trace, epoch) it was recorded in, so that a notebook can show it as the workbook does
    source: tuple | None = field(default=None, repr=False, compare=False)
    _changes: dict = field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]

    def change(self, name: str) -> np.ndarray:
        """The change Δ that the update ``name`` (``wh_next``…) adds to its parameter, computed
        by its operation as it computed ``name`` (so ``Δ[i, j]`` is numpy's own number)."""
        if name not in self._changes:
            spec = self.spec(name)
            self._changes[name] = spec.op.change(*(self.values[o] for o in spec.operands[1:]))
        return self._changes[name]

    def spec(self, name: str) -> Spec:
        return self.plan.specs[name]

    def cell_expr(self, name: str, i: int, j: int):
        """The expression of cell (i, j) of ``name`` (None for a given matrix)."""
        spec = self.spec(name)
        shapes = [self.values[o].shape for o in spec.operands]
        return spec.op.cell(i, j, spec.operands, shapes)

    def cell_value(self, ref: ex.Ref) -> float:
        return float(self.values[ref.name][ref.row, ref.col])

    def step(self, step, focus=(1, 1), decimals: int = 3, lang: str = "en") -> "StepView":
        """Step ``step`` (its number, 3 or "3.1") of this update, for a notebook to show as its
        board, ``focus`` (1-based row, column) yellow in every matrix it computes, its texts in
        language ``lang`` (as ``--lang``: one of ``i18n.languages()``)."""
        ids = [s.id for s in self.plan.steps]
        if str(step) not in ids:
            raise NotRecorded(f"no step {step!r}; the steps are {', '.join(ids)}")
        return StepView(self, str(step), tuple(focus), decimals, lang)

    def _repr_html_(self):
        return StepView(self, None)._repr_html_()


@dataclass(frozen=True)
class StepView:
    """One step (``step`` None: all of them) of an update as a notebook shows it: the board of
    the workbook's sheet, the same highlighting, and any cell a click away from its inputs."""
    update: Update
    step: str | None
    focus: tuple = (1, 1)
    decimals: int = 3
    lang: str = "en"

    def __post_init__(self):
        from .config import OutputConfig  # checked now, as the command line checks its options
        OutputConfig(focus=tuple(self.focus), decimals=self.decimals, lang=self.lang)

    def _repr_html_(self):
        if self.update.source is None:
            return None  # not recorded by train(): nothing to lay out the board with
        from .export import update_html  # here, not above: the records know nothing of pages
        trace, epoch = self.update.source
        return update_html(trace, epoch, self.update, self.step, self.focus, self.decimals, self.lang)


@dataclass
class EpochTrace:
    """The recorded updates of one epoch and that epoch's loss (½·ΣE² before its updates)."""
    epoch: int
    loss: float
    updates: list


def record_update(plan: Plan, index: int, samples, X, y, lr: float, layers) -> Update:
    """Compute one update by the plan and keep every matrix of it.

    The given matrices are copied and every computed one is a fresh array, so the record owns
    what it holds: the unrecorded epochs that follow update the layers in place.
    """
    values = plan.given(X, layers, y, lr, copy=True)
    return Update(plan, index, tuple(int(s) for s in samples), plan.compute(values))
