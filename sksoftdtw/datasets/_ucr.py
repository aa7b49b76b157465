"""Read datasets of the UCR time series classification archive from disk.

A dataset ``<Name>`` is a folder ``<Name>/`` holding two files, one per split,
``<Name>_TRAIN<suffix>`` and ``<Name>_TEST<suffix>``, one time series per line.
The loaders return them in tslearn's format: float64 arrays of shape
``(n_ts, sz, 1)`` where shorter series are padded with trailing NaN.
"""

import difflib
import math
from pathlib import Path

import numpy as np

from ..utils._docstrings import doc_filler

__all__ = ["list_datasets", "list_ucr", "load_dataset", "load_ucr"]

# File layouts, tried in this order: (suffix of the file name, field separator).
# None splits on runs of whitespace; "ts" is the sktime/aeon ``.ts`` format.
_LAYOUTS = (
    (".tsv", "\t"),  # UCR 2018 archive: label, tab, values
    ("", ","),  # UCR 2015 archive: label, comma, values; no file extension
    (".txt", None),  # timeseriesclassification.com text files
    (".ts", "ts"),  # sktime/aeon files, as in the aeon-toolkit zips
)
_SPLITS = ("TRAIN", "TEST")
_SEPARATOR_NAMES = {"\t": "tab", ",": "comma", None: "whitespace", "ts": "comma"}
# Tokens read as a missing value. Variable-length UCR sets pad their rows with
# empty fields or "NaN"; ".ts" files write missing values as "?".
_MISSING = frozenset({"", "nan", "?"})

BUNDLED_DIR = Path(__file__).parent / "data"

# The References section of the loaders' docstrings: the archive, first.
UCR_ARCHIVE = """References
    ----------
    .. [1] H. A. Dau, E. Keogh, K. Kamgar, C.-C. M. Yeh, Y. Zhu,
       S. Gharghabi, C. A. Ratanamahatana, Y. Chen, B. Hu, N. Begum,
       A. Bagnall, A. Mueen and G. Batista, "The UCR Time Series
       Classification Archive", 2018.
       https://www.cs.ucr.edu/~eamonn/time_series_data_2018/"""
# ``fill_doc(obj)`` replaces the ``%(ucr_archive)s`` marker of ``obj.__doc__``.
fill_doc = doc_filler(ucr_archive=UCR_ARCHIVE)


@fill_doc
def load_ucr(name, data_dir):
    """Load a UCR dataset from a local copy of the archive.

    Parameters
    ----------
    name : str
        Dataset name, spelled as its folder (e.g. ``"GunPoint"``).
    data_dir : str or path-like
        Directory holding one folder per dataset. Each folder ``<name>/``
        holds the two splits in one of these layouts:

        - UCR 2018: ``<name>_TRAIN.tsv`` and ``<name>_TEST.tsv``,
          tab-separated;
        - UCR 2015: ``<name>_TRAIN`` and ``<name>_TEST``, comma-separated;
        - ``<name>_TRAIN.txt`` and ``<name>_TEST.txt``, whitespace-separated;
        - ``<name>_TRAIN.ts`` and ``<name>_TEST.ts``, the sktime/aeon format
          (univariate only, label after the last colon).

        In the first three layouts each line is one series: the class label,
        then the values. Empty fields, ``NaN`` and ``?`` are missing values;
        infinite values (``inf``, or ``1e400``, beyond float64) are errors.
        Files are read as UTF-8, with or without a byte-order mark.

    Returns
    -------
    X_train : ndarray of shape (n_train, sz, 1), dtype float64
        Training series. Series shorter than the longest one of the split
        are padded with trailing NaN (trailing NaN in the file are padding
        too); NaN inside a series are kept as missing values.
    y_train : ndarray of shape (n_train,)
        Training labels: int64 if all labels of both splits are integral
        numbers of magnitude at most 2**53 (``"1"``, ``"-1"``,
        ``"1.0000000e+00"``), otherwise strings, spelled as in the files
        (``"1e30"``, ``"inf"``, ``"1.5"``, ``"cat"``).
    X_test : ndarray of shape (n_test, sz_test, 1), dtype float64
        Test series, formatted as `X_train`.
    y_test : ndarray of shape (n_test,)
        Test labels, of the same kind as `y_train`.

    Raises
    ------
    FileNotFoundError
        If `data_dir` is not a directory, or if it holds no dataset `name`
        (the message lists datasets with close names).
    ValueError
        If a file is malformed or holds an infinite value; the message names
        the file, the line and the column (both counted from 1, fields as
        columns).

    See Also
    --------
    list_ucr : Names of the datasets in a directory.
    fetch_ucr : Download a dataset, then load it.
    load_dataset : Load a dataset bundled with sksoftdtw.

    %(ucr_archive)s

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sksoftdtw.datasets import load_ucr
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = Path(tmp.name) / "Toy"
    >>> folder.mkdir()
    >>> _ = (folder / "Toy_TRAIN.tsv").write_text("1\\t0.0\\t1.0\\t2.0\\n"
    ...                                            "2\\t2.0\\t1.0\\t\\n")
    >>> _ = (folder / "Toy_TEST.tsv").write_text("2\\t1.0\\t0.5\\t0.0\\n")
    >>> X_train, y_train, X_test, y_test = load_ucr("Toy", tmp.name)
    >>> X_train.shape
    (2, 3, 1)
    >>> X_train[1, :, 0].tolist()  # the second series is shorter
    [2.0, 1.0, nan]
    >>> y_train.tolist(), y_test.tolist()
    ([1, 2], [2])
    >>> tmp.cleanup()
    """
    data_dir = _existing_dir(data_dir)
    if not _has_dataset(data_dir / name, name):
        raise missing_dataset_error(name, data_dir)
    return _load_folder(data_dir / name, name)


