"""Command-line interface: ``sksoftdtw <command> [options]``, or ``python -m sksoftdtw``.

Commands:

- ``demo``: barycenters and k-means on a bundled dataset, with a figure;
- ``barycenter``, ``kmeans``, ``predict``: the three experiments of Cuturi &
  Blondel (2017) on a local copy of the UCR archive
  (:mod:`sksoftdtw.experiments`).

A user mistake (missing data directory, unknown dataset, bad option value)
ends with one line on stderr and exit status 2 (bad option) or 1 (anything
else), never with a traceback; ``--debug`` shows the traceback.

The modules: ``_args`` (parsers, option types, user errors), ``_demo`` (the
``demo`` command) and ``_experiments`` (the paper's experiments); this one
builds the parser and runs a command.
"""
import argparse
import sys

from ._args import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, UserError, _CommandParser, _Parser
from ._demo import DEMO_FIGURE, _add_demo
from ._experiments import _EXPERIMENTS, _add_experiment

__all__ = ["DEMO_FIGURE", "EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_USAGE", "UserError",
           "build_parser", "main"]


def build_parser():
    """The argument parser of the ``sksoftdtw`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        One subcommand per command; parsing sets ``func``, the function that
        runs the command with the parsed arguments.

    Examples
    --------
    >>> args = build_parser().parse_args(["demo", "--gamma", "0.5"])
    >>> args.command, args.gamma, args.dataset
    ('demo', [0.5], 'GunPoint')
    """
    from .. import __version__

    parser = _Parser(
        prog="sksoftdtw",
        description="Soft-DTW for Python: a demonstration, and the experiments of "
        "Cuturi & Blondel (2017) on the UCR archive.",
        epilog="Examples:\n"
        "  sksoftdtw demo --out gunpoint.png\n"
        "  sksoftdtw barycenter --data-dir ~/UCR --datasets GunPoint Coffee --seeds 2\n"
        "  sksoftdtw kmeans --data-dir ~/UCR --gamma 1 0.01 --out kmeans.csv\n"
        "  sksoftdtw predict --data-dir ~/UCR --datasets ECG200\n\n"
        "Run 'sksoftdtw COMMAND --help' for the options of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=_CommandParser)
    _add_demo(sub)
    for command in _EXPERIMENTS:
        _add_experiment(sub, command)
    return parser


def main(argv=None):
    """Run the ``sksoftdtw`` command; return its exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; ``None`` means
        ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 when the command could not run (e.g. missing data),
        2 for a bad command line, 130 when interrupted.

    Examples
    --------
    >>> from sksoftdtw._cli import main
    >>> main(["demo", "--dataset", "ItalyPowerDemand", "--gamma", "0.1",
    ...       "--max-iter", "5", "--max-series", "5", "--no-plot"])  # doctest: +ELLIPSIS
    ItalyPowerDemand (bundled UCR dataset): 67 training series of length 24, ...
    0
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"\nsksoftdtw {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (UserError, OSError, ValueError) as exc:
        if args.debug:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"sksoftdtw {args.command}: error: {message}", file=sys.stderr)
        return EXIT_ERROR
