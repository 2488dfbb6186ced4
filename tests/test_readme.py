"""The README's numbers are the ones in assets/*.json, within a measured tolerance.

Each results table sits between <!-- NAME:start --> and <!-- NAME:end --> in README.md; a test
renders it from the metrics and compares it number by number, and prints the table to paste.
The tolerance is float32 rounding's measured spread across CPUs. 01_pytorch.py with PyTorch's
portable kernels (ATEN_CPU_CAPABILITY=default): K=2 test MSE 1.2% apart, 5-NN accuracy 2.8
points, sweep MSEs 6.3%: hence 10% of an autoencoder's MSE and ratio, 5 points of accuracy;
PCA's figures to the digits shown. 00_scratch.py under other OPENBLAS_CORETYPE kernels: only
rounding noise ("< 1e-12") and the step count (within 2%) moved; what gradient descent leaves
free is held within 25% or 1 degree (angles), 1e-3 (singular values), what the penalty sets to
1e-5.
"""

import json
import os
import re
import statistics
from dataclasses import dataclass

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text()
ASSETS = ROOT / "assets"
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]\d+)?")
TOL = 0.10  # of an autoencoder's MSE and of its ratio to PCA's (see the docstring)


@dataclass
class Num:
    """Numbers in a table cell: shown as `fmt`, each compared within rel * |value| + abs."""

    values: tuple
    fmt: str
    rel: float = 0.0
    abs: float = 0.0

    def __str__(self):
        return self.fmt.format(*self.values)

    def matches(self, text):  # the same words around the numbers, each within the tolerance
        return NUMBER.sub("#", text) == NUMBER.sub("#", str(self)) and all(
            abs(float(number) - value) <= self.rel * abs(value) + self.abs + half_unit(number)
            for number, value in zip(NUMBER.findall(text), self.values, strict=True)
        )


def num(value, fmt, rel=0.0, abs=0.0):
    return Num((value,), fmt, rel, abs)


def half_unit(number_text):
    """Half of the last digit shown: what rounding for display alone can change."""
    mantissa, _, exponent = number_text.lower().partition("e")
    return 0.5 * 10.0 ** (int(exponent or 0) - len(mantissa.partition(".")[2]))


def assert_readme_table(name, rows):
    """README block NAME shows these rows: its header in full, then each row's cells after the
    row's label (the labels are the README's words; the cells are the metrics)."""
    block = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", README, re.S)[1]
    lines = [line for line in block.strip().splitlines() if not line.startswith("|---")]
    readme = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]
    expected = [
        rows[0],
        *([shown[0], *row] for shown, row in zip(readme[1:], rows[1:], strict=False)),
    ]
    problems = ["the table's shape"] if list(map(len, readme)) != list(map(len, expected)) else [
        f"{row[0]!r}: README says {shown!r}, the metrics say {cell}"
        for row, readme_row in zip(expected, readme, strict=True)
        for cell, shown in zip(row, readme_row, strict=True)
        if not (cell.matches(shown) if isinstance(cell, Num) else str(cell) == shown)
    ]  # fmt: skip
    table = [f"| {' | '.join(map(str, row))} |" for row in expected]
    table.insert(1, "|---" * len(rows[0]) + "|")
    assert not problems, "\n".join([f"README's {name} block: {'; '.join(problems)}", "", *table])


def load(name, settings=None, expected=None, command=""):
    """A metrics file in assets/; if a reader reran it with other flags, nothing to compare."""
    metrics = json.loads((ASSETS / name).read_text())
    if settings and tuple(metrics[key] for key in settings) != expected:
        message = f"{name} comes from other flags than the defaults: run `{command}` again"
        assert not os.environ.get("CI"), message
        pytest.skip(message)
    return metrics


