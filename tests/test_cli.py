"""Tests of the command line: ``sksoftdtw`` / ``python -m sksoftdtw``.

The demo runs on a bundled dataset with small settings. The experiment
commands are tested twice: their plumbing (options, progress bar, CSV, table,
errors) against a stand-in experiment module, and end to end against the
real modules of ``sksoftdtw.experiments`` on a tiny subset of the bundled
data (skipped where those modules are not installed).
"""
import csv
import io
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from _oracles import dtw_xy

import sksoftdtw
from sksoftdtw import _cli
from sksoftdtw._cli import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, main
from sksoftdtw.utils._display import ProgressBar, format_duration
from sksoftdtw.datasets import list_datasets, load_dataset

BUNDLED_DIR = Path(sksoftdtw.datasets.__file__).parent / "data"
COMMANDS = ("demo", "barycenter", "kmeans", "predict")
EXPERIMENTS = {"barycenter": "barycenter", "kmeans": "kmeans", "predict": "prediction"}
# Small demo settings: a short dataset, few series and iterations.
SMALL_DEMO = ["demo", "--dataset", "ItalyPowerDemand", "--gamma", "0.1", "--max-iter", "5",
              "--max-series", "6", "--n-jobs", "1"]


def run_module(*args):
    """``python -m sksoftdtw ARGS`` importing the package under test.

    ``-m`` looks in the working directory first: run from the directory that
    holds the package under test (the source tree or site-packages).
    """
    root = str(Path(sksoftdtw.__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "sksoftdtw", *args], check=False, cwd=root,
                          capture_output=True, text=True, env=env, timeout=300)


def one_line_error(err, command):
    """The error output is exactly one line, naming the command, without a traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"sksoftdtw {command}: error: "), err
    assert "Traceback" not in err
    return lines[0]


# ----------------------------------------------------------------- help
def test_help_of_the_program_lists_every_command():
    result = run_module("--help")
    assert result.returncode == 0, result.stderr
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_each_command(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: sksoftdtw {command}")
    for option in ("--gamma", "--n-jobs", "--out"):
        assert option in out
    if command != "demo":
        for option in ("--data-dir", "--datasets", "--seeds", "--from-csv"):
            assert option in out


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"sksoftdtw {sksoftdtw.__version__}"


def test_console_script_when_installed():
    import shutil

    script = shutil.which("sksoftdtw")
    if script is None:
        pytest.skip("the sksoftdtw console script is not installed")
    result = subprocess.run([script, "demo", "--help"], check=False, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0
    assert "usage: sksoftdtw demo" in result.stdout


# ----------------------------------------------------------------- demo
def parse_table(out, first_header):
    """Rows (lists of cells) of the text table whose header starts with `first_header`."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_header))
    header = re.split(r"\s{2,}", lines[start].strip())
    rows = []
    for line in lines[start + 2:]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return header, rows


def test_demo_losses_match_an_independent_dtw(tmp_path, capsys):
    """The Euclidean-mean column is the mean DTW loss computed by a plain DP."""
    X, y, _, _ = load_dataset("ItalyPowerDemand")
    args = SMALL_DEMO[:]
    args[args.index("--max-series") + 1] = str(len(X))  # all series: a known subset
    assert main(args + ["--no-plot"]) == 0
    out = capsys.readouterr().out
    header, rows = parse_table(out, "class")
    assert header[:4] == ["class", "n", "Euclidean mean", "DBA"]
    assert len(rows) == len(np.unique(y))
    for row in rows:
        members = X[y == int(row[0])]
        assert int(row[1]) == len(members)
        mean = members.mean(axis=0)
        expected = np.mean([dtw_xy(x, mean) for x in members]) / X.shape[1]
        assert float(row[2]) == pytest.approx(expected, abs=1e-5)
        # DBA starts from the Euclidean mean and never increases the DTW loss.
        assert float(row[3]) <= float(row[2]) + 1e-5
    _, rows = parse_table(out, "method")
    assert [r[0] for r in rows] == ["Euclidean k-means", "DBA k-means",
                                    "soft-DTW k-means gamma=0.1"]
    assert re.search(r"1-nearest-neighbour accuracy on the \d+ test series", out)


