"""Tests of sksoftdtw.datasets: UCR readers, bundled data and the downloader.

Everything runs offline: files are written to tmp_path, and downloads come
from a local HTTP server on 127.0.0.1.
"""

import hashlib
import io
import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from sksoftdtw.datasets import _fetch, fetch_ucr, list_datasets, list_ucr, load_dataset, load_ucr

# ------------------------------------------------------------------ helpers


def write_dataset(data_dir, name, train, test, suffix=".tsv", sep="\t"):
    """Write rows (lists of label then values, as strings) in one layout."""
    folder = Path(data_dir) / name
    folder.mkdir(parents=True, exist_ok=True)
    for split, rows in (("TRAIN", train), ("TEST", test)):
        text = "".join(sep.join(row) + "\n" for row in rows)
        (folder / f"{name}_{split}{suffix}").write_text(text)
    return folder


def rows_of(y, X):
    """Rows label-first, with values written so that they read back exactly."""
    return [[str(label)] + [repr(float(v)) for v in series] for label, series in zip(y, X)]


def random_set(seed, n, sz):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, sz)), rng.integers(1, 4, size=n)


# ------------------------------------------------------------ round trips


def write_ts(data_dir, name, train, test):
    """Write rows in the sktime/aeon .ts format: header, then values:label."""
    folder = Path(data_dir) / name
    folder.mkdir(parents=True)
    for split, rows in (("TRAIN", train), ("TEST", test)):
        body = "".join(",".join(row[1:]) + ":" + row[0] + "\n" for row in rows)
        header = f"# comment\n@problemName {name}\n@univariate true\n@data\n"
        (folder / f"{name}_{split}.ts").write_text(header + body)


LAYOUT_WRITERS = {
    "2018 tsv": lambda d, n, tr, te: write_dataset(d, n, tr, te, ".tsv", "\t"),
    "2015 csv": lambda d, n, tr, te: write_dataset(d, n, tr, te, "", ","),
    "txt": lambda d, n, tr, te: write_dataset(d, n, tr, te, ".txt", "  "),
    "ts": write_ts,
}


@pytest.mark.parametrize("layout", LAYOUT_WRITERS)
def test_load_ucr_round_trip(tmp_path, layout):
    X_train, y_train = random_set(0, 7, 11)
    X_test, y_test = random_set(1, 5, 11)
    LAYOUT_WRITERS[layout](tmp_path, "Toy", rows_of(y_train, X_train), rows_of(y_test, X_test))

    Xtr, ytr, Xte, yte = load_ucr("Toy", tmp_path)

    assert Xtr.dtype == np.float64 and Xtr.shape == (7, 11, 1)
    assert Xte.shape == (5, 11, 1)
    np.testing.assert_array_equal(Xtr[:, :, 0], X_train)
    np.testing.assert_array_equal(Xte[:, :, 0], X_test)
    assert ytr.dtype == np.int64
    np.testing.assert_array_equal(ytr, y_train)
    np.testing.assert_array_equal(yte, y_test)


def test_load_ucr_accepts_str_and_path(tmp_path):
    write_dataset(tmp_path, "Toy", [["1", "0.5"]], [["2", "1.5"]])
    for data_dir in (tmp_path, str(tmp_path)):
        assert load_ucr("Toy", data_dir)[0].tolist() == [[[0.5]]]


def test_variable_length_tsv_padded_with_nan(tmp_path):
    train = [
        ["1", "1.0", "2.0", "3.0", "4.0", "5.0"],  # longest series
        ["2", "1.0", "2.0", "", "", ""],  # padded with empty fields
        ["1", "7.0", "NaN", "NaN", "NaN", "NaN"],  # padded with the string NaN
        ["2", "1.0", "nan", "3.0"],  # NaN inside a series: a missing value
    ]
    test = [["1", "9.0", "8.0", "", ""]]
    write_dataset(tmp_path, "Var", train, test)

    X_train, y_train, X_test, y_test = load_ucr("Var", tmp_path)

    assert X_train.shape == (4, 5, 1)
    nan = np.nan
    expected = [
        [1, 2, 3, 4, 5],
        [1, 2, nan, nan, nan],
        [7, nan, nan, nan, nan],
        [1, nan, 3, nan, nan],
    ]
    np.testing.assert_array_equal(X_train[:, :, 0], expected)
    # Trailing padding is dropped, so the test split is as long as its longest series.
    assert X_test.shape == (1, 2, 1)
    assert y_train.tolist() == [1, 2, 1, 2] and y_test.tolist() == [1]


