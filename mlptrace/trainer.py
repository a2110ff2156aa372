"""The instrumented trainer: the article's loop, recording the epochs asked for.

Unrecorded epochs run the bare math (``network.step``) and keep only their loss; a recorded
epoch computes each of its updates by the plan (``Plan.compute``) and keeps every matrix.  Both
give the same bits.  Unrecorded epochs go in blocks of up to a thousand: their
errors E land in a fixed buffer and the block's losses are reduced in one call, so an epoch
costs about what the article's loop costs.  Memory therefore grows with the recorded epochs
(and one float of loss per epoch), not with the number of epochs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import network
from .activations import get as activation
from .config import TrainConfig, from_keywords, record_epochs
from .data import Dataset, load
from .errors import MAX_NUMBER, MlptraceError, NotRecorded
from .trace import EpochTrace, Plan, StepView, record_update
from .weights import check_shapes, initial_layers, read_json


HISTORY_POINTS = 500


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
    history: list = field(default_factory=list)  # [(epoch, layers after it)], 0 = the start; see history_epochs

    def __post_init__(self):
        for e in self.epochs:
            for u in e.updates:
                u.source = (self, e)

    def show(self, epoch: int = 1, step=None, focus=(1, 1), update: int = 1, decimals: int = 3,
             lang: str = "en"):
        """Step ``step`` of update ``update`` of recorded epoch ``epoch`` (all steps when
        ``step`` is None), for a notebook to show as the workbook's board (``_repr_html_``),
        its texts in language ``lang`` (as ``--lang``)."""
        updates = self.epoch(epoch).updates
        if not 1 <= update <= len(updates):
            raise NotRecorded(f"epoch {epoch} has updates 1 to {len(updates)}, not {update}")
        chosen = updates[update - 1]
        if step is None:
            return StepView(chosen, None, tuple(focus), decimals, lang)
        return chosen.step(step, focus, decimals, lang)

    @property
    def kept_epochs(self) -> np.ndarray:
        """The epochs (from 1) whose parameters ``history`` keeps, for the summary's charts."""
        return history_epochs(self.config.epochs)

    def epoch(self, k: int) -> EpochTrace:
        """The recorded epoch number ``k`` (1-based)."""
        for e in self.epochs:
            if e.epoch == k:
                return e
        raise NotRecorded(f"epoch {k} was not recorded (recorded: {[e.epoch for e in self.epochs]})")

    def predict(self, X=None, layers=None) -> np.ndarray:
        """The network's output (samples × outputs) for X (default: the training inputs), with
        ``layers`` (default: the trained weights; ``trace.initial`` gives the untrained net's)."""
        X = self.data.X if X is None else np.asarray(X, dtype=float)
        output = self.plan.names[-1].a
        given = self.plan.given(X, self.final if layers is None else layers)
        return self.plan.compute(given, until=output)[output]


def _batches(n: int, size: int | None, order: np.ndarray) -> list[np.ndarray]:
    size = n if size is None or size >= n else size
    return [order[k:k + size] for k in range(0, n, size)]


def _starting_layers(config: TrainConfig, sizes: list[int]):
    if config.init_weights:
        layers = read_json(config.init_weights)
        check_shapes(layers, sizes, config.init_weights)
        return layers
    return initial_layers(sizes, config.seed, config.init)


def history_epochs(epochs: int) -> np.ndarray:
    """The epochs whose parameters a run keeps for charts: every epoch up to HISTORY_POINTS,
    else HISTORY_POINTS evenly spaced ones (the first and the last always)."""
    if epochs <= HISTORY_POINTS:
        return np.arange(1, epochs + 1)
    spaced = np.linspace(1, epochs, HISTORY_POINTS).round().astype(int)  # rising, maybe repeating
    return spaced[np.r_[True, spaced[1:] != spaced[:-1]]]  # as np.unique, without importing numpy.ma