def test_demo_writes_the_figure(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out_file = tmp_path / "demo.png"
    assert main(SMALL_DEMO + ["--out", str(out_file)]) == 0
    assert f"Figure written to {out_file}" in capsys.readouterr().out
    assert out_file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_without_matplotlib_prints_the_table_and_how_to_get_the_figure(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    out_file = tmp_path / "demo.png"
    assert main(SMALL_DEMO + ["--out", str(out_file)]) == 0
    captured = capsys.readouterr()
    assert "Euclidean mean" in captured.out
    install = ('matplotlib is not installed, so the demo draws no figure. Install it with: '
               'pip install matplotlib (from a clone of sksoftdtw: pip install ".[plot]")')
    assert captured.out.rstrip().endswith(f"No figure: {install}.")
    # Said before the computation too: nobody waits for a figure that will not come.
    assert captured.err == f"Note: {install}; the tables follow.\n"
    assert not out_file.exists()


def test_demo_figure_default_is_named_and_ignored_by_git():
    args = _cli.build_parser().parse_args(["demo"])
    assert args.out == _cli.DEMO_FIGURE == "sksoftdtw-demo.png"
    gitignore = Path(__file__).resolve().parents[1] / ".gitignore"
    if not gitignore.exists():
        pytest.skip("not run from a clone")
    assert _cli.DEMO_FIGURE in gitignore.read_text().split()


def test_demo_from_a_local_archive_in_a_subprocess_without_plot(tmp_path):
    out_file = tmp_path / "demo.png"
    result = run_module(*SMALL_DEMO, "--data-dir", str(BUNDLED_DIR), "--no-plot",
                        "--out", str(out_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ItalyPowerDemand (UCR dataset from {BUNDLED_DIR})")
    assert "Barycenter of each class" in result.stdout
    assert "Figure" not in result.stdout
    assert result.stderr == ""
    assert not out_file.exists()


# ----------------------------------------------------------------- errors
def test_unknown_bundled_dataset(capsys):
    assert main(["demo", "--dataset", "NoSuchSet", "--no-plot"]) == EXIT_ERROR
    line = one_line_error(capsys.readouterr().err, "demo")
    assert "'NoSuchSet'" in line
    for name in list_datasets():
        assert name in line


def test_errors_in_a_subprocess_have_no_traceback():
    result = run_module("demo", "--dataset", "NoSuchSet")
    assert result.returncode == EXIT_ERROR
    one_line_error(result.stderr, "demo")
    result = run_module("barycenter", "--data-dir", "/no/such/dir")
    assert result.returncode == EXIT_ERROR
    assert "/no/such/dir" in one_line_error(result.stderr, "barycenter")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("gamma", ["-1", "0", "nan", "inf", "abc"])
def test_bad_gamma_is_a_usage_error(command, gamma, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--gamma", gamma])
    assert exc.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"sksoftdtw {command}: error: argument --gamma")
    assert repr(gamma) in err


@pytest.mark.parametrize("argv", [["demo", "--n-jobs", "0"], ["demo", "--max-iter", "-3"],
                                  ["predict", "--max-train", "-1"],
                                  ["kmeans", "--seeds", "zero"], ["nosuchcommand"], []])
def test_other_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sksoftdtw")


@pytest.mark.parametrize("command, option, suggestion", [
    ("demo", "--gama", "--gamma"), ("kmeans", "--max-iters", "--max-iter"),
    ("predict", "--hiden", "--hidden"), ("barycenter", "--data_dir", "--data-dir")])
def test_unknown_option_is_the_commands_error(command, option, suggestion, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, option, "0.1"])
    assert exc.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert err == (f"sksoftdtw {command}: error: unrecognized arguments: {option} 0.1; "
                   f"did you mean {suggestion}? (see 'sksoftdtw {command} --help')\n")


@pytest.mark.parametrize("name, hint", [("FaceFour", ""), ("GunPonit", "did you mean 'GunPoint'? ")])
def test_demo_on_a_dataset_not_bundled_points_to_data_dir(name, hint, capsys):
    assert main(["demo", "--dataset", name, "--no-plot"]) == EXIT_ERROR
    line = one_line_error(capsys.readouterr().err, "demo")
    assert line == (
        f"sksoftdtw demo: error: {name!r} is not a bundled dataset (the bundled ones are "
        f"Coffee, GunPoint, ItalyPowerDemand); {hint}for another UCR dataset, give --data-dir "
        f"DIR, a local copy of the UCR archive holding {name}/{name}_TRAIN.tsv and "
        f"{name}/{name}_TEST.tsv")


@pytest.mark.parametrize("fake", list(EXPERIMENTS), indirect=True)
def test_experiment_on_bundled_datasets_needs_no_data_dir(fake, capsys):
    command, module = fake
    assert main([command, "--datasets", "gunpoint,Coffee", "--quiet", "--out",
                 os.devnull]) == 0
    (call,) = module.calls
    assert Path(call["data_dir"]) == BUNDLED_DIR
    assert call["datasets"] == ["GunPoint", "Coffee"]
    assert "on 2 datasets of the bundled datasets" in capsys.readouterr().err


def test_output_in_a_missing_directory(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert main(["demo", "--out", str(tmp_path / "no" / "demo.png")]) == EXIT_ERROR
    assert "does not exist" in one_line_error(capsys.readouterr().err, "demo")


def test_unknown_image_format(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert main(["demo", "--out", str(tmp_path / "demo.nosuchformat")]) == EXIT_ERROR
    assert "'nosuchformat'" in one_line_error(capsys.readouterr().err, "demo")


def test_debug_shows_the_traceback():
    with pytest.raises(_cli.UserError, match="NoSuchSet"):
        main(["--debug", "demo", "--dataset", "NoSuchSet"])


# ----------------------------------------------------------------- experiments
class FakeExperiment(types.ModuleType):
    """Stand-in for a module of sksoftdtw.experiments that records its calls."""

    FIELDS = ("dataset", "seed", "gamma", "loss")

    def __init__(self, name, fail=None):
        super().__init__(name)
        self.calls = []
        self.fail = fail

    def run(self, data_dir, *, datasets=None, gammas=(1.0, 0.1), seeds=1, n_jobs=None,
            progress=True, out=None, **options):
        self.calls.append({"data_dir": data_dir, "datasets": datasets, "gammas": gammas,
                           "seeds": seeds, "n_jobs": n_jobs, "out": out, "options": options})
        rows = []
        total = len(datasets) * seeds
        for k, (name, seed) in enumerate((d, s) for d in datasets for s in range(seeds)):
            if self.fail is not None:
                raise self.fail
            rows += [{"dataset": name, "seed": seed, "gamma": g, "loss": g * (seed + 1)}
                     for g in gammas]
            if callable(progress):
                progress(k + 1, total, f"{name} seed {seed}")
        return rows

    def summarize(self, rows):
        return {"n_rows": len(rows), "total": sum(float(r["loss"]) for r in rows)}

    def format_table(self, summary):
        return f"TABLE rows={summary['n_rows']} total={summary['total']:g}"

    def write_csv(self, rows, path):
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.FIELDS)
            writer.writeheader()
            writer.writerows(rows)


@pytest.fixture
def fake(monkeypatch, request):
    command = getattr(request, "param", "barycenter")
    name = f"sksoftdtw.experiments.{EXPERIMENTS[command]}"
    module = FakeExperiment(name)
    monkeypatch.setitem(sys.modules, name, module)
    return command, module


@pytest.mark.parametrize("fake", list(EXPERIMENTS), indirect=True)
def test_experiment_passes_the_options_to_run(fake, tmp_path, capsys):
    command, module = fake
    out_file = tmp_path / "results.csv"
    extra = {"barycenter": ["--max-iter", "7", "--methods", "dba", "softdtw-auto",
                            "--inits", "euclidean"],
             "kmeans": ["--max-iter", "7", "--workers", "2", "--max-train", "0",
                        "--methods", "softdtw-auto"],
             "predict": ["--max-iter", "7", "--max-train-cells", "1000", "--max-test", "0"]}[command]
    status = main([command, "--data-dir", str(BUNDLED_DIR), "--datasets", "GunPoint,Coffee",
                   "--gamma", "1", "0.01", "--seeds", "3", "--n-jobs", "2", "--quiet",
                   "--out", str(out_file)] + extra)
    assert status == 0
    (call,) = module.calls
    assert call["data_dir"] == str(BUNDLED_DIR)
    assert call["datasets"] == ["GunPoint", "Coffee"]
    assert call["gammas"] == [1.0, 0.01]
    assert call["seeds"] == 3 and call["n_jobs"] == 2
    # The results file goes to run(), which rewrites it after each unit of
    # work: an interrupted run keeps the units done.
    assert Path(call["out"]) == out_file
    expected = {"barycenter": {"max_iter": 7, "methods": ["dba", "softdtw-auto"],
                               "inits": ["euclidean"]},
                "kmeans": {"max_iter": 7, "workers": 2, "max_train": 0,
                           "methods": ["softdtw-auto"]},
                "predict": {"max_iter": 7, "max_train_cells": 1000.0, "max_test": 0}}[command]
    assert call["options"] == expected
    with open(out_file, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 * 3 * 2
    total = sum(float(r["loss"]) for r in rows)
    assert f"TABLE rows=12 total={total:g}" in capsys.readouterr().out


def test_experiment_defaults_are_the_modules(fake, capsys):
    command, module = fake
    assert main([command, "--data-dir", str(BUNDLED_DIR), "--quiet", "--out",
                 os.devnull]) == 0
    (call,) = module.calls
    assert call["datasets"] == list_datasets()  # every dataset of the directory
    assert call["options"] == {}
    assert call["gammas"] == (1.0, 0.1) and call["seeds"] == 1  # run()'s own defaults


def test_experiment_progress_bar(fake, tmp_path, capsys):
    command, _ = fake
    assert main([command, "--data-dir", str(BUNDLED_DIR), "--seeds", "2",
                 "--out", str(tmp_path / "r.csv")]) == 0
    err = capsys.readouterr().err
    steps = [line for line in err.splitlines() if line.startswith(command + " [")]
    n = 2 * len(list_datasets())
    assert [re.search(r"\] (\d+)/(\d+)", s).groups() for s in steps] == [
        (str(k), str(n)) for k in range(1, n + 1)]
    assert steps[-1].split("]")[0].endswith("#")  # full bar at the end


def test_experiment_from_csv_summarizes_earlier_results(fake, tmp_path, capsys):
    command, module = fake
    parts = []
    for name in ("Coffee", "GunPoint"):
        parts.append(tmp_path / f"{name}.csv")
        assert main([command, "--data-dir", str(BUNDLED_DIR), "--datasets", name,
                     "--quiet", "--out", str(parts[-1])]) == 0
    capsys.readouterr()
    module.calls.clear()
    assert main([command, "--from-csv", *map(str, parts)]) == 0
    assert module.calls == []  # nothing is run
    assert "TABLE rows=4 total=2.2" in capsys.readouterr().out


@pytest.mark.parametrize("writer, reader", [
    ("barycenter", "kmeans"), ("kmeans", "barycenter"), ("predict", "barycenter"),
    ("barycenter", "predict")])
def test_from_csv_of_another_experiment_is_an_error(writer, reader, tmp_path, capsys):
    written = pytest.importorskip(f"sksoftdtw.experiments.{EXPERIMENTS[writer]}")
    pytest.importorskip(f"sksoftdtw.experiments.{EXPERIMENTS[reader]}")
    path = tmp_path / f"{writer}.csv"
    written.write_csv([dict.fromkeys(written.FIELDS, "1")], path)
    assert main([reader, "--from-csv", str(path)]) == EXIT_ERROR
    message = one_line_error(capsys.readouterr().err, reader)
    assert str(path) in message and "lacks the columns" in message
    assert "another experiment" in message


@pytest.mark.parametrize("line, n_values", [("Coffee,0,0.1", 3), ("Coffee,0,0.1,1,2", 5)])
def test_from_csv_ragged_is_an_error(fake, tmp_path, line, n_values, capsys):
    command, module = fake
    path = tmp_path / "ragged.csv"
    path.write_text("dataset,seed,gamma,loss\nCoffee,0,1.0,1.0\n\n" + line + "\n")
    assert main([command, "--from-csv", str(path)]) == EXIT_ERROR
    message = one_line_error(capsys.readouterr().err, command)
    assert f"{path}, line 4: {n_values} values for the 4 columns" in message


def test_from_csv_empty_file_is_an_error(fake, tmp_path, capsys):
    command, _ = fake
    (tmp_path / "empty.csv").write_text("")
    assert main([command, "--from-csv", str(tmp_path / "empty.csv")]) == EXIT_ERROR
    assert "is empty" in one_line_error(capsys.readouterr().err, command)


def test_experiment_interrupted(monkeypatch, capsys):
    name = "sksoftdtw.experiments.barycenter"
    monkeypatch.setitem(sys.modules, name, FakeExperiment(name, fail=KeyboardInterrupt()))
    assert main(["barycenter", "--data-dir", str(BUNDLED_DIR), "--quiet",
                 "--out", os.devnull]) == EXIT_INTERRUPTED
    assert "interrupted" in capsys.readouterr().err


@pytest.mark.parametrize("argv, expected", [
    (["--data-dir", "/no/such/dir"], "'/no/such/dir' does not exist"),
    (["--data-dir", str(BUNDLED_DIR), "--datasets", "gunpoint"], "Close matches: 'GunPoint'"),
    ([], "--data-dir is required"),
    (["--datasets", "GunPoint", "FaceFour"], "'FaceFour' is not a bundled dataset"),
    (["--data-dir", str(BUNDLED_DIR), "--out", "/no/such/dir/r.csv"], "does not exist"),
    (["--from-csv", "/no/such/file.csv"], "No such file"),
])
def test_experiment_user_errors(fake, argv, expected, capsys):
    command, module = fake
    assert main([command] + argv) == EXIT_ERROR
    assert expected in one_line_error(capsys.readouterr().err, command)
    assert module.calls == []  # checked before any work


def test_experiment_on_a_directory_without_datasets(fake, tmp_path, capsys):
    command, _ = fake
    assert main([command, "--data-dir", str(tmp_path)]) == EXIT_ERROR
    assert "no UCR dataset" in one_line_error(capsys.readouterr().err, command)


def test_missing_experiment_module_is_reported(monkeypatch, capsys):
    name = "sksoftdtw.experiments.kmeans"
    monkeypatch.setitem(sys.modules, name, None)  # makes the import fail
    assert main(["kmeans", "--data-dir", str(BUNDLED_DIR)]) == EXIT_ERROR
    assert name in one_line_error(capsys.readouterr().err, "kmeans")


# Tiny end-to-end runs of the real experiments: one short dataset, one gamma.
REAL_RUNS = {
    "barycenter": ["--seeds", "1", "--max-iter", "3"],
    "kmeans": ["--max-train", "6", "--max-iter", "2", "--max-iter-barycenter", "3"],
    "predict": ["--max-iter", "3", "--hidden", "4", "--max-train", "10", "--max-test", "10"],
}


@pytest.mark.parametrize("command", list(REAL_RUNS))
def test_real_experiment_end_to_end(command, tmp_path, capsys):
    module = pytest.importorskip(f"sksoftdtw.experiments.{EXPERIMENTS[command]}")
    out_file = tmp_path / "results.csv"
    assert main([command, "--data-dir", str(BUNDLED_DIR), "--datasets", "ItalyPowerDemand",
                 "--gamma", "0.1", "--n-jobs", "1", "--out", str(out_file)]
                + REAL_RUNS[command]) == 0
    captured = capsys.readouterr()
    with open(out_file, newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["dataset"] for r in rows} == {"ItalyPowerDemand"}
    assert tuple(rows[0]) == tuple(module.FIELDS)
    softdtw_gammas = {float(r["gamma"]) for r in rows if r["gamma"] not in ("", None)}
    assert softdtw_gammas == {0.1}
    # The printed table is the module's own summary of the rows written.
    assert module.format_table(module.summarize(rows)) in captured.out
    assert f"per-run results in {out_file}" in captured.out


# ----------------------------------------------------------------- progress bar
def test_progress_bar_in_a_log_prints_one_line_per_step():
    stream = io.StringIO()
    bar = ProgressBar("run", stream=stream, width=10)
    for k in range(1, 5):
        bar(k, 4, f"step {k}")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4
    assert lines[1].startswith("run [#####.....] 2/4 ") and lines[1].endswith("step 2")
    assert "left" in lines[1] and "left" not in lines[-1]


def test_progress_bar_on_a_terminal_redraws_one_line():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = ProgressBar("run", stream=stream, width=4)
    bar(1, 2, "a long first message")
    bar(2, 2, "b")
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    first, second = text[1:-1].split("\r")
    assert len(second) >= len(first)  # the longer first line is blanked out
    assert second.startswith("run [####] 2/2")
    bar.close()  # nothing left to end
    assert stream.getvalue() == text


def test_format_duration():
    assert [format_duration(s) for s in (4.4, 65, 3600 * 2 + 61)] == [
        "4s", "1m05s", "2h01m"]


# ----------------------------------------------------------------- first minutes
def run_python(code, cwd, pythonpath):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def test_import_and_help_do_not_load_scikit_learn(tmp_path):
    root = str(Path(sksoftdtw.__file__).resolve().parents[1])
    code = ("import contextlib, io, sys\n"
            "import sksoftdtw\n"
            "from sksoftdtw._cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n"
            "        main(['--help'])\n"
            "    except SystemExit:\n"
            "        pass\n"
            "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))\n")
    result = run_python(code, tmp_path, root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_public_names_load_on_first_use():
    namespace = {}
    exec("from sksoftdtw import *", namespace)
    for name in sksoftdtw.__all__:
        assert namespace[name] is getattr(sksoftdtw, name)
        assert getattr(sksoftdtw, name).__doc__
        assert name in dir(sksoftdtw)
    assert sksoftdtw.datasets.load_dataset is load_dataset  # subpackages too
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        sksoftdtw.no_such_name


def test_uncompiled_source_tree_says_what_to_do(tmp_path):
    """``python -m sksoftdtw demo`` in a clone's root that was never built."""
    import shutil

    package = Path(sksoftdtw.__file__).resolve().parent
    shutil.copytree(package, tmp_path / "sksoftdtw",
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    result = subprocess.run([sys.executable, "-m", "sksoftdtw", "demo"], cwd=tmp_path,
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode != 0
    assert "_openmp_helpers" not in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(
        f"ImportError: sksoftdtw is imported from its source tree {tmp_path / 'sksoftdtw'}, "
        "whose compiled extensions are not built.")
    assert "python setup.py build_ext --inplace" in message
    assert f"run Python from another directory than {tmp_path}" in message
