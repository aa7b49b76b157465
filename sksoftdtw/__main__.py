"""``python -m sksoftdtw``: the command-line interface (see ``sksoftdtw --help``)."""
import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
