"""Text output of long runs: a progress bar and aligned tables.

The command line and :mod:`sksoftdtw.experiments` both print with these.
"""
import math
import sys
import time


def format_table(header, rows, *, digits=5):
    """Rows of cells as aligned text: text columns left, numbers right.

    Parameters
    ----------
    header : list of str
        Column titles.
    rows : list of list
        Cells; a float is written with `digits` decimals (``nan`` for NaN).
    digits : int, default=5
        Decimals of the floats.

    Returns
    -------
    table : str
        The header, a rule of dashes, then one line per row.

    Examples
    --------
    >>> print(format_table(["name", "loss"], [["dba", 1.5], ["softdtw", 0.25]], digits=2))
    name     loss
    -------  ----
    dba      1.50
    softdtw  0.25
    """

    def cell(value):
        if isinstance(value, float):
            return "nan" if math.isnan(value) else f"{value:.{digits}f}"
        return str(value)

    cells = [[cell(v) for v in row] for row in rows]
    numeric = [all(isinstance(row[c], (int, float)) for row in rows) for c in range(len(header))]
    widths = [max(len(h), *(len(r[c]) for r in cells)) for c, h in enumerate(header)]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in cells])


def format_duration(seconds):
    """A duration as ``4s``, ``1m05s`` or ``2h01m``, rounded to the second."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class ProgressBar:
    """Progress of a long run on a stream (stderr by default).

    Called as ``bar(done, total, message)`` after each unit of work. On a
    terminal the bar is redrawn in place; otherwise (a log file, CI) each call
    prints one line.

    Parameters
    ----------
    label : str
        Text before the bar.
    stream : file-like, default=None
        Where to write; ``None`` means ``sys.stderr``.
    width : int, default=24
        Number of characters of the bar.

    Examples
    --------
    >>> import io
    >>> log = io.StringIO()
    >>> bar = ProgressBar("kmeans", stream=log, width=8)
    >>> bar(1, 4, "GunPoint")
    >>> print(log.getvalue(), end="")
    kmeans [##......] 1/4 0s, ~0s left  GunPoint
    """

    def __init__(self, label, stream=None, width=24):
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self._drawn = 0  # length of the line on screen (terminal only)

    def __call__(self, done, total, message=""):
        elapsed = time.perf_counter() - self.start
        filled = self.width * done // total if total else self.width
        text = (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                f"{done}/{total} {format_duration(elapsed)}")
        if 0 < done < total:
            text += f", ~{format_duration(elapsed / done * (total - done))} left"
        if message:
            text += f"  {message}"
        if self.tty:
            self.stream.write("\r" + text.ljust(self._drawn))
            self._drawn = len(text)
            if done >= total:
                self.close()
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self):
        """End the line being redrawn, if any."""
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = 0
