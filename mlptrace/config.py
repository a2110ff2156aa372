"""Settings, validated once, up front, each from one table: what to train (``TrainConfig``)
and how to write it (``OutputConfig``).

Every check names the option and the bad value, so the command line can print it as it is, and
gives the value in its one form: ``train(targets="passed")`` is one column, ``hidden=3`` one
layer; a string is never split into letters, ``"no"`` is not a boolean, 5 is not a file.
"""
from __future__ import annotations

import numbers
import os
from dataclasses import dataclass, fields, replace

import numpy as np

from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .errors import MAX_NUMBER, MlptraceError
from .i18n import N_, languages
from .weights import INITS


#: a workbook per recorded epoch: more than this is a mistake, not a handout (and its records
#: would fill the memory before the first file is written)
MAX_RECORDED = 1000
#: the largest seed numpy's ``np.random.seed`` takes
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class TrainConfig:
    """What to train and what to record.

    data : built-in name or CSV path;  targets : CSV target columns (None: the last column);
    hidden : hidden layer sizes;  batch_size : None for full batch, 1 for SGD;
    record : epochs to trace (``"1,last"``, ``"1-3"``, ``"all"``);  init_weights : a weights
    JSON file that replaces the drawn starting weights.
    """
    data: str = "article"
    targets: tuple | None = None
    hidden: tuple = (3,)
    epochs: int = 5000
    lr: float = 0.1
    seed: int = 0
    init: str = "uniform"
    init_weights: str | None = None
    activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    batch_size: int | None = None
    shuffle: bool = False
    record: str = "1,last"

    def __post_init__(self):
        _validate(self, _CHECKS)
        record_epochs(self.record, self.epochs)  # raises for an epoch beyond --epochs, or too many

    def to_dict(self) -> dict:
        """JSON-ready settings (for the dump and the overview sheet)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["hidden"] = list(self.hidden)
        d["targets"] = list(self.targets) if self.targets else None
        return d


def _whole(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _positive_int(option):
    def check(v):
        if not _whole(v) or v < 1:
            raise MlptraceError(f"{option} must be a whole number of at least 1, not {v!r}")
        return int(v)
    return check


def _positive_float(option):
    def check(v):
        if not isinstance(v, numbers.Real) or isinstance(v, (bool, np.bool_)) or not 0 < v <= MAX_NUMBER:
            raise MlptraceError(f"{option} must be a positive number, not {v!r}")
        return float(v)
    return check


def _one_of(option, choices):
    def check(v):
        if not isinstance(v, str) or v not in choices:
            raise MlptraceError(f"{option} must be one of {', '.join(choices)}, not {v!r}")
        return v
    return check


def _file_name(option, optional):
    def check(v):
        if v is None and optional:
            return None
        if isinstance(v, os.PathLike):
            v = os.fspath(v)
        if not isinstance(v, str) or not v or "\x00" in v:
            raise MlptraceError(f"{option} must be a file name, not {v!r}")
        return v
    return check


def _data(v):
    if isinstance(v, os.PathLike):
        v = os.fspath(v)
    if not isinstance(v, str) or not v or "\x00" in v:
        raise MlptraceError(f"--data must be a built-in data name or a CSV file name, not {v!r}")
    return v


def _hidden(v):
    if _whole(v):
        v = (v,)  # one layer
    if isinstance(v, (str, bytes)) or not isinstance(v, (tuple, list, range, np.ndarray)):
        raise MlptraceError(f"--hidden must be layer sizes such as (3,) or (5, 4), not {v!r}")
    if not len(v):
        raise MlptraceError("--hidden needs at least one layer size")
    return tuple(_positive_int("--hidden layer sizes")(size) for size in v)


def _targets(v):
    if v is None:
        return None
    if isinstance(v, str):
        v = (v,)  # one column, never split into letters
    if not isinstance(v, (tuple, list)) or not v or not all(isinstance(t, str) and t for t in v):
        raise MlptraceError(f"--targets must be column names such as ('passed',), not {v!r}")
    return tuple(v)


def _seed(v):
    if not _whole(v) or not 0 <= v <= MAX_SEED:
        raise MlptraceError(f"--seed must be a whole number from 0 to {MAX_SEED}, not {v!r}")
    return int(v)


def _batch(v):
    return None if v is None else _positive_int("--batch-size")(v)


def _flag(option):
    def check(v):
        if not isinstance(v, bool):
            raise MlptraceError(f"{option} is on or off (True or False), not {v!r}")
    return check


def _record(v):
    if not isinstance(v, str) or not v.strip():
        raise MlptraceError(f"--record needs epochs such as 1,last or 1-3 or all, not {v!r}")
    return v


_CHECKS = {
    "data": _data,
    "targets": _targets,
    "hidden": _hidden,
    "epochs": _positive_int("--epochs"),
    "lr": _positive_float("--lr"),
    "seed": _seed,
    "init": _one_of("--init", INITS),
    "init_weights": _file_name("--init-weights", optional=True),
    "activation": _one_of("--activation", HIDDEN_ACTIVATIONS),
    "output_activation": _one_of("--output-activation", OUTPUT_ACTIVATIONS),
    "batch_size": _batch,
    "shuffle": _flag("--shuffle"),
    "record": _record,
}


def from_keywords(cls, given: dict):
    """``cls(**given)`` for a settings class, with an unknown name refused as the settings'
    own checks refuse a bad value (MlptraceError naming it), not as Python's TypeError."""
    known = [f.name for f in fields(cls)]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise MlptraceError(f"unknown setting {unknown[0]!r}; the settings are {', '.join(known)}")
    return cls(**given)


