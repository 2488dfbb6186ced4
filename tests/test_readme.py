"""The README's numbers are the ones in assets/*.json, within a measured tolerance.

Each results table sits between <!-- NAME:start --> and <!-- NAME:end --> in README.md; a test
renders it from the metrics and compares it number by number (a mismatch prints the table to
paste). The README's first command rewrites the assets, and float32 rounding differs between
CPUs, so the tolerance comes from the measured spread. 01_pytorch.py with PyTorch's portable
kernels (ATEN_CPU_CAPABILITY=default), on two CPUs: K=2 test MSE up to 1.2% apart, 5-NN accuracy
2.8 points, sweep MSEs 6%; across seeds 0-2 (a stand-in for larger drift) 5%, 8%, 0.5 points.
Hence 10% of an autoencoder's MSE (and its ratio to PCA's), 5 points of accuracy; PCA's figures
are held to the digits shown. 00_scratch.py under other OPENBLAS_CORETYPE kernels: only rounding
noise (shown as "< 1e-12") and the step count (held within 2%) moved; the angles that gradient
descent leaves are held within 25% or 1 degree.
"""

import json
import math
import os
import re
from dataclasses import dataclass

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text()
ON_CI = bool(os.environ.get("CI"))


@dataclass
class Num:
    """A number in a table: shown as `fmt`, compared within rel * |value| + abs."""

    value: float
    fmt: str
    rel: float = 0.0
    abs: float = 0.0

    def __str__(self):
        return self.fmt.format(self.value)

    def matches(self, text):
        prefix, _, rest = self.fmt.partition("{")
        suffix = rest.partition("}")[2]
        shown = text.removeprefix(prefix).removesuffix(suffix)
        try:
            number = float(shown)
        except ValueError:
            return False
        if prefix + shown + suffix != text:  # other words around the number
            return False
        return abs(number - self.value) <= self.rel * abs(self.value) + self.abs + half_unit(shown)


def half_unit(number_text):
    """Half of the last digit shown: what rounding for display alone can change."""
    mantissa, _, exponent = number_text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


def markdown_table(rows):
    lines = [f"| {' | '.join(map(str, row))} |" for row in rows]
    lines.insert(1, "|---" * len(rows[0]) + "|")
    return "\n".join(lines) + "\n"


def readme_block(name):
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", README, re.S)
    assert match, f"README.md has no <!-- {name}:start --> ... <!-- {name}:end --> block"
    return match.group(1)


def mismatches(rows, readme_text):
    """The cells where the README differs from the rendered table by more than the tolerance."""
    lines = [line for line in readme_text.strip().splitlines() if not line.startswith("|---")]
    readme_rows = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]
    if [len(row) for row in readme_rows] != [len(row) for row in rows]:
        return ["the table's shape"]
    return [
        f"{row[0]!r}: README says {shown!r}, the metrics say {cell}"
        for row, readme_row in zip(rows, readme_rows, strict=True)
        for cell, shown in zip(row, readme_row, strict=True)
        if not (cell.matches(shown) if isinstance(cell, Num) else str(cell) == shown)
    ]


def assert_readme_table(name, rows):
    problems = mismatches(rows, readme_block(name))
    assert not problems, (
        f"README.md's {name} block does not match the metrics ({'; '.join(problems)});"
        f" it should read:\n\n{markdown_table(rows)}"
    )


def load(name):  # a metrics file in assets/
    return json.loads((ROOT / "assets" / name).read_text())


def require_default_settings(settings, expected, command):
    """A reader may rerun a script with other flags: then there is nothing to compare."""
    if settings != expected:
        message = f"assets come from other flags than the defaults: run `{command}` again"
        assert not ON_CI, message
        pytest.skip(message)


TOL = 0.10  # of an autoencoder's MSE and of its ratio to PCA's (see the docstring)


def below(value, bound):
    """Rounding noise, shown as what it means; a figure above the bound does not match."""
    return f"< {bound:g}" if value < bound else f"{value:.1e} (above {bound:g})"