def test_variable_length_2015_csv(tmp_path):
    train = [["1", "0.1", "0.2", "0.3"], ["2", "0.4", "NaN", "NaN"]]
    test = [["1", "0.5", "0.6", ""]]
    write_dataset(tmp_path, "Var", train, test, suffix="", sep=",")

    X_train, _, X_test, _ = load_ucr("Var", tmp_path)

    np.testing.assert_array_equal(X_train[:, :, 0], [[0.1, 0.2, 0.3], [0.4, np.nan, np.nan]])
    np.testing.assert_array_equal(X_test[:, :, 0], [[0.5, 0.6]])


def test_tsv_preferred_over_other_layouts(tmp_path):
    write_dataset(tmp_path, "Toy", [["1", "0.0"]], [["1", "0.0"]], suffix="", sep=",")
    write_dataset(tmp_path, "Toy", [["1", "9.0"]], [["1", "9.0"]], suffix=".tsv", sep="\t")
    assert load_ucr("Toy", tmp_path)[0].tolist() == [[[9.0]]]


# ----------------------------------------------------------------- labels


@pytest.mark.parametrize(
    "train, test, expected_train, expected_test",
    [
        (["1", "2"], ["2"], [1, 2], [2]),
        (["-1", "1"], ["-1"], [-1, 1], [-1]),
        (["1.0000000e+00", "2.0000000e+00"], ["2.0"], [1, 2], [2]),
        (["0", "10"], ["3"], [0, 10], [3]),
    ],
)
def test_integral_labels_become_ints(tmp_path, train, test, expected_train, expected_test):
    write_dataset(tmp_path, "L", [[y, "0.0"] for y in train], [[y, "0.0"] for y in test])
    _, y_train, _, y_test = load_ucr("L", tmp_path)
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert y_train.tolist() == expected_train
    assert y_test.tolist() == expected_test


@pytest.mark.parametrize(
    "train, test",
    [
        (["cat", "dog"], ["dog"]),
        (["1", "2.5"], ["1"]),  # one non-integral number: all kept as strings
        (["1", "2"], ["x"]),  # the test split decides for the training split too
    ],
)
def test_other_labels_stay_strings(tmp_path, train, test):
    write_dataset(tmp_path, "L", [[y, "0.0"] for y in train], [[y, "0.0"] for y in test])
    _, y_train, _, y_test = load_ucr("L", tmp_path)
    assert y_train.dtype.kind == "U" and y_test.dtype.kind == "U"
    assert y_train.tolist() == train
    assert y_test.tolist() == test


@pytest.mark.parametrize("layout", ["2018 tsv", "2015 csv", "ts"])
def test_byte_order_mark_is_not_part_of_the_first_label(tmp_path, layout):
    LAYOUT_WRITERS[layout](tmp_path, "Toy", [["1", "0.5"], ["2", "0.1"]], [["2", "0.3"]])
    for path in (tmp_path / "Toy").iterdir():
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    X_train, y_train, X_test, y_test = load_ucr("Toy", tmp_path)
    assert y_train.dtype == np.int64 and y_train.tolist() == [1, 2]
    assert y_test.tolist() == [2]
    assert X_train[:, :, 0].tolist() == [[0.5], [0.1]]


@pytest.mark.parametrize("huge", ["1e30", "-1e30", "9007199254740994", "1e400", "inf", "nan"])
def test_labels_beyond_exact_integers_stay_strings(tmp_path, huge):
    write_dataset(tmp_path, "L", [["1", "0.0"], [huge, "0.0"]], [["1", "0.0"]])
    _, y_train, _, y_test = load_ucr("L", tmp_path)
    assert y_train.dtype.kind == "U" and y_test.dtype.kind == "U"
    assert y_train.tolist() == ["1", huge] and y_test.tolist() == ["1"]