def train(config: TrainConfig | None = None, *, dataset: Dataset | None = None, progress=None,
          **settings) -> Trace:
    """Train as the article does and return the trace.

    Pass a TrainConfig, or its fields as keywords (``train(hidden=(4,), epochs=100)``).
    ``dataset`` replaces ``config.data`` with a Dataset already in memory; ``progress(n)`` is
    called with the number of epochs just finished, now and then.  Raises MlptraceError for
    bad settings or when training diverges.
    """
    if config is not None and settings:
        raise MlptraceError(f"pass a TrainConfig or its fields, not both (got {', '.join(settings)})")
    if config is not None and not isinstance(config, TrainConfig):
        raise MlptraceError(f"train() takes a TrainConfig or its fields as keywords, not {config!r}")
    config = config or from_keywords(TrainConfig, settings)
    data = dataset or load(config.data, config.targets, config.seed)
    sizes = [data.X.shape[1], *config.hidden, data.y.shape[1]]
    plan = Plan(sizes, config.activation, config.output_activation)
    layers = _starting_layers(config, sizes)
    initial = [(W.copy(), b.copy()) for W, b in layers]
    run = _Run(config, data, plan, progress)
    first = 1
    for epoch in [*record_epochs(config.record, config.epochs), config.epochs + 1]:
        run.unrecorded(layers, first, epoch)
        if epoch <= config.epochs:
            layers = run.recorded(layers, epoch)
        first = epoch + 1
    if not all(np.all(np.abs(W) <= MAX_NUMBER) and np.all(np.abs(b) <= MAX_NUMBER) for W, b in layers):
        raise MlptraceError(
            f"training diverged (the weights overflowed): try a smaller --lr than {config.lr:g}")
    history = [(0, initial)] + sorted(run.history.items())
    return Trace(config, data, plan, run.loss, run.traces, initial, layers, history)


def _check_numbers(update, epoch: int, lr: float) -> None:
    """Stop at a recorded matrix that holds infinity, NaN or a number beyond what a
    spreadsheet cell holds (a sigmoid may saturate; its input must still be a number)."""
    for name, value in update.values.items():
        if not np.all(np.abs(value) <= MAX_NUMBER):
            raise MlptraceError(
                f"epoch {epoch}, update {update.index}: {name} overflows (a number beyond "
                f"±9.99999999999999E+307, the largest a spreadsheet holds): use smaller starting "
                f"weights or a smaller --lr than {lr:g}")


BLOCK = 1000  # unrecorded epochs per block; progress is reported at multiples of it
BLOCK_VALUES = 1 << 16  # at most this many error values buffered per block


