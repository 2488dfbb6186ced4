"""The README's numbers are the ones in assets/*_metrics.json, and what it shows exists.

The results tables in README.md sit between <!-- NAME:start --> and <!-- NAME:end --> markers.
These tests render each table from the metrics files and compare: when a script changes,
regenerate its assets, run the tests, and paste the table a failing test prints.
Timings are left out of the tables: they differ from run to run.
"""

import json
import os
import re

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text()


def metrics(name):
    return json.loads((ROOT / "assets" / f"{name}_metrics.json").read_text())


def readme_block(name):
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", README, re.S)
    assert match, f"README.md has no <!-- {name}:start --> ... <!-- {name}:end --> block"
    return match.group(1)


def scratch_table(m):
    c, k = m["checks"], m["latent_dim"]
    return f"""\
| K={k}, {m["n_train"]} train / {m["n_test"]} test digits | measured | limit |
|---|---|---|
| SVD autoencoder: train MSE / test MSE | {m["svd_ae"]["train_mse"]:.4f} / \
{m["svd_ae"]["test_mse"]:.4f} | |
| a. max \\|SVD autoencoder - sklearn PCA\\| over the test reconstructions | \
{c["pca_max_abs_diff"]:.1e} | 1e-08 |
| b. Eckart-Young: \\|train MSE - discarded eigenvalues / 64\\| / train MSE | \
{c["eckart_young_rel_gap"]:.1e} | 1e-10 |
| c. gradient descent: train MSE / SVD train MSE ({m["gd_ae"]["iterations"]} steps) | \
{c["gd_mse_ratio"]:.6f} | 1.001 |
| c. gradient descent: largest principal angle to the top-{k} PCs | \
{c["gd_max_subspace_angle_deg"]:.1e} deg | 1 deg |
| d. with an L2 penalty: largest angle, decoder's axes vs the PCs | \
{c["gd_max_component_angle_deg"]:.1e} deg | 1 deg |
"""


def pytorch_table(m):
    knn = m["knn_accuracy"]
    return f"""\
| K={m["latent_dim"]}, held-out test digits | ReLU autoencoder | PCA |
|---|---|---|
| reconstruction MSE | {m["test_mse"]:.4f} | {m["pca_test_mse"]:.4f} |
| 5-NN digit accuracy in the code | {knn["autoencoder"]:.1%} | {knn["pca"]:.1%} |
"""


def sweep_table(m):
    rows = m["sweep"]
    cells = {
        "code size K": [str(r["latent_dim"]) for r in rows],
        "ReLU autoencoder, test MSE": [f"{r['test_mse']:.4f}" for r in rows],
        "PCA, test MSE": [f"{r['pca_test_mse']:.4f}" for r in rows],
        "autoencoder / PCA": [f"{r['test_mse'] / r['pca_test_mse']:.2f}" for r in rows],
    }
    lines = [f"| {name} | {' | '.join(values)} |" for name, values in cells.items()]
    lines.insert(1, "|---" * (len(rows) + 1) + "|")
    return "\n".join(lines) + "\n"


def assert_block(name, expected):
    assert readme_block(name) == expected, (
        f"README.md's {name} block does not match the metrics; it should read:\n\n{expected}"
    )


def test_readme_scratch_numbers_match_the_metrics():
    m = metrics("scratch")
    assert (m["latent_dim"], m["seed"]) == (2, 0), "assets must come from the default settings"
    assert_block("scratch-results", scratch_table(m))


def test_readme_pytorch_numbers_match_the_metrics():
    m = metrics("pytorch")
    settings = (m["latent_dim"], m["seed"], m["epochs"], m["batch_size"], m["lr"])
    assert settings == (2, 0, 100, 128, 0.005), "assets must come from the default settings"
    assert_block("pytorch-results", pytorch_table(m))


def test_readme_sweep_numbers_match_the_metrics():
    m = metrics("pytorch")
    if "sweep" not in m and not os.environ.get("CI"):
        pytest.skip("assets/pytorch_metrics.json was rewritten without --sweep")
    assert "sweep" in m, "the committed pytorch_metrics.json must come from a --sweep run"
    assert_block("sweep-results", sweep_table(m))


def test_readme_shows_the_two_commands():
    install = "pip install -r requirements.txt"
    assert f"{install} && python 00_scratch.py && python 01_pytorch.py" in README
    assert f"{install} && python -m pytest" in README


def test_every_picture_the_readme_shows_is_committed_and_every_png_is_shown():
    shown = set(re.findall(r"\]\((assets/[\w.]+\.png)\)", README))
    committed = {f"assets/{p.name}" for p in (ROOT / "assets").glob("*.png")}
    assert shown, "the README shows no pictures"
    assert shown == committed