def test_largest_exact_integer_label_is_an_int(tmp_path):
    write_dataset(tmp_path, "L", [["9007199254740992", "0.0"]], [["-9007199254740992", "0.0"]])
    _, y_train, _, y_test = load_ucr("L", tmp_path)
    assert y_train.dtype == np.int64
    assert (y_train[0], y_test[0]) == (2**53, -(2**53))


# ----------------------------------------------------------------- errors


def test_missing_directory_is_named(tmp_path):
    missing = tmp_path / "no_such_dir"
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        load_ucr("GunPoint", missing)
    assert str(missing) in str(info.value)
    with pytest.raises(FileNotFoundError, match="no_such_dir"):
        list_ucr(missing)


def test_missing_dataset_lists_close_matches(tmp_path):
    for name in ("GunPoint", "GunPointAgeSpan", "Coffee"):
        write_dataset(tmp_path, name, [["1", "0"]], [["1", "0"]])
    with pytest.raises(FileNotFoundError) as info:
        load_ucr("gunpont", tmp_path)
    message = str(info.value)
    assert "'gunpont'" in message and str(tmp_path) in message
    assert "'GunPoint'" in message and "'Coffee'" not in message


def test_missing_dataset_without_close_match(tmp_path):
    write_dataset(tmp_path, "Coffee", [["1", "0"]], [["1", "0"]])
    with pytest.raises(FileNotFoundError, match="'Wafer' not found.*No close match"):
        load_ucr("Wafer", tmp_path)


def test_dataset_missing_its_test_file(tmp_path):
    folder = write_dataset(tmp_path, "Toy", [["1", "0"]], [["1", "0"]])
    (folder / "Toy_TEST.tsv").unlink()
    with pytest.raises(FileNotFoundError, match="Toy_TEST.tsv"):
        load_ucr("Toy", tmp_path)
    assert list_ucr(tmp_path) == []


def test_bad_value_names_file_line_and_column(tmp_path):
    folder = write_dataset(tmp_path, "Toy", [["1", "0"]], [["1", "0"]])
    # Line 2 is blank and still counts; "abc" is the 4th field of line 3.
    (folder / "Toy_TRAIN.tsv").write_text("1\t0.1\t0.2\t0.3\n\n2\t0.4\t0.5\tabc\n")
    with pytest.raises(ValueError) as info:
        load_ucr("Toy", tmp_path)
    message = str(info.value)
    assert "Toy_TRAIN.tsv" in message
    assert "line 3, column 4" in message
    assert "'abc'" in message


def test_bad_value_in_2015_test_file(tmp_path):
    folder = write_dataset(tmp_path, "Toy", [["1", "0"]], [["1", "0"]], suffix="", sep=",")
    (folder / "Toy_TEST").write_text("1,0.1,0.2\n1,0.3,0.4\n1,0.5,0.6\n2,1..5,0.7\n")
    with pytest.raises(ValueError, match=r"Toy_TEST, line 4, column 2: cannot read '1\.\.5'"):
        load_ucr("Toy", tmp_path)


@pytest.mark.parametrize("token", ["inf", "-inf", "Infinity", "1e400", "-1e309"])
@pytest.mark.parametrize("layout", ["2018 tsv", "2015 csv", "txt", "ts"])
def test_infinite_values_name_file_line_and_column(tmp_path, layout, token):
    train = [["1", "0.5", "0.25"], ["2", "0.5", token]]
    LAYOUT_WRITERS[layout](tmp_path, "Toy", train, [["1", "0.5", "0.5"]])
    # The .ts writer adds a four-line header and counts columns from the values.
    line, column = (6, 2) if layout == "ts" else (2, 3)
    with pytest.raises(ValueError, match=f"line {line}, column {column}: '{token}' is not a finite"):
        load_ucr("Toy", tmp_path)