def test_readme_scratch_numbers_match_the_metrics():
    m = load("scratch_metrics.json", ("latent_dim", "seed"), (2, 0), "python 00_scratch.py")
    c, svd, values = m["checks"], m["svd_ae"], m["decoder_singular_values"]
    assert_readme_table("scratch-results", [
        [f"K=2, {m['n_train']} train / {m['n_test']} test digits", "measured", "limit"],
        [num(svd["train_mse"], "{:.4f}"), ""],
        [num(svd["test_mse"], "{:.4f}"), ""],
        ["< 1e-12" if c["pca_max_abs_diff"] < 1e-12 else c["pca_max_abs_diff"], "1e-08"],
        ["< 1e-12" if c["pca_code_max_abs_diff"] < 1e-12 else c["pca_code_max_abs_diff"], "1e-08"],
        ["< 1e-12" if c["eckart_young_rel_gap"] < 1e-12 else c["eckart_young_rel_gap"], "1e-10"],
        [num(c["gd_mse_ratio"], "{:.6f}", abs=1e-6), "1.001"],
        [num(m["gd_ae"]["iterations"], "{:d}", rel=0.02), ""],
        [num(c["gd_max_subspace_angle_deg"], "{:.1e} deg", rel=0.25), "1 deg"],
        [Num(tuple(values["gd"]), "{:.3f}, {:.3f}", abs=1e-3), "none: not set by the loss"],
        [num(c["plain_gd_max_axis_angle_deg"], "{:.1f} deg", abs=1), "none: what the start left"],
        [num(c["plain_gd_code_rotation_deg"], "{:.1f} deg", abs=1), "none: any rotation"],
        [Num(tuple(values["l2"]), "{:.5f}, {:.5f}", abs=1e-5), "set by the loss"],
        [num(c["l2_singular_values_vs_optimum"], "{:.1e}", abs=1e-5), ""],
        [num(c["l2_max_axis_angle_deg"], "{:.2f} deg", rel=0.25), "1 deg"],
        [num(c["l2_code_rotation_deg"], "{:.1f} deg", abs=1), "none: any rotation"],
    ])  # fmt: skip


def test_readme_pytorch_numbers_match_the_metrics():
    settings = ("model", "latent_dim", "seed", "epochs", "batch_size", "lr", "evaluated_on")
    defaults = ("vanilla", 2, 0, 100, 64, 0.01, "test")
    m = load("pytorch_metrics.json", settings, defaults, "python 01_pytorch.py")
    knn = [num(100 * m["knn_accuracy"][name], "{:.1f}%", abs=5)
           for name in ("autoencoder", "pca", "raw_pixels")]  # fmt: skip
    assert_readme_table("pytorch-results", [
        ["K=2, held-out test digits", "vanilla autoencoder", "PCA", "raw pixels"],
        [num(m["test_mse"], "{:.4f}", rel=TOL), num(m["pca_test_mse"], "{:.4f}"), ""],
        [num(m["train_mse"], "{:.4f}", rel=TOL), "", ""],
        knn,
    ])  # fmt: skip


def column(sweep, name, key):  # one model's figures, K = 1 ... 32
    return [row[key] for row in sweep["rows"] if row["model"] == name]


def cells(values, fmt="{:.4f}", rel=TOL, abs=0.0):
    return [num(value, fmt, rel, abs) for value in values]


def test_readme_sweep_numbers_match_the_sweep_file():
    settings, defaults = ("seed", "epochs", "batch_size", "lr"), (0, 100, 64, 0.01)
    sweep = load("pytorch_sweep.json", settings, defaults, "python 01_pytorch.py --sweep")
    models = ("vanilla", "linear-skip")
    test, pca = ({m: column(sweep, m, key) for m in models} for key in ("test_mse", "pca_test_mse"))
    assert_readme_table("sweep-results", [
        ["code size K", *map(str, column(sweep, "vanilla", "latent_dim"))],
        cells(pca["vanilla"], rel=0),
        *(cells(test[m]) for m in models),
        *(cells([a / b for a, b in zip(test[m], pca[m], strict=True)], "{:.2f}") for m in models),
        cells(column(sweep, "vanilla", "pca_train_mse"), "{:.5f}", rel=0),
        *(cells(column(sweep, m, "train_mse"), "{:.5f}") for m in models),
    ])  # fmt: skip


