"""Tests of the paper's experiments, :mod:`sksoftdtw.experiments`.

``run`` goes through the whole protocol on a tiny UCR-layout directory written
here (two datasets of short series, one seed, two gammas, a few iterations);
the summaries are checked against computations written out in the tests, on
made-up rows.
"""
import math
from itertools import product

import numpy as np
import pytest
from scipy.stats import rankdata

from sksoftdtw.experiments import _common, barycenter, kmeans, prediction

GAMMAS = (1.0, 0.1)
SZ = 12
# Small budgets of each experiment's own options.
FAST = {
    barycenter: {"max_iter": 3},
    kmeans: {"max_iter": 2, "max_iter_barycenter": 3},
    prediction: {"max_iter": 3, "hidden": 3},
}
EXPERIMENTS = list(FAST)
# Rows per (dataset, seed) unit with two gammas.
ROWS_PER_UNIT = {
    # inits x (DBA, three subgradient methods, soft-DTW plain and continued),
    # and soft-DTW from DBA (one init: DBA's own start)
    barycenter: 2 * (4 + 2 * len(GAMMAS)) + len(GAMMAS),
    kmeans: 2 * (4 + 2 * len(GAMMAS)),
    prediction: 1 + 2 * len(GAMMAS),  # Euclidean, then soft-DTW per init and gamma
}


def _series(kind, shift, rng):
    t = np.linspace(0, 1, SZ)
    clean = np.exp(-((t - shift) / 0.1) ** 2) if kind == 1 else (t > shift).astype(float)
    return clean + 0.05 * rng.randn(SZ)


@pytest.fixture(scope="module")
def ucr_dir(tmp_path_factory):
    """Two datasets of two classes (bumps, steps); 6 training and 4 test series each."""
    root = tmp_path_factory.mktemp("ucr")
    rng = np.random.RandomState(0)
    for name in ("Alpha", "Beta"):
        (root / name).mkdir()
        for split, n_per_class in (("TRAIN", 3), ("TEST", 2)):
            lines = ["\t".join([str(label)] + [repr(float(v)) for v in _series(label, shift, rng)])
                     for label in (1, 2) for shift in rng.uniform(0.3, 0.7, n_per_class)]
            (root / name / f"{name}_{split}.tsv").write_text("\n".join(lines) + "\n")
    return root


class Recorder:
    """A progress callable that also reads the checkpoint file at each call."""

    def __init__(self, out=None):
        self.calls = []
        self.out = out

    def __call__(self, done, total, message):
        lines = None if self.out is None else len(self.out.read_text().splitlines())
        self.calls.append((done, total, message, lines))