def scratch_rows(m):
    c, k, svd = m["checks"], m["latent_dim"], m["svd_ae"]
    pca_diff, gap = below(c["pca_max_abs_diff"], 1e-12), below(c["eckart_young_rel_gap"], 1e-12)
    ratio, steps = Num(c["gd_mse_ratio"], "{:.6f}", abs=1e-6), m["gd_ae"]["iterations"]
    span = Num(c["gd_max_subspace_angle_deg"], "{:.1e} deg", rel=0.25)
    gd_axes = Num(c["plain_gd_max_axis_angle_deg"], "{:.1f} deg", abs=1.0)
    l2_axes = Num(c["l2_max_axis_angle_deg"], "{:.2f} deg", rel=0.25)
    l2_turn = Num(c["l2_code_rotation_deg"], "{:.1f} deg", abs=1.0)
    return [
        [f"K={k}, {m['n_train']} train / {m['n_test']} test digits", "measured", "limit"],
        ["SVD autoencoder: train MSE", Num(svd["train_mse"], "{:.4f}", rel=1e-6), ""],
        ["SVD autoencoder: test MSE", Num(svd["test_mse"], "{:.4f}", rel=1e-6), ""],
        ["a. max \\|SVD autoencoder - sklearn PCA\\|, test reconstructions", pca_diff, "1e-08"],
        ["b. Eckart-Young: \\|train MSE - discarded eigenvalues / 64\\| / train MSE", gap, "1e-10"],
        ["c. gradient descent: train MSE / SVD train MSE", ratio, "1.001"],
        ["c. gradient descent: steps to a critical point", Num(steps, "{:d}", rel=0.02), ""],
        [f"c. gradient descent: largest angle, decoder's span vs the top-{k} PCs", span, "1 deg"],
        ["d. GD, no penalty: largest angle, decoder's axes vs the PCs", gd_axes, "none: a mix"],
        ["d. GD + L2: largest angle, decoder's axes vs the PCs", l2_axes, "1 deg"],
        ["d. GD + L2: largest angle, code number i vs PC i (the rotation left)", l2_turn,
         "none: any rotation"],
    ]  # fmt: skip


def pytorch_rows(m):
    knn = m["knn_accuracy"]
    accuracy = [Num(100 * knn["autoencoder"], "{:.1f}%", abs=5), Num(100 * knn["pca"], "{:.1f}%")]
    mse = [Num(m["test_mse"], "{:.4f}", rel=TOL), Num(m["pca_test_mse"], "{:.4f}")]
    return [
        [f"K={m['latent_dim']}, held-out test digits", f"{m['model']} autoencoder", "PCA"],
        ["reconstruction MSE", *mse],
        ["reconstruction MSE on the train images", Num(m["train_mse"], "{:.4f}", rel=TOL), ""],
        ["5-NN digit accuracy in the code", *accuracy],
    ]  # fmt: skip


def sweep_rows(sweep):
    by_model = {
        name: [row for row in sweep["rows"] if row["model"] == name]
        for name in ("vanilla", "linear-skip")
    }
    pca = [row["pca_test_mse"] for row in by_model["vanilla"]]
    return [
        ["code size K", *(str(row["latent_dim"]) for row in by_model["vanilla"])],
        ["PCA, test MSE", *(Num(value, "{:.4f}") for value in pca)],
        *(
            [f"{name}, test MSE", *(Num(row["test_mse"], "{:.4f}", rel=TOL) for row in rows)]
            for name, rows in by_model.items()
        ),
        *(
            [f"{name} / PCA", *(Num(row["test_mse"] / row["pca_test_mse"], "{:.2f}", rel=TOL)
                                for row in rows)]
            for name, rows in by_model.items()
        ),
    ]  # fmt: skip


def test_readme_scratch_numbers_match_the_metrics():
    m = load("scratch_metrics.json")
    require_default_settings((m["latent_dim"], m["seed"]), (2, 0), "python 00_scratch.py")
    assert_readme_table("scratch-results", scratch_rows(m))


def test_readme_pytorch_numbers_match_the_metrics():
    m = load("pytorch_metrics.json")
    settings = (m["model"], m["latent_dim"], m["seed"], m["epochs"], m["batch_size"], m["lr"])
    require_default_settings(settings, ("vanilla", 2, 0, 100, 64, 0.01), "python 01_pytorch.py")
    assert_readme_table("pytorch-results", pytorch_rows(m))


def test_readme_sweep_numbers_match_the_sweep_file():
    sweep = load("pytorch_sweep.json")
    settings = (sweep["seed"], sweep["epochs"], sweep["batch_size"], sweep["lr"])
    require_default_settings(settings, (0, 100, 64, 0.01), "python 01_pytorch.py --sweep")
    assert_readme_table("sweep-results", sweep_rows(sweep))


def test_a_stale_readme_number_fails():
    """The comparison can fail: a figure 11% off, or off by one shown digit where exact."""
    assert Num(0.0268, "{:.4f}", rel=0.10).matches("0.0290")
    assert not Num(0.0268, "{:.4f}", rel=0.10).matches("0.0298")
    assert not Num(0.0522, "{:.4f}").matches("0.0523")
    assert not Num(91.7, "{:.1f}%", abs=5).matches("85.0%")
    assert below(4.4e-16, 1e-12) == "< 1e-12" and below(3e-9, 1e-12) != "< 1e-12"
    assert math.isclose(half_unit("2.5e-07"), 5e-9)


def test_readme_shows_the_two_commands():
    install = "pip install -r requirements.txt"
    assert f"{install} && python 00_scratch.py && python 01_pytorch.py" in README
    assert f"{install} && python -m pytest" in README


def test_every_picture_the_readme_shows_is_committed_and_every_png_is_shown():
    shown = set(re.findall(r"\]\((assets/[\w.]+\.png)\)", README))
    committed = {f"assets/{p.name}" for p in (ROOT / "assets").glob("*.png")}
    assert shown, "the README shows no pictures"
    assert shown == committed