def test_readme_seed_ranges_match_the_three_validation_sweeps():
    sweeps = [load(f"runs/sweep-validate-seed{seed}/pytorch_sweep.json") for seed in (0, 1, 2)]
    long = [load(f"runs/validate-k32-long-seed{seed}/pytorch_metrics.json") for seed in (0, 1, 2)]
    assert all(m["evaluated_on"] == "validation" for m in sweeps + long)
    assert all((m["latent_dim"], m["epochs"], m["lr"]) == (32, 1000, 0.001) for m in long)
    rows = [["validation split, lowest-highest over seeds 0-2", "K=1", "2", "4", "8", "16", "32"]]
    for key, fmt in [("test_mse", "{:.4f}"), ("train_mse", "{:.5f}")]:
        rows.append(cells(column(sweeps[0], "vanilla", f"pca_{key}"), fmt, rel=0))
        for name in ("vanilla", "linear-skip"):
            per_k = zip(*(column(sweep, name, key) for sweep in sweeps), strict=True)
            rows.append([Num((min(v), max(v)), f"{fmt}-{fmt}", rel=TOL) for v in per_k])
        values = [m[key] for m in long]  # the vanilla model at K=32 only, trained longer
        rows.append([""] * 5 + [Num((min(values), max(values)), f"{fmt}-{fmt}", rel=TOL)])
    assert_readme_table("seed-results", rows)


def test_readme_validation_table_matches_the_validation_runs():
    rows = [["settings (K=2, 288 validation digits)", "validation MSE, median of seeds 0-2",
             "lowest", "highest"]]  # fmt: skip
    for run in ("sweep-validate", "validate-epochs50", "validate-epochs200", "validate-lr0.003",
                "validate-batch32", "validate-batch128"):  # fmt: skip
        runs = [load(f"runs/{run}-seed{seed}/pytorch_metrics.json") for seed in (0, 1, 2)]
        assert all(m["evaluated_on"] == "validation" and m["latent_dim"] == 2 for m in runs)
        mse = [m["test_mse"] for m in runs]
        rows.append(cells([statistics.median(mse), min(mse), max(mse)]))
    rows.append([num(runs[0]["pca_test_mse"], "{:.4f}"), "", ""])
    assert_readme_table("validation-results", rows)


def test_a_stale_readme_number_fails():
    """The comparison can fail: a figure 11% off, off by one shown digit, other words around."""
    assert not num(0.0268, "{:.4f}", rel=0.1).matches("0.0298")
    assert not Num((0.0371, 0.0436), "{:.4f}-{:.4f}").matches("0.0371-0.0437")
    assert not num(48.6, "{:.1f} deg", abs=1).matches("48.6 degrees")


def test_readme_shows_the_two_commands_and_its_other_examples_write_elsewhere():
    """Only the documented regeneration (--sweep, and assets/runs/) may write to assets/."""
    install = "pip install -r requirements.txt"
    assert f"{install} && python 00_scratch.py && python 01_pytorch.py" in README
    assert f"{install} && python -m pytest" in README
    commands = re.findall(r"python 0[01]_\w+\.py([^`\n#&]*)", README)
    assert len(commands) > 10
    for flags in map(str.split, commands):
        assert not flags or flags == ["--sweep"] or "--out" in flags, flags


def test_every_picture_the_readme_shows_is_committed_and_every_png_is_shown():
    shown = set(re.findall(r"\]\((assets/[\w.]+\.png)\)", README))
    committed = {f"assets/{p.name}" for p in ASSETS.glob("*.png")}
    assert len(committed) == 8 and shown == committed