@fill_doc
def list_ucr(data_dir):
    """List the UCR datasets present in a directory.

    Parameters
    ----------
    data_dir : str or path-like
        Directory laid out as described in :func:`load_ucr`.

    Returns
    -------
    names : list of str
        Sorted names of the folders that hold both a TRAIN and a TEST file
        in one of the layouts :func:`load_ucr` reads.

    Raises
    ------
    FileNotFoundError
        If `data_dir` is not a directory.

    See Also
    --------
    load_ucr : Load one of them.

    %(ucr_archive)s

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sksoftdtw.datasets import list_ucr
    >>> tmp = tempfile.TemporaryDirectory()
    >>> for name in ["Beef", "Adiac"]:
    ...     (Path(tmp.name) / name).mkdir()
    ...     for split in ["TRAIN", "TEST"]:
    ...         path = Path(tmp.name) / name / f"{name}_{split}.tsv"
    ...         _ = path.write_text("1\\t0.5\\n")
    >>> (Path(tmp.name) / "not_a_dataset").mkdir()
    >>> list_ucr(tmp.name)
    ['Adiac', 'Beef']
    >>> tmp.cleanup()
    """
    data_dir = _existing_dir(data_dir)
    return sorted(p.name for p in data_dir.iterdir() if p.is_dir() and _has_dataset(p, p.name))


@fill_doc
def load_dataset(name):
    """Load a UCR dataset bundled with sksoftdtw (no download needed).

    Parameters
    ----------
    name : str
        Name of a bundled dataset, case-insensitive: ``"Coffee"``,
        ``"GunPoint"`` or ``"ItalyPowerDemand"`` (see :func:`list_datasets`).

    Returns
    -------
    X_train, y_train, X_test, y_test
        As returned by :func:`load_ucr`.

    Raises
    ------
    ValueError
        If `name` is not a bundled dataset; the message lists the bundled
        ones.

    See Also
    --------
    list_datasets : Names of the bundled datasets.
    fetch_ucr : Download any other UCR dataset.

    Notes
    -----
    The files are the UCR 2018 archive's, copied byte for byte. Cite the
    archive [1]_ when you use them.

    %(ucr_archive)s

    Examples
    --------
    >>> from sksoftdtw.datasets import load_dataset
    >>> X_train, y_train, X_test, y_test = load_dataset("gunpoint")
    >>> X_train.shape, X_test.shape
    ((50, 150, 1), (150, 150, 1))
    >>> sorted(set(y_train.tolist()))
    [1, 2]
    """
    bundled = {n.lower(): n for n in list_datasets()}
    canonical = bundled.get(str(name).lower())
    if canonical is None:
        raise ValueError(
            f"{name!r} is not a bundled dataset; the bundled datasets are "
            f"{', '.join(map(repr, bundled.values()))}. For another UCR "
            "dataset use fetch_ucr (download) or load_ucr (local copy)."
        )
    return _load_folder(BUNDLED_DIR / canonical, canonical)


