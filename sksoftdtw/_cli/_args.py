"""Arguments of the command line: parsers, option types, user errors."""
import argparse
import difflib
import math
from pathlib import Path

EXIT_ERROR = 1  # the command could not run: missing data, unreadable file...
EXIT_USAGE = 2  # bad command line (argparse's status)
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class UserError(Exception):
    """A mistake of the user: reported as one line, without a traceback."""


# ----------------------------------------------------------------- arguments
class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class _CommandParser(_Parser):
    """The parser of one command: unknown options are reported by the command.

    argparse hands a subcommand's unknown arguments back to the top-level
    parser, whose error would name ``sksoftdtw`` and not the command.
    """

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            options = [o for action in self._actions for o in action.option_strings]
            close = [match for extra in extras if extra.startswith("-")
                     for match in difflib.get_close_matches(extra.split("=")[0], options, 1)]
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            self.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return namespace, extras


def _gamma(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"gamma must be a positive finite number, got {text!r} "
            "(gamma = 0 is hard DTW: use DBA or the subgradient method)")
    return value


def _int_at_least(minimum, expected):
    """An argparse type: an integer >= `minimum`, else the error "expected ..."."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value
    return parse


_positive_int = _int_at_least(1, "a positive integer")
_non_negative_int = _int_at_least(0, "an integer >= 0")


def _non_negative_number(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0:
        raise argparse.ArgumentTypeError(
            f"expected a non-zero integer (-1: all cores), got {text!r}")
    return value


def _names(values):
    """Dataset names given as ``A B`` or ``A,B``."""
    return [name for value in values for name in value.split(",") if name]



def _check_output(path, what):
    """Fail before any computation if `path` cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{what} {str(path)!r} is a directory; give a file name")
    parent = path.parent
    if not parent.is_dir():
        raise UserError(f"cannot write {what} {str(path)!r}: directory {str(parent)!r} "
                        "does not exist")
    return path

def _bundled_names(names):
    """The bundled datasets' names as spelled by their files; an error names --data-dir."""
    from ..datasets import list_datasets

    bundled = {name.lower(): name for name in list_datasets()}
    for name in names:
        if name.lower() not in bundled:
            close = difflib.get_close_matches(name.lower(), bundled, 1)
            hint = f"did you mean {bundled[close[0]]!r}? " if close else ""
            raise UserError(
                f"{name!r} is not a bundled dataset (the bundled ones are "
                f"{', '.join(bundled.values())}); {hint}for another UCR dataset, give "
                f"--data-dir DIR, a local copy of the UCR archive holding "
                f"{name}/{name}_TRAIN.tsv and {name}/{name}_TEST.tsv")
    return [bundled[name.lower()] for name in names]


def _add_n_jobs(parser):
    parser.add_argument("--n-jobs", type=_n_jobs, default=-1, metavar="N",
                        help="threads of the soft-DTW kernels; -1: all cores (default: -1)")


