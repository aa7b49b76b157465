"""Download UCR datasets into a local cache (standard library only)."""

import hashlib
import http.client
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path

from ._ucr import _LAYOUTS, _SPLITS, _has_dataset, _load_folder, fill_doc

__all__ = ["fetch_ucr"]

# The official UCR 2018 archive is a single password-protected zip of all
# datasets, so we use the per-dataset zips of timeseriesclassification.com
# (the UEA & UCR repository): the zips aeon's load_classification downloads.
DEFAULT_URL = "https://timeseriesclassification.com/aeon-toolkit/{name}.zip"
_UCR_PAGE = "https://www.cs.ucr.edu/~eamonn/time_series_data_2018/"
_TIMEOUT = 60  # seconds a stalled connection may stay silent
# Archive names are letters, digits, "_" and "-"; this also keeps the name
# from escaping `data_home` as a path or altering the URL.
_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# Limits on what a zip may expand to, so that a crafted archive (a few KB
# inflating to gigabytes) cannot fill the disk: the largest UCR dataset,
# StarLightCurves, is about 100 MB of text per layout, and the aeon zips hold
# a handful of files.
MAX_EXTRACTED_BYTES = 512 * 2**20
MAX_MEMBERS = 1000


@fill_doc
def fetch_ucr(name, data_home=None, *, url=None, sha256=None):
    """Load a UCR dataset, downloading it on first use.

    The dataset is cached as ``<data_home>/<name>/<name>_TRAIN.<ext>`` and
    ``<name>_TEST.<ext>``: later calls read the cache without any network
    access, and :func:`load_ucr` / :func:`list_ucr` can read `data_home` too.

    Parameters
    ----------
    name : str
        Dataset name as spelled in the archive (e.g. ``"GunPoint"``).
    data_home : str or path-like, default=None
        Cache directory. Defaults to the environment variable
        ``SKSOFTDTW_DATA`` if set, else ``~/sksoftdtw_data``.
    url : str, default=None
        URL of a zip holding the dataset's TRAIN and TEST files, at any depth
        and in any layout :func:`load_ucr` reads; ``file://`` URLs work too.
        Defaults to ``DEFAULT_URL.format(name=name)``, that is
        ``https://timeseriesclassification.com/aeon-toolkit/<name>.zip``.
    sha256 : str, default=None
        Expected SHA-256 hex digest of the zip. If given, a download with
        another digest is rejected. Not checked on a cache hit.

    Returns
    -------
    X_train, y_train, X_test, y_test
        As returned by :func:`load_ucr`.

    Raises
    ------
    ValueError
        If `name` is not a plausible dataset name, or if a downloaded file is
        malformed (see :func:`load_ucr`).
    ConnectionError
        If the download fails (offline, unreachable server, HTTP error). The
        message explains how to download the dataset by hand.
    OSError
        If the download is not a valid zip (corrupt, or an error page), is
        password-protected, lacks the dataset's TRAIN and TEST files, does
        not match `sha256`, holds a member path leaving its folder (absolute
        or with ``..``), more than ``MAX_MEMBERS`` (1000) members, or
        dataset files expanding to more than ``MAX_EXTRACTED_BYTES``
        (512 MiB). Nothing is cached then.

    See Also
    --------
    load_ucr : Load a dataset downloaded by hand.
    load_dataset : Load a dataset bundled with sksoftdtw, offline.

    Notes
    -----
    Files are checked before being cached: the zip's member paths, member
    count and expanded sizes (before anything is written), its CRCs, the
    presence of both splits, and a full parse. Cite the archive [1]_ and the UEA & UCR
    repository [2]_ when you use the data.

    %(ucr_archive)s
    .. [2] A. Bagnall, J. Lines, W. Vickers and E. Keogh, "The UEA & UCR
       Time Series Classification Repository".
       https://www.timeseriesclassification.com

    Examples
    --------
    Typical use, which needs the network the first time:

    >>> X_train, y_train, X_test, y_test = fetch_ucr("GunPoint")  # doctest: +SKIP

    A cached dataset is read without any download:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from sksoftdtw.datasets import fetch_ucr
    >>> home = tempfile.TemporaryDirectory()
    >>> folder = Path(home.name) / "Toy"
    >>> folder.mkdir()
    >>> _ = (folder / "Toy_TRAIN.tsv").write_text("a\\t0.0\\t1.0\\nb\\t1.0\\t0.0\\n")
    >>> _ = (folder / "Toy_TEST.tsv").write_text("b\\t0.9\\t0.1\\n")
    >>> X_train, y_train, X_test, y_test = fetch_ucr("Toy", data_home=home.name)
    >>> X_train.shape, y_train.tolist()
    ((2, 2, 1), ['a', 'b'])
    >>> home.cleanup()
    """
    if not isinstance(name, str) or not _NAME_PATTERN.fullmatch(name):
        raise ValueError(f"{name!r} is not a UCR dataset name (e.g. 'GunPoint').")
    home = _data_home(data_home)
    if _has_dataset(home / name, name):
        return _load_folder(home / name, name)
    url = DEFAULT_URL.format(name=name) if url is None else url
    home.mkdir(parents=True, exist_ok=True)
    # Work in a scratch folder inside `home` so that a failed download never
    # leaves a half dataset that a later call would take for a cache hit.
    with tempfile.TemporaryDirectory(dir=home, prefix=f".{name}-") as tmp:
        archive, staging = Path(tmp) / "download.zip", Path(tmp) / name
        _download(url, archive, name, home)
        _check_sha256(archive, sha256, url)
        _extract_splits(archive, name, staging, url)
        data = _load_folder(staging, name)  # parse before caching
        (home / name).mkdir(exist_ok=True)
        for path in staging.iterdir():
            os.replace(path, home / name / path.name)
    return data


