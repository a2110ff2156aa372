"""The command line: turn arguments into a run, and the library's errors into exit code 2.

``main(argv) -> exit code``; all the work happens in the library.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import warnings

import numpy as np

from . import __version__, size
from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .config import DEFAULT_LEVEL, EXERCISE_LEVELS, OutputConfig, TrainConfig, variant_configs
from .data import BUILTIN, load
from .errors import MlptraceError, visible
from .export import write_dump, write_weights
from .files import EditedFilesKept, check_writable_dir, check_writable_file, is_special, same_file, read_roster
from .i18n import languages
from .run import write_run, write_variants
from .trainer import train
from .weights import INITS
from .writers.pdf import require_soffice


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, through main's handler
        # "argument --hidden: --hidden takes whole numbers…": our own messages name the option
        option, sep, rest = message.partition(": ")
        if sep and option.startswith("argument ") and rest.startswith(option[len("argument "):]):
            message = rest
        raise MlptraceError(message)


_WHOLE = re.compile(r"\s*[+-]?[0-9]+\s*", re.ASCII)
_REAL = re.compile(r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*", re.ASCII)


def _whole(text: str) -> int:
    """A whole number in ASCII digits: int() also reads １, ٣ and 1_000, which we refuse."""
    if not _WHOLE.fullmatch(text):
        raise ValueError(text)
    return int(text)


def _number(option, kind):
    """An argparse type: ``kind`` "int" or "float", in ASCII digits, naming ``option``."""
    def parse(text):
        try:
            if kind == "int":
                return _whole(text)
            if not _REAL.fullmatch(text):
                raise ValueError(text)
            return float(text)
        except ValueError:
            what = "a whole number" if kind == "int" else "a number"
            raise argparse.ArgumentTypeError(f"{option} takes {what} (digits 0-9), not {text!r}") from None
    return parse


def _ints(option, count=None):
    def parse(text):
        try:
            values = tuple(_whole(p) for p in text.split(","))
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


def _choices(values, default) -> str:
    """The allowed values of an option, from its table, for its help: "a (default), b, c"."""
    return ", ".join(f"{v} (default)" if v == default else v for v in values)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mlptrace", description=(
        "Train the article's multi-layer perceptron and write every step of the chosen epochs "
        "as colour-highlighted workbooks."))
    a = p.add_argument
    a("--data", default="article", help=f"built-in {_choices(BUILTIN, 'article')}; or a CSV file with a header row")
    a("--targets", type=_names, help="target columns of a CSV, comma-separated (default: the last column)")
    a("--hidden", type=_ints("--hidden"), default=(3,), help="hidden layer sizes, e.g. 3 or 5,4 (default 3)")
    a("--epochs", type=_number("--epochs", "int"), default=5000, help="training epochs (default 5000)")
    a("--lr", type=_number("--lr", "float"), default=0.1, help="learning rate (default 0.1)")
    a("--seed", type=_number("--seed", "int"), default=0, help="seed of the starting weights, as np.random.seed (default 0)")
    a("--init", default="uniform", help=f"starting weights: {_choices(INITS, 'uniform')}")
    a("--init-weights", metavar="FILE.json", help="start from these weights instead")
    a("--save-weights", metavar="FILE.json", help="write the trained weights")
    a("--activation", default="sigmoid", help=f"hidden activation: {_choices(HIDDEN_ACTIVATIONS, 'sigmoid')}")
    a("--output-activation", default="sigmoid", help=f"output activation: {_choices(OUTPUT_ACTIVATIONS, 'sigmoid')}")
    a("--batch-size", type=_number("--batch-size", "int"), help="samples per update (default: all, full batch; 1 is SGD)")
    a("--shuffle", action="store_true", help="reshuffle the samples every epoch, from the seed")
    a("--record", help="epochs to trace: 1,last (default; with --exercise 1), 1-3, all")
    a("--focus", type=_ints("--focus", 2), default=(1, 1), metavar="R,C",
      help="1-based cell of each computed matrix to highlight (default 1,1)")
    a("--decimals", type=_number("--decimals", "int"), default=3, help="decimals shown (default 3); full precision is stored")
    a("--values", action="store_true", help="plain numbers instead of live formulas")
    a("--out", default="outputs", metavar="DIR", help="output folder (default outputs)")
    a("--dump-json", metavar="FILE", help="write every recorded matrix as JSON")
    a("--pdf", action="store_true", help="also write a PDF beside each workbook (needs LibreOffice)")
    a("--html", action="store_true", help="also write an interactive page beside each epoch workbook")
    a("--exercise", nargs="?", const=DEFAULT_LEVEL, metavar="LEVEL",
      help=f"also write student copies and answer keys; LEVEL {_choices(EXERCISE_LEVELS, DEFAULT_LEVEL)}")
    a("--variants", type=_number("--variants", "int"), metavar="N", help="with --exercise: N exercise sets from seeds seed … seed+N-1")
    a("--roster", metavar="FILE", help="with --exercise: one student name a line (UTF-8); one named variant each")
    a("--lang", default="en", metavar="LANG",
      help=f"language of the workbooks' texts: {_choices(languages(), 'en')}; numbers are the same")
    a("--quiet", action="store_true", help="print nothing but errors, show no progress bar")
    a("--version", action="version", version=f"mlptrace {__version__}")
    return p


def _config(args) -> TrainConfig:
    return TrainConfig(data=args.data, targets=args.targets, hidden=args.hidden, epochs=args.epochs,
                       lr=args.lr, seed=args.seed, init=args.init, init_weights=args.init_weights,
                       activation=args.activation, output_activation=args.output_activation,
                       batch_size=args.batch_size, shuffle=args.shuffle, record=_record(args))


def _record(args) -> str:
    """--record as given; without it epochs 1 and last, or for an exercise epoch 1 only (a class
    works on one epoch)."""
    if args.record is not None:
        return args.record
    return "1" if args.exercise else "1,last"


def _output(args) -> OutputConfig:
    roster = read_roster(args.roster) if args.roster is not None else None
    return OutputConfig(out=args.out, focus=args.focus, decimals=args.decimals, formulas=not args.values,
                        exercise=args.exercise, pdf=args.pdf, html=args.html, roster=roster,
                        variants=args.variants, lang=args.lang)


def _check_outputs(args, config, output) -> None:
    """Every output problem is found before training, so nothing is half done."""
    check_writable_dir(args.out)
    files = {option: path for option, path in (("--save-weights", args.save_weights),
                                                ("--dump-json", args.dump_json)) if path is not None}
    for option, path in files.items():
        if path and same_file(path, args.out):
            raise MlptraceError(f"{option} {path!r} is the output folder (--out); name a file")
        check_writable_file(path, option, args.out)
        _not_an_input(args, option, path)
    if len(files) == 2 and same_file(args.save_weights, args.dump_json) and not is_special(args.dump_json):
        raise MlptraceError("--save-weights and --dump-json name the same file")
    if output.variants:
        variant_configs(config, output)
    if args.pdf:
        require_soffice()


def _not_an_input(args, option, path) -> None:
    """An output file never replaces the run's own data (a trained --save-weights may replace
    its --init-weights: that is continuing a training)."""
    inputs = [] if args.data in BUILTIN else [("--data", args.data)]  # else a file, as load() reads it
    if args.init_weights and option != "--save-weights":
        inputs.append(("--init-weights", args.init_weights))
    for what, source in inputs:
        if os.path.isfile(source) and same_file(source, path):
            raise MlptraceError(f"{option} {path!r} is the {what} file; it would be overwritten")


#: a progress bar from this many epochs to train, or this many workbooks to write
BAR_EPOCHS, BAR_WORKBOOKS = 20000, 10


def _bar(args, total, unit):
    """A tqdm bar on stderr, or None: nothing with --quiet or when stderr is no terminal."""
    if args.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit=unit, file=sys.stderr, leave=False)


def _train(args, config, data):
    bar = _bar(args, config.epochs, "epoch") if config.epochs >= BAR_EPOCHS else None
    if bar is None:
        return train(config, dataset=data)
    with bar:
        return train(config, dataset=data, progress=lambda epoch: bar.update(epoch - bar.n))


def _pdf_progress(args):
    """A line on stderr per PDF written (LibreOffice is slow: the user sees it moving)."""
    if args.quiet or not args.pdf:
        return None
    def report(done, total, path):
        _say(f"pdf {done} of {total} written: {visible(str(path))}", sys.stderr)
    return report


def _write(args, config, output, trace):
    if output.variants:
        return write_variants(config, output, trace, pdf_progress=_pdf_progress(args))
    books = len(trace.epochs) * len(output.copies)
    bar = _bar(args, books, "workbook") if books >= BAR_WORKBOOKS else None
    if bar is None:
        return write_run(trace, output, pdf_progress=_pdf_progress(args))
    with bar:
        return write_run(trace, output, progress=lambda: bar.update(1), pdf_progress=_pdf_progress(args))


def run(args) -> None:
    config, output = _config(args), _output(args)
    _check_outputs(args, config, output)
    data = load(config.data, config.targets, config.seed)
    size.check(size.estimate(*data.X.shape, data.y.shape[1], config.hidden, config.batch_size),
               at_once=min(output.variants or 1, os.cpu_count() or 1))
    trace = _train(args, config, data)
    paths = _write(args, config, output, trace)
    if args.dump_json is not None:
        write_dump(trace, args.dump_json)
        paths.append(args.dump_json)
    if args.save_weights is not None:
        write_weights(trace.final, args.save_weights)
        paths.append(args.save_weights)
    if not args.quiet:
        for path in paths:
            _say(f"wrote {visible(path)}")
        _say(f"final loss {trace.loss[-1]:.6g}; outputs after training: {_some(trace.predict().ravel())}")


def _some(values, most: int = 10) -> str:
    """The first ``most`` numbers, and how many more there are."""
    text = ", ".join(f"{v:.6g}" for v in values[:most])
    return text + (f", … ({len(values) - most} more)" if len(values) > most else "")


def _terminated(signum, frame):
    raise _Terminated()


class _Terminated(BaseException):
    """SIGTERM, raised where the program is, so that it ends as Ctrl-C does."""


def _say(line: str, stream=None) -> None:
    """``line`` and its newline in one write: an interrupt between print's two writes would leave
    the next message ("interrupted") glued to the end of this one."""
    stream = sys.stdout if stream is None else stream
    stream.write(line + "\n")
    stream.flush()


def _note(message, category, filename, lineno, file=None, line=None):
    if issubclass(category, EditedFilesKept):
        _say(f"mlptrace: note: {message}", sys.stderr)
    else:
        _say(f"mlptrace: warning: {message}", sys.stderr)


def main(argv=None) -> int:
    """Run the command line with ``argv`` (default: sys.argv[1:]); return the exit code."""
    previous = _on_sigterm(_terminated)
    try:
        # numpy's overflow warnings (a saturated sigmoid is exactly 0 or 1) are no message for
        # the user; a run that really diverges is stopped with one clear line by the trainer
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.showwarning = _note
            run(build_parser().parse_args(argv))
    except MlptraceError as exc:
        _say(f"mlptrace: error: {visible(str(exc))}", sys.stderr)  # one line, whatever a name holds
        return 2
    except OSError as exc:  # the disk filled up, a folder vanished…: files already written are whole
        where = f" {exc.filename!r}" if exc.filename else ""
        _say(f"mlptrace: error: cannot write{where}: {exc.strerror or exc}", sys.stderr)
        return 2
    except KeyboardInterrupt:
        _say("mlptrace: interrupted; files already written are complete, none is half-written",
             sys.stderr)
        return 130
    except _Terminated:  # worker processes and LibreOffice end with their own pool / context
        _say("mlptrace: terminated; files already written are complete, none is half-written",
             sys.stderr)
        return 143
    finally:
        _on_sigterm(previous)
    return 0


def _on_sigterm(handler):
    """Install ``handler`` for SIGTERM (from the main thread only); return the one before."""
    try:
        return signal.signal(signal.SIGTERM, handler)
    except (ValueError, TypeError):  # not the main thread, or no handler to put back
        return None