@fill_doc
def list_datasets():
    """List the UCR datasets bundled with sksoftdtw.

    Returns
    -------
    names : list of str
        Sorted names accepted by :func:`load_dataset`.

    Raises
    ------
    FileNotFoundError
        If the package was installed without its data files.

    See Also
    --------
    load_dataset : Load one of them.

    %(ucr_archive)s

    Examples
    --------
    >>> from sksoftdtw.datasets import list_datasets
    >>> list_datasets()
    ['Coffee', 'GunPoint', 'ItalyPowerDemand']
    """
    return list_ucr(BUNDLED_DIR)


# ---------------------------------------------------------------- helpers


def _existing_dir(data_dir):
    """Return `data_dir` as a Path, or raise naming it if it is missing."""
    path = Path(data_dir).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(
            f"UCR data directory {str(path)!r} does not exist or is not a "
            "directory; it should hold one folder per dataset."
        )
    return path


def _split_file(folder, name, split):
    """Return ``(path, separator)`` of one split in the first layout found."""
    for suffix, sep in _LAYOUTS:
        path = Path(folder) / f"{name}_{split}{suffix}"
        if path.is_file():
            return path, sep
    return None


def _has_dataset(folder, name):
    return all(_split_file(folder, name, split) for split in _SPLITS)


def check_dataset_names(data_dir, datasets=None):
    """The datasets of a run, checked against `data_dir` before any is read.

    Parameters
    ----------
    data_dir : str or path-like
        A directory of UCR datasets, as read by :func:`load_ucr`.
    datasets : list of str, default=None
        Dataset names; ``None`` means every dataset of `data_dir`.

    Returns
    -------
    names : list of str
        `datasets` without repetitions, in their order.

    Raises
    ------
    FileNotFoundError
        If a name is not a dataset of `data_dir` (see
        :func:`missing_dataset_error`).
    """
    available = list_ucr(data_dir)
    if datasets is None:
        return available
    for name in datasets:
        if name not in available:
            raise missing_dataset_error(name, data_dir)
    return list(dict.fromkeys(datasets))


def missing_dataset_error(name, data_dir):
    """The error saying that `name` is not in `data_dir`, with the close matches there."""
    available = list_ucr(data_dir)
    # Compare lowercased names so that "gunpoint" suggests "GunPoint".
    by_lower = {n.lower(): n for n in available}
    close = [by_lower[m] for m in difflib.get_close_matches(name.lower(), by_lower)]
    if close:
        hint = f"Close matches: {', '.join(map(repr, close))}."
    else:
        hint = f"No close match among the {len(available)} datasets there."
    return FileNotFoundError(
        f"Dataset {name!r} not found in {str(data_dir)!r}: expected "
        f"{name}/{name}_TRAIN.tsv and {name}/{name}_TEST.tsv (or the 2015 "
        f"layout {name}/{name}_TRAIN and {name}/{name}_TEST). {hint}"
    )


def _load_folder(folder, name):
    """Read both splits of a dataset known to be present in `folder`."""
    (labels_train, series_train), (labels_test, series_test) = (
        _read_split(*_split_file(folder, name, split)) for split in _SPLITS
    )
    y_train, y_test = _convert_labels(labels_train, labels_test)
    return _to_dataset(series_train), y_train, _to_dataset(series_test), y_test