def _data_home(data_home):
    if data_home is None:
        data_home = os.environ.get("SKSOFTDTW_DATA") or "~/sksoftdtw_data"
    return Path(data_home).expanduser()


def _download(url, dest, name, home):
    """Save `url` to `dest`; raise ConnectionError with a manual fallback."""
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT) as response, open(dest, "wb") as f:
            shutil.copyfileobj(response, f)
    # URLError covers DNS failures, refused connections and HTTP errors; the
    # others happen mid-transfer. Disk errors are not caught: not a network issue.
    except (
        urllib.error.URLError,
        ConnectionError,
        TimeoutError,
        http.client.HTTPException,
    ) as exc:
        raise ConnectionError(
            f"Could not download UCR dataset {name!r} from {url}: {exc}. If you "
            f"are offline, download it by hand (from {url} or {_UCR_PAGE}), "
            f"put its TRAIN and TEST files in <data_dir>/{name}/ and read them "
            f"with load_ucr({name!r}, data_dir); or put them in "
            f"{home / name} where fetch_ucr will find them."
        ) from exc


def _check_sha256(path, expected, url):
    if expected is None:
        return
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != expected.lower():
        raise OSError(
            f"The file downloaded from {url} has SHA-256 {digest.hexdigest()}, "
            f"expected {expected}: it is corrupt or has changed; nothing was cached."
        )


def _extract_splits(archive, name, dest, url):
    """Copy the dataset's TRAIN and TEST files out of the zip into `dest`.

    Members are matched on their base name (zips often nest them in a folder)
    and written under the canonical name, so no member path is ever trusted.
    Paths, member count and sizes are checked before anything is written;
    reading a member checks its CRC, and never yields more than the size
    its header declares.
    """
    wanted = {
        f"{name}_{s}{suffix}".lower(): f"{name}_{s}{suffix}"
        for s in _SPLITS
        for suffix, _ in _LAYOUTS
    }
    dest.mkdir()
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            chosen = {}
            for member in members:
                base_name = member.filename.replace("\\", "/").rsplit("/", 1)[-1]
                target = wanted.get(base_name.lower())
                if target is not None:
                    chosen.setdefault(target, member)
            _check_members(zf.infolist(), chosen.values(), url)
            for target, member in chosen.items():
                if member.flag_bits & 0x1:
                    raise OSError(
                        f"The zip from {url} is password-protected (as is the "
                        "official UCR 2018 archive): unzip it by hand and use "
                        "load_ucr."
                    )
                with zf.open(member) as src, open(dest / target, "wb") as out:
                    shutil.copyfileobj(src, out)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise OSError(
            f"The file downloaded from {url} is not a valid zip ({exc}). It may "
            f"be truncated, or an error page if {name!r} is not a dataset of "
            "the archive. Nothing was cached."
        ) from exc
    if not _has_dataset(dest, name):
        listing = ", ".join(m.filename for m in members[:20]) or "nothing"
        raise OSError(
            f"The zip from {url} lacks the files of {name!r} (expected "
            f"{name}_TRAIN.tsv and {name}_TEST.tsv, or .ts, .txt or no "
            f"extension); it holds: {listing}. Nothing was cached."
        )


def _check_members(members, chosen, url):
    """Reject a zip whose paths leave its folder or that would expand too far."""
    if len(members) > MAX_MEMBERS:
        raise OSError(
            f"The zip from {url} holds {len(members)} members, more than the "
            f"{MAX_MEMBERS} a UCR dataset needs; nothing was extracted or cached."
        )
    for member in members:
        parts = member.filename.replace("\\", "/").split("/")
        if parts[0] == "" or ":" in parts[0] or ".." in parts:
            raise OSError(
                f"The zip from {url} holds a member path leaving its folder, "
                f"{member.filename!r}; nothing was extracted or cached."
            )
    expanded = sum(member.file_size for member in chosen)
    if expanded > MAX_EXTRACTED_BYTES:
        raise OSError(
            f"The dataset files in the zip from {url} expand to {expanded} bytes, "
            f"more than the limit of {MAX_EXTRACTED_BYTES} "
            "(sksoftdtw.datasets._fetch.MAX_EXTRACTED_BYTES); nothing was extracted "
            "or cached. If the archive is genuine, unzip it by hand and use load_ucr."
        )