def test_infinite_value_among_missing_ones(tmp_path):
    folder = write_dataset(tmp_path, "Toy", [["1", "0"]], [["1", "0"]])
    (folder / "Toy_TRAIN.tsv").write_text("1\t0.5\t\tNaN\t1e999\t\n")
    with pytest.raises(ValueError, match="Toy_TRAIN.tsv, line 1, column 5: '1e999'"):
        load_ucr("Toy", tmp_path)


@pytest.mark.parametrize(
    "content, expected",
    [
        ("1\t0.5\n\t0.1\t0.2\n", "line 2, column 1: missing class label"),
        ("1\t0.5\n2\n", "line 2, column 2: no values after the class label"),
        ("1\t\t\t\n", "line 1, column 2: no values"),
        ("1,0.5,0.6\n", "line 1, column 2: no values .*tab-separated"),  # wrong separator
    ],
)
def test_malformed_rows(tmp_path, content, expected):
    folder = write_dataset(tmp_path, "Toy", [["1", "0"]], [["1", "0"]])
    (folder / "Toy_TRAIN.tsv").write_text(content)
    with pytest.raises(ValueError, match="Toy_TRAIN.tsv, " + expected):
        load_ucr("Toy", tmp_path)


def test_empty_file(tmp_path):
    folder = write_dataset(tmp_path, "Toy", [["1", "0"]], [["1", "0"]])
    (folder / "Toy_TEST.tsv").write_text("\n")
    with pytest.raises(ValueError, match="Toy_TEST.tsv holds no time series"):
        load_ucr("Toy", tmp_path)


def test_multivariate_ts_rejected(tmp_path):
    folder = tmp_path / "Toy"
    folder.mkdir()
    (folder / "Toy_TRAIN.ts").write_text("@problemName Toy\n@data\n1,2:3,4:a\n")
    (folder / "Toy_TEST.ts").write_text("@data\n1,2:a\n")
    with pytest.raises(ValueError, match="Toy_TRAIN.ts, line 3, column 1: multivariate"):
        load_ucr("Toy", tmp_path)


def test_list_ucr_sorted_and_filtered(tmp_path):
    for name in ("Wine", "Adiac", "ECG200"):
        write_dataset(tmp_path, name, [["1", "0"]], [["1", "0"]])
    write_dataset(tmp_path, "Beef", [["1", "0"]], [["1", "0"]], suffix="", sep=",")
    (tmp_path / "empty_folder").mkdir()
    (tmp_path / "notes.txt").write_text("not a dataset")
    assert list_ucr(tmp_path) == ["Adiac", "Beef", "ECG200", "Wine"]


# --------------------------------------------------------- bundled datasets

# From /work/shared/data/ucr/manifest.csv: name -> (n_train, n_test, length, n_classes).
BUNDLED_SHAPES = {
    "Coffee": (28, 28, 286, 2),
    "GunPoint": (50, 150, 150, 2),
    "ItalyPowerDemand": (67, 1029, 24, 2),
}
# SHA-256 of the UCR 2018 archive's files: the bundled copies must be byte-for-byte.
BUNDLED_SHA256 = {
    "Coffee/Coffee_TEST.tsv": "07f25cedb9fd819a201e7de6abbdc444695b4b16ee70295010e401f18c38babd",
    "Coffee/Coffee_TRAIN.tsv": "a722ab8acd6c18b11b8fa835fbe523fc072e6ce4434b44d7919fa95152d377bf",
    "GunPoint/GunPoint_TEST.tsv": "5537eb2f3050e1514f3221b5f4c9799b350fb229ea15eed9e78bbae855505ccf",
    "GunPoint/GunPoint_TRAIN.tsv": "4d14e4f44a6230087cb4b4ed7844c8b0feb76f07a76108cc367d689e0de8f609",
    "ItalyPowerDemand/ItalyPowerDemand_TEST.tsv": (
        "ab22aa53de4ef55f2e2bcbf0518565704aeec8d76f48ef1180903bf5814c47fc"
    ),
    "ItalyPowerDemand/ItalyPowerDemand_TRAIN.tsv": (
        "fab46ef99232ada65773ed89b131954a91ec1da69803159cb1566f320dbaf22e"
    ),
}