# ----------------------------------------------------------------- run
@pytest.mark.parametrize("module", EXPERIMENTS, ids=lambda m: m.__name__)
def test_run_returns_the_documented_rows(module, ucr_dir, tmp_path):
    out = tmp_path / "results.csv"
    progress = Recorder(out)
    rows = module.run(ucr_dir, gammas=GAMMAS, seeds=1, n_jobs=1, progress=progress, out=out,
                      **FAST[module])
    assert len(rows) == 2 * ROWS_PER_UNIT[module]
    assert all(tuple(r) == module.FIELDS for r in rows)
    assert [r["dataset"] for r in rows] == ["Alpha"] * (len(rows) // 2) + ["Beta"] * (
        len(rows) // 2)
    assert {r["seed"] for r in rows} == {0}
    assert {r["gamma"] for r in rows} == {"", *GAMMAS}
    # progress after each (dataset, seed) unit, the CSV already holding its rows.
    assert [(c[0], c[1], c[3]) for c in progress.calls] == [
        (1, 2, 1 + ROWS_PER_UNIT[module]), (2, 2, 1 + 2 * ROWS_PER_UNIT[module])]
    assert progress.calls[0][2].startswith("Alpha seed 0")
    assert module.read_csv(out) == [{k: str(v) for k, v in r.items()} for r in rows]


def test_barycenter_rows(ucr_dir):
    rows = barycenter.run(ucr_dir, datasets=["Beta"], gammas=GAMMAS, seeds=2, n_jobs=1,
                          progress=False, **FAST[barycenter])
    for r in rows:
        # A class of 3 series: all of it is averaged.
        assert r["label"] in (1, 2) and r["n_series"] == 3 and r["length"] == SZ
        assert np.isfinite(r["dtw_loss"]) and r["dtw_loss"] >= 0
        if r["method"] in barycenter.SOFT_METHODS:
            # at most twice the iterations with the continuation, DBA's besides
            assert 0 <= r["n_iter"] <= 2 * FAST[barycenter]["max_iter"]
            assert r["n_calls"] >= r["n_iter"]
        else:
            assert 0 <= r["n_iter"] <= FAST[barycenter]["max_iter"]
    assert {(r["method"], r["gamma"]) for r in rows} == {
        ("dba", ""), ("subgradient", ""), ("subgradient-ssg", ""), ("subgradient-lbfgs", "")
    } | {(m, g) for g in GAMMAS for m in barycenter.SOFT_METHODS}
    assert {r["init"] for r in rows if r["method"] == "softdtw-dba"} == {"euclidean"}


@pytest.mark.parametrize("module", [barycenter, kmeans], ids=lambda m: m.__name__)
def test_run_selects_methods_and_inits(module, ucr_dir):
    options = {**FAST[module], **({"max_train": 4} if module is kmeans else {})}
    rows = module.run(ucr_dir, datasets=["Alpha"], gammas=[0.1], n_jobs=1, progress=False,
                      methods=["dba", "softdtw-auto"], inits=["euclidean"], seeds=1, **options)
    assert [(r["method"], r["init"]) for r in rows] == [("dba", "euclidean"),
                                                         ("softdtw-auto", "euclidean")]
    for bad in ({"methods": ["dba", "mean"]}, {"inits": []}, {"inits": "zeros"}):
        name = next(iter(bad))
        with pytest.raises(ValueError, match=name):
            module.run(ucr_dir, datasets=["Alpha"], progress=False, **bad)


def test_prediction_rows(ucr_dir):
    rows = prediction.run(ucr_dir, datasets=["Alpha"], gammas=GAMMAS, n_jobs=1,
                          progress=False, max_test=3, **FAST[prediction])
    sz_in = round(0.6 * SZ)
    for r in rows:
        assert (r["sz_in"], r["sz_out"]) == (sz_in, SZ - sz_in)
        assert (r["n_train"], r["n_train_total"], r["n_test"], r["n_test_total"]) == (6, 6, 3, 4)
        # The DTW loss per time step never exceeds the mean squared error
        # (the diagonal is one of the alignments).
        assert 0 <= r["dtw_test"] <= r["euclidean_test"] + 1e-12
    assert [(r["loss"], r["init"]) for r in rows[:3]] == [
        ("euclidean", "random"), ("softdtw", "random"), ("softdtw", "euclidean")]


def test_kmeans_rows(ucr_dir):
    rows = kmeans.run(ucr_dir, datasets=["Alpha"], gammas=GAMMAS, n_jobs=1, progress=False,
                      max_train=4, **FAST[kmeans])
    for r in rows:
        # Two classes, so k = 2 and at least 2 k series kept, stratified.
        assert (r["k"], r["n_used"], r["n_train"], r["length"]) == (2, 4, 6, SZ)
        assert 1 <= r["n_iter"] <= FAST[kmeans]["max_iter"]
        # The baselines minimise the DTW k-means loss itself.
        if r["method"] in kmeans.COMPETITORS:
            assert r["dtw_loss"] == pytest.approx(r["inertia"], rel=1e-10)


def test_kmeans_skips_variable_length_datasets(ucr_dir, tmp_path):
    for name in ("Alpha", "Ragged"):
        (tmp_path / name).mkdir()
        for split in ("TRAIN", "TEST"):
            text = (ucr_dir / "Alpha" / f"Alpha_{split}.tsv").read_text()
            if name == "Ragged":  # the last series loses its last two values
                text = "\n".join(text.splitlines()[:-1] + [
                    "\t".join(text.splitlines()[-1].split("\t")[:-2])]) + "\n"
            (tmp_path / name / f"{name}_{split}.tsv").write_text(text)
    progress = Recorder()
    rows = kmeans.run(tmp_path, gammas=[0.1], progress=progress, **FAST[kmeans])
    assert {r["dataset"] for r in rows} == {"Alpha"}
    assert [c[:2] for c in progress.calls] == [(1, 2), (2, 2)]
    assert "Ragged: skipped" in progress.calls[1][2]


@pytest.mark.slow  # starts two processes
def test_kmeans_in_processes_gives_the_same_rows(ucr_dir):
    def without_time(rows):
        return [{k: v for k, v in r.items() if k != "time_s"} for r in rows]

    kw = {"gammas": [0.1], "n_jobs": 1, **FAST[kmeans]}
    progress = Recorder()
    in_processes = kmeans.run(ucr_dir, workers=2, progress=progress, **kw)
    assert sorted(c[0] for c in progress.calls) == [1, 2]
    assert without_time(in_processes) == without_time(kmeans.run(ucr_dir, progress=False, **kw))


def test_explicit_seeds_repeat_the_same_runs(ucr_dir):
    def without_time(rows):
        return [{k: v for k, v in r.items() if k != "time_s"} for r in rows]

    kw = {"datasets": ["Alpha"], "gammas": [0.1], "n_jobs": 1, "progress": False, "max_iter": 2}
    both = barycenter.run(ucr_dir, seeds=2, **kw)
    half = len(both) // 2
    assert [r["seed"] for r in both] == [0] * half + [1] * half
    second = barycenter.run(ucr_dir, seeds=[1], **kw)
    assert without_time(second) == without_time(both[half:])


def test_progress_true_draws_a_bar_on_stderr(ucr_dir, capsys):
    barycenter.run(ucr_dir, gammas=[0.1], seeds=1, n_jobs=1, progress=True, max_iter=1)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert [line.split("] ")[1].split()[0] for line in lines] == ["1/2", "2/2"]
    barycenter.run(ucr_dir, gammas=[0.1], seeds=1, n_jobs=1, progress=False, max_iter=1)
    assert capsys.readouterr().err == ""


def test_interrupted_run_keeps_the_finished_units(ucr_dir, tmp_path):
    out = tmp_path / "results.csv"

    def interrupt(done, total, message):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        barycenter.run(ucr_dir, gammas=[0.1], seeds=1, progress=interrupt, out=out, max_iter=1)
    assert {r["dataset"] for r in barycenter.read_csv(out)} == {"Alpha"}


@pytest.mark.parametrize("module", EXPERIMENTS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("bad", [{"gammas": [0.1, 0.0]}, {"gammas": [-1.0]}, {"gammas": []},
                                 {"seeds": 0}, {"seeds": [-1]}, {"seeds": 1.5}])
def test_bad_arguments(module, bad, ucr_dir):
    progress = Recorder()
    with pytest.raises(ValueError, match="gammas" if "gammas" in bad else "seeds"):
        module.run(ucr_dir, progress=progress, **{"gammas": GAMMAS, **bad})
    assert progress.calls == []


def test_unknown_dataset_fails_before_any_work(ucr_dir):
    progress = Recorder()
    with pytest.raises(FileNotFoundError, match="alpha.*Close matches: 'Alpha'"):
        prediction.run(ucr_dir, datasets=["Beta", "alpha"], progress=progress)
    assert progress.calls == []


# ----------------------------------------------------------------- summaries
def made_up_win_rows(gammas, n_datasets=5, seeds=2, seed=0):
    """Random DTW losses of soft-DTW and the competitors, keyed as the runs'."""
    rng = np.random.RandomState(seed)
    rows = []
    for d, s, init in product(range(n_datasets), range(seeds), _common.INITS):
        methods = [(c, "") for c in kmeans.COMPETITORS] + [
            ("softdtw", g) for g in gammas]
        rows += [{"dataset": f"D{d}", "seed": s, "init": init, "method": m, "gamma": g,
                  "dtw_loss": rng.uniform(1, 2)} for m, g in methods]
    return rows


def expected_win(rows, competitor, init, gamma, method="softdtw"):
    """Percentage of datasets whose soft-DTW loss, averaged over seeds, is the lower."""
    wins = []
    competitor_gamma = gamma if competitor == "softdtw" else ""
    for d in sorted({r["dataset"] for r in rows}):
        soft = [r["dtw_loss"] for r in rows if (r["dataset"], r["init"], r["method"],
                                                r["gamma"]) == (d, init, method, gamma)]
        other = [r["dtw_loss"] for r in rows if (r["dataset"], r["init"], r["method"],
                                                 r["gamma"]) == (d, init, competitor,
                                                                 competitor_gamma)]
        wins.append(sum(soft) / len(soft) < sum(other) / len(other))
    return 100 * sum(wins) / len(wins), len(wins)


@pytest.mark.parametrize("module", [barycenter, kmeans], ids=lambda m: m.__name__)
@pytest.mark.parametrize("gammas", [(1.0, 0.1, 0.01, 0.001), (0.5, 0.01)])
def test_win_percentages_match_a_hand_computation(module, gammas):
    rows = made_up_win_rows(gammas)
    summary = module.summarize(rows)
    assert len(summary) == len(module.PAPER) * len(gammas)
    for s in summary:
        ours, n = expected_win(rows, s["competitor"], s["init"], s["gamma"])
        assert s["ours"] == pytest.approx(ours) and s["n_datasets"] == n == 5
        paper = module.PAPER[(s["competitor"], s["init"])]
        assert s["paper"] == paper.get(s["gamma"])
    assert {s["gamma"] for s in summary if s["paper"] is None
            and module.PAPER[(s["competitor"], s["init"])]} == set(gammas) - set(barycenter.GAMMAS)


@pytest.mark.parametrize("module", [barycenter, kmeans], ids=lambda m: m.__name__)
def test_continuation_is_compared_with_the_competitors_and_plain_soft_dtw(module):
    rows = made_up_win_rows([0.1, 0.01], n_datasets=7)
    rng = np.random.RandomState(1)
    rows += [{**r, "method": "softdtw-auto", "dtw_loss": rng.uniform(1, 2)}
             for r in rows if r["method"] == "softdtw"]
    entries = [s for s in module.summarize(rows) if s["method"] == "softdtw-auto"]
    competitors = list(dict.fromkeys(c for c, _ in module.PAPER)) + ["softdtw"]
    assert len(entries) == len(competitors) * len(_common.INITS) * 2
    for s in entries:
        ours, n = expected_win(rows, s["competitor"], s["init"], s["gamma"], "softdtw-auto")
        assert s["ours"] == pytest.approx(ours) and s["n_datasets"] == n == 7
        assert s["wins"] == round(ours * n / 100) and s["paper"] is None


def test_kernel_call_ratios_of_the_continuation():
    rows = []
    for d, (plain, auto) in enumerate([(100, 150), (100, 250), (50, 60)]):
        for method, calls, loss in [("softdtw", plain, 2.0), ("softdtw-auto", auto, 1.0),
                                    ("dba", 10, 3.0)]:
            rows.append({"dataset": f"D{d}", "seed": 0, "init": "euclidean", "method": method,
                         "gamma": "" if method == "dba" else 0.001, "dtw_loss": loss,
                         "n_calls": calls})
    (entry,) = [s for s in barycenter.summarize(rows)
                if (s["method"], s["competitor"]) == ("softdtw-auto", "softdtw")]
    assert entry["wins"] == 3 and entry["calls_within_2x"] == 2
    assert entry["calls_max"] == 2.5 and entry["calls_median"] == 1.5
    assert "median 1.50, max 2.50, at most 2x on 2 of 3 datasets" in barycenter.format_table(
        barycenter.summarize(rows))


def test_win_percentages_skip_datasets_without_both_methods():
    rows = [r for r in made_up_win_rows([0.1]) if not (
        r["dataset"] == "D0" and r["method"] == "dba")]
    by_key = {(s["competitor"], s["init"]): s for s in barycenter.summarize(rows)}
    assert by_key[("dba", "random")]["n_datasets"] == 4
    assert by_key[("subgradient", "random")]["n_datasets"] == 5


def test_a_tie_is_not_a_win():
    rows = made_up_win_rows([0.1], n_datasets=1, seeds=1)
    for r in rows:
        r["dtw_loss"] = 1.0
    assert {s["ours"] for s in kmeans.summarize(rows)} == {0.0}


def made_up_prediction_rows(gammas, n_datasets=4, seeds=2, seed=0):
    rng = np.random.RandomState(seed)
    rows = []
    for d, s in product(range(n_datasets), range(seeds)):
        models = [("euclidean", "", "random")] + [
            ("softdtw", g, init) for g in gammas for init in _common.INITS]
        rows += [{"dataset": f"D{d}", "seed": s, "loss": loss, "gamma": g, "init": init,
                  "dtw_test": rng.uniform(), "euclidean_test": rng.uniform()}
                 for loss, g, init in models]
    return rows


@pytest.mark.parametrize("gammas", [(1.0, 0.1, 0.01, 0.001), (0.1, 0.01)])
def test_prediction_ranks_match_a_hand_computation(gammas):
    rows = made_up_prediction_rows(gammas)
    summary = prediction.summarize(rows)
    models = ["euclidean", *gammas]
    assert len(summary) == len(models) * 4
    for s in summary:
        ranks = []
        for d in sorted({r["dataset"] for r in rows}):
            def mean_loss(model, d=d, s=s):
                init = "random" if model == "euclidean" else s["init"]
                gamma = "" if model == "euclidean" else model
                values = [r[f"{s['eval']}_test"] for r in rows
                          if (r["dataset"], r["gamma"], r["init"]) == (d, gamma, init)]
                return sum(values) / len(values)

            mine = mean_loss(s["model"])
            ranks.append(1 + sum(mean_loss(m) < mine for m in models))  # distinct losses
        assert s["ours"] == pytest.approx(np.mean(ranks)) and s["n_datasets"] == 4
        paper = prediction.PAPER[s["model"]][(s["eval"], s["init"])]
        # The paper's ranks are among its five losses: comparable only then.
        assert s["paper"] == (paper if len(gammas) == 4 else None)


def test_prediction_ties_share_their_rank_and_incomplete_datasets_are_left_out():
    rows = made_up_prediction_rows([0.1], n_datasets=2, seeds=1)
    for r in rows:
        r["dtw_test"] = 1.0 if r["dataset"] == "D0" else r["dtw_test"]
    rows = [r for r in rows if not (r["dataset"] == "D1" and r["init"] == "euclidean")]
    by_key = {(s["model"], s["eval"], s["init"]): s for s in prediction.summarize(rows)}
    assert by_key[("euclidean", "dtw", "euclidean")]["ours"] == 1.5  # D0 only, a tie
    assert by_key[("euclidean", "dtw", "euclidean")]["n_datasets"] == 1
    assert by_key[("euclidean", "dtw", "random")]["n_datasets"] == 2
    d1 = [r["dtw_test"] for r in rows if r["dataset"] == "D1"]
    assert by_key[(0.1, "dtw", "random")]["ours"] == pytest.approx(
        (1.5 + rankdata(d1)[1]) / 2)


def test_summaries_of_rows_read_back_from_csv(tmp_path):
    for module, rows in [(barycenter, made_up_win_rows([0.1, 0.3])),
                         (kmeans, made_up_win_rows([0.01], seeds=1)),
                         (prediction, made_up_prediction_rows([1.0, 0.1]))]:
        parts = [tmp_path / "a.csv", tmp_path / "b.csv"]
        half = len(rows) // 2
        module.write_csv(rows[:half], parts[0])
        module.write_csv(rows[half:], parts[1])
        back = module.read_csv(parts)
        assert back == [{k: str(v) for k, v in r.items()} for r in rows]
        assert module.summarize(back) == module.summarize(rows)


def test_summaries_reject_the_rows_of_another_experiment():
    with pytest.raises(ValueError, match="dtw_loss"):
        barycenter.summarize(made_up_prediction_rows([0.1]))
    with pytest.raises(ValueError, match="dtw_test"):
        prediction.summarize(made_up_win_rows([0.1]))


# ----------------------------------------------------------------- tables
def table_cells(table):
    """{(row label, column header): cell} of a table of format_table."""
    lines = table.splitlines()
    header, rule = lines[1], lines[2]
    spans, start = [], 0
    for dashes in rule.split("  "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 2
    spans[-1] = (spans[-1][0], None)
    columns = [header[a:b].strip() for a, b in spans]
    cells = {}
    for line in lines[3:]:
        values = [line[a:b].strip() for a, b in spans]
        cells.update({(values[0], c): v for c, v in zip(columns[1:], values[1:])})
    return lines[0], cells


def figure(value):
    return "-" if value is None or math.isnan(value) else f"{value:.2f}"


@pytest.mark.parametrize("module", [barycenter, kmeans], ids=lambda m: m.__name__)
def test_win_table_shows_every_figure_and_dashes_for_missing_ones(module):
    summary = module.summarize(made_up_win_rows([0.1, 0.5], n_datasets=3))
    title, cells = table_cells(module.format_table(summary))
    assert "3 datasets" in title
    assert len(cells) == len(summary)
    for s in summary:
        cell = cells[(f"{s['gamma']:g}", f"vs {s['competitor']} ({s['init']})")]
        assert cell.split() == [figure(s["ours"]), f"({s['wins']}", "of", "3)", "/",
                                figure(s["paper"])]
    assert cells[("0.5", "vs dba (random)")].endswith("/      -")


def test_rank_table_shows_every_figure():
    summary = prediction.summarize(made_up_prediction_rows(GAMMAS))
    title, cells = table_cells(prediction.format_table(summary))
    assert "4 datasets" in title
    labels = {"euclidean": "Euclidean", 1.0: "soft-DTW 1", 0.1: "soft-DTW 0.1"}
    evals = {"dtw": "DTW", "euclidean": "Euclid."}
    for s in summary:
        cell = cells[(labels[s["model"]], f"{evals[s['eval']]} eval, {s['init']} init")]
        assert cell.split() == [figure(s["ours"]), "/", "-"]


def test_tables_of_empty_results():
    for module in EXPERIMENTS:
        assert "0 datasets" in module.format_table(module.summarize([]))


# ----------------------------------------------------------------- scripts
def test_script_runs_then_summarizes_earlier_results(ucr_dir, tmp_path, capsys):
    parts = []
    for name in ("Alpha", "Beta"):
        parts.append(tmp_path / f"{name}.csv")
        _common.script_main(barycenter, [str(ucr_dir), "--datasets", name, "--seed", "3",
                                         "--gamma", "0.1", "--max-iter", "2", "--n-jobs", "1",
                                         "--out", str(parts[-1])])
        out = capsys.readouterr().out
        rows = barycenter.read_csv(parts[-1])
        assert {(r["dataset"], r["seed"]) for r in rows} == {(name, "3")}
        assert barycenter.format_table(barycenter.summarize(rows)) in out
    _common.script_main(barycenter, ["--from-csv", ",".join(map(str, parts))])
    both = barycenter.read_csv(parts)
    assert capsys.readouterr().out.strip() == barycenter.format_table(
        barycenter.summarize(both))


def test_script_rejects_another_experiments_results(tmp_path, capsys):
    path = tmp_path / "kmeans.csv"
    kmeans.write_csv([dict.fromkeys(kmeans.FIELDS, "1")], path)
    with pytest.raises(SystemExit) as exc:
        _common.script_main(barycenter, ["--from-csv", str(path)])
    assert exc.value.code == 2
    assert "lacks the columns label, n_series" in capsys.readouterr().err


def test_read_csv_keeps_extra_columns_and_skips_blank_lines(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("dataset,gamma,note\nA,0.1,x\n\nB,,y\n")
    assert _common.read_csv(path, ("dataset", "gamma")) == [
        {"dataset": "A", "gamma": "0.1", "note": "x"}, {"dataset": "B", "gamma": "", "note": "y"}]


def test_barycenter_experiment_without_a_class_of_two_series(tmp_path):
    (tmp_path / "Lonely").mkdir()
    for split in ("TRAIN", "TEST"):
        (tmp_path / "Lonely" / f"Lonely_{split}.tsv").write_text("1\t0\t1\n2\t1\t0\n")
    with pytest.raises(ValueError, match="Lonely: no class of the training split has two"):
        barycenter.run(tmp_path, seeds=1, gammas=(0.1,), max_iter=2, progress=False)