def _read_split(path, sep):
    """Parse one split file into a list of labels and a list of 1-D arrays."""
    labels, series = [], []
    in_header = sep == "ts"  # .ts files start with "@" metadata up to "@data"
    # errors="replace": a stray byte in a .ts comment must not stop the read;
    # one among the values still fails below, with its line and column.
    # "utf-8-sig" drops the byte-order mark some editors write, which would
    # otherwise be glued to the first label.
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip() or (sep == "ts" and line.startswith("#")):
                continue
            if in_header:
                in_header = _read_ts_header(line, path, lineno)
                continue
            label, tokens, first_col = _split_row(line, sep, path, lineno)
            labels.append(label)
            series.append(_parse_values(tokens, first_col, sep, path, lineno))
    if not series:
        raise ValueError(f"{path.name} holds no time series (in {path}).")
    return labels, series


def _read_ts_header(line, path, lineno):
    """Check one ``.ts`` header line; return False once "@data" is reached."""
    words = line.lower().split()
    if words[0] == "@data":
        return False
    if not words[0].startswith("@"):
        raise _malformed(path, lineno, 1, "expected a header line starting with @")
    if words[0] == "@timestamps" and words[-1] == "true":
        raise _malformed(path, lineno, 1, "timestamped .ts files are not supported")
    return True


def _split_row(line, sep, path, lineno):
    """Split a line into its label, its value tokens and their first column."""
    line = line.rstrip()  # trailing tabs are empty padding fields anyway
    if sep == "ts":
        values, colon, label = line.strip().rpartition(":")
        tokens = values.split(",")
        if not colon:
            raise _malformed(path, lineno, len(tokens), "no ':<label>' at the end of the row")
        if ":" in values:
            raise _malformed(path, lineno, 1, "multivariate series are not supported")
        label_col, first_col = len(tokens) + 1, 1
    else:
        label, *tokens = line.split(sep)
        label_col, first_col = 1, 2
    if not label.strip():
        raise _malformed(path, lineno, label_col, "missing class label")
    return label.strip(), tokens, first_col


def _parse_values(tokens, first_col, sep, path, lineno):
    """Parse value tokens, dropping the trailing missing values (padding)."""
    try:  # fast path: numpy parses numbers and "NaN" alike
        values = np.asarray(tokens, dtype=np.float64)
    except ValueError:  # empty fields, "?", or a bad token to report
        values = np.array(
            [_parse_value(t, first_col + i, path, lineno) for i, t in enumerate(tokens)]
        )
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:  # "inf", or a number such as 1e400 beyond float64
        token = tokens[infinite[0]].strip()
        raise _malformed(
            path, lineno, first_col + infinite[0], f"{token!r} is not a finite float64 number"
        )
    observed = np.flatnonzero(~np.isnan(values))
    if observed.size == 0:
        raise _malformed(
            path,
            lineno,
            first_col,
            f"no values after the class label (expected {_SEPARATOR_NAMES[sep]}-separated fields)",
        )
    return values[: observed[-1] + 1]


def _parse_value(token, col, path, lineno):
    token = token.strip()
    if token.lower() in _MISSING:
        return math.nan
    try:
        return float(token)
    except ValueError:
        raise _malformed(path, lineno, col, f"cannot read {token!r} as a number") from None


def _malformed(path, lineno, col, message):
    return ValueError(
        f"Malformed UCR file {path.name}, line {lineno}, column {col}: {message} (in {path})."
    )


# Integral labels up to this magnitude are read exactly by float() and fit
# int64; beyond it (say "1e30") the labels stay the strings of the file.
_MAX_INT_LABEL = 2**53


def _convert_labels(train, test):
    """Labels as int64 if all are integral numbers below 2**53, else as strings.

    Both splits are converted together so that y_train and y_test always have
    the same kind (a test set with labels "1.5" turns y_train into strings too).
    """
    try:
        numbers = [float(label) for label in train + test]
    except ValueError:
        numbers = None
    if numbers is not None and all(
        x.is_integer() and abs(x) <= _MAX_INT_LABEL for x in numbers
    ):
        ints = np.array([int(x) for x in numbers], dtype=np.int64)
        return ints[: len(train)], ints[len(train) :]
    return np.array(train, dtype=str), np.array(test, dtype=str)


def _to_dataset(series):
    """Stack 1-D arrays into shape (n_ts, sz, 1), padding with trailing NaN."""
    X = np.full((len(series), max(len(s) for s in series), 1), np.nan)
    for i, s in enumerate(series):
        X[i, : len(s), 0] = s
    return X
