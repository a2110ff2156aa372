"""The command line: turn arguments into a run, and the library's errors into exit code 2.

``main(argv) -> exit code``; all the work happens in the library.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from . import __version__
from .config import OutputConfig, TrainConfig
from .errors import MlptraceError
from .export import write_dump, write_weights
from .files import check_writable_dir, check_writable_file
from .run import write_run, write_variants
from .writers.pdf import require_soffice
from .trainer import train


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, through main's handler
        raise MlptraceError(message)


def _ints(option, count=None):
    def parse(text):
        try:
            values = tuple(int(p) for p in text.split(","))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option} takes whole numbers separated by commas, not {text!r}")
        if count is not None and len(values) != count:
            raise argparse.ArgumentTypeError(f"{option} takes {count} numbers like 1,1, not {text!r}")
        return values
    return parse


def _names(text):
    names = tuple(p.strip() for p in text.split(","))
    if not all(names):
        raise argparse.ArgumentTypeError(f"--targets takes column names separated by commas, not {text!r}")
    return names


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mlptrace", description=(
        "Train the article's multi-layer perceptron and write every step of the chosen epochs "
        "as colour-highlighted workbooks."))
    a = p.add_argument
    a("--data", default="article", help="built-in article, xor, and, or, moons; or a CSV file with a header row")
    a("--targets", type=_names, help="target columns of a CSV, comma-separated (default: the last column)")
    a("--hidden", type=_ints("--hidden"), default=(3,), help="hidden layer sizes, e.g. 3 or 5,4 (default 3)")
    a("--epochs", type=int, default=5000, help="training epochs (default 5000)")
    a("--lr", type=float, default=0.1, help="learning rate (default 0.1)")
    a("--seed", type=int, default=0, help="seed of the starting weights, as np.random.seed (default 0)")
    a("--init", default="uniform", help="starting weights: uniform (the article's), xavier, he")
    a("--init-weights", metavar="FILE.json", help="start from these weights instead")
    a("--save-weights", metavar="FILE.json", help="write the trained weights")
    a("--activation", default="sigmoid", help="hidden activation: sigmoid, tanh, relu")
    a("--output-activation", default="sigmoid", help="output activation: sigmoid, tanh, relu, linear")
    a("--batch-size", type=int, help="samples per update (default: all, full batch; 1 is SGD)")
    a("--shuffle", action="store_true", help="reshuffle the samples every epoch, from the seed")
    a("--record", default="1,last", help="epochs to trace: 1,last (default), 1-3, all")
    a("--focus", type=_ints("--focus", 2), default=(1, 1), metavar="R,C",
      help="1-based cell of each computed matrix to highlight (default 1,1)")
    a("--decimals", type=int, default=3, help="decimals shown (default 3); full precision is stored")
    a("--values", action="store_true", help="plain numbers instead of live formulas")
    a("--out", default="outputs", metavar="DIR", help="output folder (default outputs)")
    a("--dump-json", metavar="FILE", help="write every recorded matrix as JSON")
    a("--pdf", action="store_true", help="also write a PDF beside each workbook (needs LibreOffice)")
    a("--html", action="store_true", help="also write an interactive page beside each epoch workbook")
    a("--exercise", nargs="?", const="guided", metavar="LEVEL",
      help="also write student copies and answer keys; LEVEL guided (default), formula or matrix")
    a("--variants", type=int, metavar="N", help="with --exercise: N exercise sets from seeds seed … seed+N-1")
    a("--quiet", action="store_true", help="print nothing but errors, show no progress bar")
    a("--version", action="version", version=f"mlptrace {__version__}")
    return p


def _config(args) -> TrainConfig:
    return TrainConfig(data=args.data, targets=args.targets, hidden=args.hidden, epochs=args.epochs,
                       lr=args.lr, seed=args.seed, init=args.init, init_weights=args.init_weights,
                       activation=args.activation, output_activation=args.output_activation,
                       batch_size=args.batch_size, shuffle=args.shuffle, record=args.record)


def _output(args) -> OutputConfig:
    return OutputConfig(out=args.out, focus=args.focus, decimals=args.decimals, formulas=not args.values,
                        exercise=args.exercise, pdf=args.pdf, html=args.html)


def _check_outputs(args) -> None:
    """Every output problem is found before training, so nothing is half done."""
    check_writable_dir(args.out)
    files = {option: path for option, path in (("--save-weights", args.save_weights),
                                                ("--dump-json", args.dump_json)) if path is not None}
    for option, path in files.items():
        if path and os.path.abspath(path) == os.path.abspath(args.out):
            raise MlptraceError(f"{option} {path!r} is the output folder (--out); name a file")
        check_writable_file(path, option, args.out)
    if len(files) == 2 and os.path.abspath(args.save_weights) == os.path.abspath(args.dump_json):
        raise MlptraceError("--save-weights and --dump-json name the same file")
    if args.variants is not None:
        if args.variants < 1:
            raise MlptraceError(f"--variants must be a whole number of at least 1, not {args.variants}")
        if not args.exercise:
            raise MlptraceError("--variants goes with --exercise (one exercise set per student)")
        if args.seed + args.variants - 1 >= 2**32:
            raise MlptraceError("--seed plus --variants goes beyond the largest seed 4294967295")
    if args.pdf:
        require_soffice()


#: a progress bar from this many epochs to train, or this many workbooks to write
BAR_EPOCHS, BAR_WORKBOOKS = 20000, 10


def _bar(args, total, unit):
    """A tqdm bar on stderr, or None: nothing with --quiet or when stderr is no terminal."""
    if args.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit=unit, file=sys.stderr, leave=False)


def _train(args, config):
    bar = _bar(args, config.epochs, "epoch") if config.epochs >= BAR_EPOCHS else None
    if bar is None:
        return train(config)
    with bar:
        return train(config, progress=lambda epoch: bar.update(epoch - bar.n))


def _write(args, config, output, trace):
    if args.variants:
        return write_variants(config, output, args.variants, trace)
    books = len(trace.epochs) * len(output.copies)
    bar = _bar(args, books, "workbook") if books >= BAR_WORKBOOKS else None
    if bar is None:
        return write_run(trace, output)
    with bar:
        return write_run(trace, output, progress=lambda: bar.update(1))


def run(args) -> None:
    config, output = _config(args), _output(args)
    _check_outputs(args)
    trace = _train(args, config)
    paths = _write(args, config, output, trace)
    if args.dump_json is not None:
        write_dump(trace, args.dump_json)
        paths.append(args.dump_json)
    if args.save_weights is not None:
        write_weights(trace.final, args.save_weights)
        paths.append(args.save_weights)
    if not args.quiet:
        for path in paths:
            print(f"wrote {path}")
        print(f"final loss {trace.loss[-1]:.6g}; outputs after training: {_some(trace.predict().ravel())}")


def _some(values, most: int = 10) -> str:
    """The first ``most`` numbers, and how many more there are."""
    text = ", ".join(f"{v:.6g}" for v in values[:most])
    return text + (f", … ({len(values) - most} more)" if len(values) > most else "")


def main(argv=None) -> int:
    """Run the command line with ``argv`` (default: sys.argv[1:]); return the exit code."""
    try:
        # numpy's overflow warnings (a saturated sigmoid is exactly 0 or 1) are no message for
        # the user; a run that really diverges is stopped with one clear line by the trainer
        with np.errstate(all="ignore"):
            run(build_parser().parse_args(argv))
    except MlptraceError as exc:
        print(f"mlptrace: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the disk filled up, a folder vanished…: files already written are whole
        where = f" {exc.filename!r}" if exc.filename else ""
        print(f"mlptrace: error: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mlptrace: interrupted; files already written are complete, none is half-written",
              file=sys.stderr)
        return 130
    return 0