def _validate(settings, checks) -> None:
    """Run each field's check from ``checks`` (field name -> check), in field order; a check
    that returns a value gives the setting in its one form (a tuple, an int…)."""
    for f in fields(settings):
        check = checks.get(f.name)
        if check is not None:
            value = check(getattr(settings, f.name))
            if value is not None:
                object.__setattr__(settings, f.name, value)


#: exercise levels: one blank per step with its arithmetic; the formula only; whole matrices
#: the levels of ``--exercise`` (the first is the default), each with the note its copies carry
EXERCISE_LEVELS = {
    "guided": N_("Level guided: one cell per matrix, its arithmetic written out with the numbers."),
    "formula": N_("Level formula: one cell per matrix; the arithmetic names the cells, find their numbers in "
                  "the orange cells."),
    "matrix": N_("Level matrix: every cell of every matrix the step computes; the formula in symbols only."),
}
DEFAULT_LEVEL = next(iter(EXERCISE_LEVELS))


@dataclass(frozen=True)
class OutputConfig:
    """How to write a run: checked once here, then passed unchanged to every writer.

    out : output folder;  focus : 1-based (row, col) highlighted in every computed matrix
    (clipped to its shape);  decimals : least decimals shown;  formulas : live formulas (False:
    plain values);  exercise : None, or the level of the student copies (EXERCISE_LEVELS);
    pdf : a PDF beside each workbook;  html : an interactive page beside each epoch workbook;
    roster : with exercise, the students' names, one variant each, in order (``variants`` is
    then their number);  variants : with exercise, how many exercise sets, from seeds seed,
    seed+1, … (None: the one run's own);  lang : the language
    of every text a reader sees (one of ``i18n.languages()``; numbers and formulas are the same).
    """
    out: str = "outputs"
    focus: tuple = (1, 1)
    decimals: int = 3
    formulas: bool = True
    exercise: str | None = None
    pdf: bool = False
    html: bool = False
    roster: tuple | None = None
    variants: int | None = None
    lang: str = "en"

    def __post_init__(self):
        for name in ("focus", "roster"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        _validate(self, _OUTPUT_CHECKS)
        for option, value in (("--roster", self.roster), ("--variants", self.variants)):
            if value is not None and not self.exercise:
                raise MlptraceError(f"{option} goes with --exercise (one exercise set per student)")
        if self.roster is not None:
            if self.variants is not None and self.variants != len(self.roster):
                raise MlptraceError(f"--variants {self.variants} and --roster's {len(self.roster)} names disagree; "
                                    "leave out --variants (one variant per name)")
            object.__setattr__(self, "variants", len(self.roster))

    @property
    def copies(self) -> tuple:
        """The kinds of epoch workbook to write: the workbook, and the exercise copy and key."""
        return (None, "exercise", "key") if self.exercise else (None,)


def _folder(v):
    if not isinstance(v, str) or not v:
        raise MlptraceError(f"--out needs a folder name, not {v!r}")


def _focus(v):
    if (not isinstance(v, tuple) or len(v) != 2
            or any(isinstance(k, bool) or not isinstance(k, int) for k in v)):
        raise MlptraceError(f"--focus takes a row and a column like 1,1, not {v!r}")
    if v[0] < 1 or v[1] < 1:
        raise MlptraceError(f"--focus row and column start at 1, not {v[0]},{v[1]}")


def _decimals(v):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 15:
        raise MlptraceError(f"--decimals must be from 0 to 15, not {v!r}")


def _exercise(v):
    if v is not None:
        _one_of("--exercise", EXERCISE_LEVELS)(v)


#: the longest student name a roster may hold (a name, not a paragraph)
MAX_NAME = 100


def _roster(v):
    if v is None:
        return
    if not isinstance(v, tuple) or not v:
        raise MlptraceError("--roster: the file names no student (one name a line)")
    seen = {}
    for k, name in enumerate(v, start=1):
        if not isinstance(name, str) or not name.strip():
            raise MlptraceError(f"--roster: name {k} is empty")
        if len(name) > MAX_NAME:
            raise MlptraceError(f"--roster: name {k} is longer than {MAX_NAME} characters")
        if any(ch in name for ch in "\t\r\n") or not name.isprintable():
            raise MlptraceError(f"--roster: name {k} holds a control character")
        if name.casefold() in seen:
            raise MlptraceError(f"--roster: {name!r} is named twice (lines {seen[name.casefold()]} and {k})")
        seen[name.casefold()] = k


_OUTPUT_CHECKS = {
    "out": _folder,
    "focus": _focus,
    "decimals": _decimals,
    "formulas": _flag("--values"),
    "exercise": _exercise,
    "pdf": _flag("--pdf"),
    "html": _flag("--html"),
    "roster": _roster,
    "variants": lambda v: None if v is None else _positive_int("--variants")(v),
    "lang": _one_of("--lang", languages()),
}


def variant_configs(config: TrainConfig, output: OutputConfig) -> list[TrainConfig]:
    """The training settings of each of ``output.variants`` exercise sets: seeds seed,
    seed+1, …, every one a seed numpy takes."""
    if not output.variants:
        raise MlptraceError("--variants: no exercise sets asked for (give variants=N with exercise)")
    if config.seed + output.variants - 1 > MAX_SEED:
        raise MlptraceError(f"--seed plus --variants goes beyond the largest seed {MAX_SEED}")
    return [replace(config, seed=config.seed + k) for k in range(output.variants)]


def record_epochs(spec: str, epochs: int) -> list[int]:
    """The sorted epochs named by ``spec``: numbers, ranges ``a-b``, ``last``, ``all``.

    At most MAX_RECORDED of them (one workbook each); counted from the ranges before any list
    is built, so ``--record all --epochs 100000000`` is refused at once.
    """
    ranges = _record_ranges(spec, epochs)
    chosen: set[int] = set()
    for first, last in ranges:
        if last - first + 1 > MAX_RECORDED:  # refused before a huge range is ever built
            break
        chosen.update(range(first, last + 1))
    else:
        if len(chosen) <= MAX_RECORDED:
            return sorted(chosen)
    raise MlptraceError(f"--record {spec} names more than {MAX_RECORDED} epochs, one workbook each; "
                        f"record fewer (e.g. --record 1-10,last)")


def _record_ranges(spec: str, epochs: int) -> list[tuple[int, int]]:
    """``spec`` (text, checked by ``_record``) as (first, last) epoch ranges, checked against
    ``epochs``."""
    ranges = []
    for part in (p.strip() for p in spec.split(",")):
        if part in ("all", "last"):
            ranges.append((1 if part == "all" else epochs, epochs))
            continue
        lo, sep, hi = part.partition("-")
        try:
            if not (lo + hi).strip().isascii():  # int() reads １ and ٣ too
                raise ValueError(part)
            first, last = int(lo), int(hi) if sep else int(lo)
        except ValueError:
            raise MlptraceError(f"--record: {part!r} is not an epoch, a range like 1-3, 'last' or 'all'") from None
        if first < 1 or last < first:
            raise MlptraceError(f"--record: {part!r} is not a range of epochs from 1 up")
        if last > epochs:
            raise MlptraceError(f"--record: epoch {last} is beyond --epochs {epochs}")
        ranges.append((first, last))
    return ranges