class _Run:
    """The loop's fixed parts, the loss of every epoch and the recorded epochs."""

    def __init__(self, config: TrainConfig, data: Dataset, plan: Plan, progress):
        self.config, self.plan, self.progress = config, plan, progress
        hidden, output = activation(config.activation), activation(config.output_activation)
        self.fns = (hidden.fn, hidden.slope, output.fn, output.slope)
        self.X, self.y, self.n = data.X, data.y, data.X.shape[0]
        self.shuffler = np.random.default_rng([config.seed, 1]) if config.shuffle else None
        self.slices = self._slices(np.arange(self.n))
        self.loss = np.empty(config.epochs)
        self.traces: list[EpochTrace] = []
        self.keep = set(history_epochs(config.epochs).tolist())
        self.history: dict[int, list] = {}  # epoch -> layers after it, for the summary's charts
        block = max(1, min(BLOCK, BLOCK_VALUES // data.y.size))
        self.buffers = [np.empty((block, *yb.shape)) for _, _, yb in self.slices]  # E per batch

    def _slices(self, order):
        return [(idx, self.X[idx], self.y[idx]) for idx in _batches(self.n, self.config.batch_size, order)]

    def _epoch_slices(self):
        if self.shuffler is not None:
            self.slices = self._slices(self.shuffler.permutation(self.n))
        return self.slices

    def recorded(self, layers, epoch: int):
        """Run and record epoch ``epoch``; return the new layers."""
        plan, error = self.plan, self.plan.names[-1].error
        total, updates = 0.0, []
        for u, (idx, Xb, yb) in enumerate(self._epoch_slices(), start=1):
            update = record_update(plan, u, idx, Xb, yb, self.config.lr, layers)
            total += network.half_squared_error(update[error])
            updates.append(update)
            _check_numbers(update, epoch, self.config.lr)
            # the record keeps its own: the unrecorded epochs update these in place
            layers = [(W.copy(), b.copy()) for W, b in plan.after(update.values)]
        self._done(epoch, np.array([total]))
        self.traces.append(EpochTrace(epoch, total, updates))
        self._remember(epoch, layers)
        return layers

    def _remember(self, epoch: int, layers) -> None:
        if epoch in self.keep:
            self.history[epoch] = [(W.copy(), b.copy()) for W, b in layers]

    def unrecorded(self, layers, first: int, stop: int) -> None:
        """Run epochs first … stop − 1 unrecorded, updating ``layers`` in place, block by block.

        A block that makes numpy flag a floating-point event (an overflow, say) is run again
        from its start, one epoch at a time under the caller's numpy error settings, so warnings,
        errors and the divergence check come exactly as an epoch-by-epoch loop gives them.
        """
        block = len(self.buffers[0])
        while first < stop:
            count = min(stop - first, block, BLOCK - (first - 1) % BLOCK)  # blocks end at progress points
            saved = self._state(layers)
            if self._quiet_block(layers, first, count):
                self._state(layers, saved)
                for epoch in range(first, first + count):
                    self._block(layers, epoch, 1)
                    self._losses(epoch, 1)
            else:
                self._losses(first, count)
            first += count

    def _state(self, layers, saved=None):
        """Copy the parameters and the shuffler's state, or put a copy back into place."""
        if saved is None:
            draws = None if self.shuffler is None else self.shuffler.bit_generator.state
            return [(W.copy(), b.copy()) for W, b in layers], draws
        for (W, b), (W0, b0) in zip(layers, saved[0]):
            W[...], b[...] = W0, b0
        if self.shuffler is not None:
            self.shuffler.bit_generator.state = saved[1]

    def _quiet_block(self, layers, first: int, count: int) -> bool:
        """Run a block with numpy's floating-point warnings held back; say whether any came."""
        modes = np.geterr()
        if all(m == "ignore" for m in modes.values()):
            self._block(layers, first, count)
            return False
        events = []
        with np.errstate(call=lambda kind, flag: events.append(kind),
                         **{k: "ignore" if m == "ignore" else "call" for k, m in modes.items()}):
            self._block(layers, first, count)
        return bool(events)

    def _block(self, layers, first: int, count: int) -> None:
        """Epochs first … first + count − 1, unrecorded; the charts' epochs keep a copy."""
        f, df, fo, dfo = self.fns
        lr, step, keep = self.config.lr, network.step, self.keep
        if self.shuffler is None and len(self.slices) == 1:
            _, X, y = self.slices[0]
            for epoch, E in enumerate(self.buffers[0][:count], start=first):
                step(layers, X, y, f, df, fo, dfo, lr, E)
                if epoch in keep:
                    self._remember(epoch, layers)
            return
        for k in range(count):
            for (_, Xb, yb), E in zip(self._epoch_slices(), self.buffers):
                step(layers, Xb, yb, f, df, fo, dfo, lr, E[k])
            if first + k in keep:
                self._remember(first + k, layers)

    def _losses(self, first: int, count: int) -> None:
        totals = np.zeros(count)
        for E in self.buffers:  # summed batch after batch, as ``total +=`` does
            totals += network.half_squared_errors(E[:count])
        self._done(first, totals)

    def _done(self, first: int, totals: np.ndarray) -> None:
        """Keep the losses of epochs first, first + 1 …; stop at a non-finite one; report progress."""
        bad = ~np.isfinite(totals)
        if bad.any():
            raise MlptraceError(
                f"training diverged at epoch {first + int(np.argmax(bad))} (the loss is no longer a "
                f"finite number): try a smaller --lr than {self.config.lr:g}")
        last = first + len(totals) - 1
        self.loss[first - 1:last] = totals
        if self.progress is not None and (last % BLOCK == 0 or last == self.config.epochs):
            self.progress(last)