def test_list_datasets():
    assert list_datasets() == sorted(BUNDLED_SHAPES)


@pytest.mark.parametrize("name", sorted(BUNDLED_SHAPES))
def test_bundled_shapes_match_manifest(name):
    n_train, n_test, length, n_classes = BUNDLED_SHAPES[name]
    X_train, y_train, X_test, y_test = load_dataset(name)
    assert X_train.shape == (n_train, length, 1)
    assert X_test.shape == (n_test, length, 1)
    assert y_train.shape == (n_train,) and y_test.shape == (n_test,)
    assert y_train.dtype == np.int64
    assert len(np.union1d(y_train, y_test)) == n_classes
    assert not np.isnan(X_train).any() and not np.isnan(X_test).any()


@pytest.mark.parametrize("relative_path", sorted(BUNDLED_SHA256))
def test_bundled_files_are_unmodified(relative_path):
    data_dir = Path(_fetch.__file__).parent / "data"  # the copy the package reads
    digest = hashlib.sha256((data_dir / relative_path).read_bytes()).hexdigest()
    assert digest == BUNDLED_SHA256[relative_path]


def test_load_dataset_is_case_insensitive():
    X_a, y_a, _, _ = load_dataset("GunPoint")
    X_b, y_b, _, _ = load_dataset("gunpoint")
    np.testing.assert_array_equal(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)


def test_load_dataset_unknown_name_lists_bundled():
    with pytest.raises(ValueError) as info:
        load_dataset("Wafer")
    message = str(info.value)
    assert "'Wafer'" in message
    for name in BUNDLED_SHAPES:
        assert repr(name) in message


# -------------------------------------------------------------- fetch_ucr


@pytest.fixture(autouse=True)
def offline_defaults(tmp_path, monkeypatch):
    """Keep every test off the real network and out of the home directory."""
    monkeypatch.setattr(_fetch, "DEFAULT_URL", "http://127.0.0.1:9/{name}.zip")
    monkeypatch.setenv("SKSOFTDTW_DATA", str(tmp_path / "default_home"))
    # urllib would send even 127.0.0.1 requests to a proxy set in the environment.
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture
def server():
    """A local HTTP server: set `files[path] = bytes`; `hits` logs requested paths."""
    files, hits = {}, []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep the test output quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A short poll interval makes shutdown() quick.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield SimpleNamespace(files=files, hits=hits, url=f"http://127.0.0.1:{httpd.server_port}")
    httpd.shutdown()
    httpd.server_close()
    thread.join()


TOY_TRAIN = "1\t0.0\t1.0\t2.0\n2\t2.0\t1.0\t0.0\n"
TOY_TEST = "2\t1.5\t1.0\t0.5\n"


def make_zip(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def toy_zip(compression=zipfile.ZIP_DEFLATED):
    # Nested in a folder, as many archives are, with a file to ignore.
    members = {"Toy/Toy_TRAIN.tsv": TOY_TRAIN, "Toy/Toy_TEST.tsv": TOY_TEST, "Toy/README": "x"}
    return make_zip(members, compression)


def test_fetch_downloads_and_caches(tmp_path, server):
    server.files["/Toy.zip"] = toy_zip()
    home = tmp_path / "home"

    X_train, y_train, X_test, y_test = fetch_ucr("Toy", home, url=server.url + "/Toy.zip")

    assert server.hits == ["/Toy.zip"]
    assert X_train[:, :, 0].tolist() == [[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]
    assert y_train.tolist() == [1, 2] and y_test.tolist() == [2]
    assert X_test.shape == (1, 3, 1)
    # The cache is a load_ucr directory holding only the dataset's files.
    assert sorted(p.name for p in (home / "Toy").iterdir()) == ["Toy_TEST.tsv", "Toy_TRAIN.tsv"]
    assert [p.name for p in home.iterdir()] == ["Toy"]  # no scratch folder left
    assert list_ucr(home) == ["Toy"]
    np.testing.assert_array_equal(load_ucr("Toy", home)[0], X_train)


def test_fetch_cache_hit_does_not_contact_server(tmp_path, server):
    server.files["/Toy.zip"] = toy_zip()
    url = server.url + "/Toy.zip"
    first = fetch_ucr("Toy", tmp_path / "home", url=url)
    del server.files["/Toy.zip"]  # a second download would now fail

    second = fetch_ucr("Toy", tmp_path / "home", url=url)

    assert server.hits == ["/Toy.zip"]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_fetch_default_url_and_env_data_home(tmp_path, server, monkeypatch):
    server.files["/Toy.zip"] = toy_zip()
    monkeypatch.setattr(_fetch, "DEFAULT_URL", server.url + "/{name}.zip")
    monkeypatch.setenv("SKSOFTDTW_DATA", str(tmp_path / "env_home"))

    fetch_ucr("Toy")

    assert server.hits == ["/Toy.zip"]
    assert (tmp_path / "env_home" / "Toy" / "Toy_TRAIN.tsv").read_text() == TOY_TRAIN


def test_fetch_ts_zip_like_aeon(tmp_path, server):
    ts_train = "@problemName Toy\n@missing false\n@data\n0.0,1.0,2.0:a\n2.0,1.0:b\n"
    ts_test = "@data\n1.5,1.0,0.5:b\n"
    server.files["/Toy.zip"] = make_zip(
        {"Toy_TRAIN.ts": ts_train, "Toy_TEST.ts": ts_test, "Toy_TRAIN.arff": "ignored"}
    )

    X_train, y_train, _, y_test = fetch_ucr("Toy", tmp_path, url=server.url + "/Toy.zip")

    np.testing.assert_array_equal(X_train[:, :, 0], [[0.0, 1.0, 2.0], [2.0, 1.0, np.nan]])
    assert y_train.tolist() == ["a", "b"] and y_test.tolist() == ["b"]


def test_fetch_checks_sha256(tmp_path, server):
    data = toy_zip()
    server.files["/Toy.zip"] = data
    url = server.url + "/Toy.zip"
    with pytest.raises(OSError, match="SHA-256"):
        fetch_ucr("Toy", tmp_path / "bad", url=url, sha256="0" * 64)
    assert list((tmp_path / "bad").iterdir()) == []  # nothing cached

    fetch_ucr("Toy", tmp_path / "good", url=url, sha256=hashlib.sha256(data).hexdigest())
    assert list_ucr(tmp_path / "good") == ["Toy"]


def corrupt_crc(data):
    """Change one byte of a stored member's content: its CRC no longer matches."""
    position = data.index(b"1.5\t1.0")
    return data[:position] + b"9" + data[position + 1 :]


def flag_encrypted(data):
    """Set the "encrypted" bit of every central directory entry."""
    data = bytearray(data)
    position = data.find(b"PK\x01\x02")
    while position != -1:
        data[position + 8] |= 0x1
        position = data.find(b"PK\x01\x02", position + 1)
    return bytes(data)


@pytest.mark.parametrize(
    "payload, expected",
    [
        (b"<html><body>Page not found</body></html>", "is not a valid zip"),
        (toy_zip()[:40], "is not a valid zip"),  # truncated download
        (corrupt_crc(toy_zip(zipfile.ZIP_STORED)), "is not a valid zip .*CRC"),
        (flag_encrypted(toy_zip()), "password-protected"),
        (make_zip({"Other_TRAIN.tsv": TOY_TRAIN}), "lacks the files of 'Toy'.*Other_TRAIN.tsv"),
    ],
    ids=["html", "truncated", "bad-crc", "encrypted", "wrong-files"],
)
def test_fetch_rejects_bad_archive(tmp_path, server, payload, expected):
    server.files["/Toy.zip"] = payload
    home = tmp_path / "home"
    url = server.url + "/Toy.zip"

    with pytest.raises(OSError, match=expected) as info:
        fetch_ucr("Toy", home, url=url)

    assert url in str(info.value)
    assert list(home.iterdir()) == []  # nothing cached, no scratch folder left


def extract(tmp_path, data):
    """Run the extraction step alone on zip bytes; return the target folder."""
    archive = tmp_path / "download.zip"
    archive.write_bytes(data)
    (tmp_path / "out").mkdir()
    _fetch._extract_splits(archive, "Toy", tmp_path / "out" / "Toy", "file://x.zip")
    return tmp_path / "out" / "Toy"


def test_zip_expanding_beyond_the_limit_is_rejected_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(_fetch, "MAX_EXTRACTED_BYTES", 100_000)
    bomb = "1\t" + "0\t" * 60_000 + "0\n"  # 120 KB of text, a few hundred bytes zipped
    data = make_zip({"Toy_TRAIN.tsv": bomb, "Toy_TEST.tsv": TOY_TEST})
    assert len(data) < 2_000
    with pytest.raises(OSError, match=r"expand to 120\d{3} bytes, more than the limit of 100000"):
        extract(tmp_path, data)
    assert list((tmp_path / "out" / "Toy").iterdir()) == []  # nothing written


def test_zip_just_below_the_limit_is_extracted(tmp_path, monkeypatch):
    size = len(TOY_TRAIN.encode()) + len(TOY_TEST.encode())
    monkeypatch.setattr(_fetch, "MAX_EXTRACTED_BYTES", size)
    folder = extract(tmp_path, toy_zip())  # the README member does not count
    assert (folder / "Toy_TRAIN.tsv").read_text() == TOY_TRAIN


def test_zip_with_too_many_members_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setattr(_fetch, "MAX_MEMBERS", 3)
    members = {"Toy_TRAIN.tsv": TOY_TRAIN, "Toy_TEST.tsv": TOY_TEST, "a": "", "b": ""}
    with pytest.raises(OSError, match="holds 4 members, more than the 3"):
        extract(tmp_path, make_zip(members))


@pytest.mark.parametrize(
    "path", ["../Toy_TRAIN.tsv", "Toy/../../x", "/etc/Toy_TEST.tsv", "C:/Toy_TEST.tsv", "..\\x"]
)
def test_zip_member_leaving_its_folder_is_rejected(tmp_path, server, path):
    data = make_zip({"Toy_TRAIN.tsv": TOY_TRAIN, "Toy_TEST.tsv": TOY_TEST, path: "x"})
    server.files["/Toy.zip"] = data
    home = tmp_path / "home"
    with pytest.raises(OSError, match="member path leaving its folder"):
        fetch_ucr("Toy", home, url=server.url + "/Toy.zip")
    assert list(home.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["home"]  # nothing written beside it


def test_fetch_malformed_file_in_zip_is_not_cached(tmp_path, server):
    server.files["/Toy.zip"] = make_zip({"Toy_TRAIN.tsv": "1\tx\n", "Toy_TEST.tsv": TOY_TEST})
    with pytest.raises(ValueError, match="Toy_TRAIN.tsv, line 1, column 2"):
        fetch_ucr("Toy", tmp_path, url=server.url + "/Toy.zip")
    assert list(tmp_path.iterdir()) == []


def test_fetch_http_error(tmp_path, server):
    with pytest.raises(ConnectionError, match="404") as info:
        fetch_ucr("Toy", tmp_path, url=server.url + "/Missing.zip")
    assert "load_ucr('Toy', data_dir)" in str(info.value)


def free_port():
    """A local port with nothing listening on it (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fetch_unreachable_server(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/Toy.zip"
    with pytest.raises(ConnectionError) as info:
        fetch_ucr("Toy", tmp_path / "home", url=url)
    message = str(info.value)
    assert "Could not download UCR dataset 'Toy'" in message and url in message
    assert "offline" in message and "load_ucr('Toy', data_dir)" in message
    assert list((tmp_path / "home").iterdir()) == []


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "Toy.zip", None])
def test_fetch_rejects_bad_names(tmp_path, server, name):
    with pytest.raises(ValueError, match="not a UCR dataset name"):
        fetch_ucr(name, tmp_path, url=server.url + "/Toy.zip")
    assert server.hits == []
