"""Tests for 00_scratch.py: the maths, the checks, the command line, the files."""

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import (
    ROOT,
    assert_png,
    folder_contents,
    help_text,
    run_script,
    usage_error,
    write_previous_assets,
)
from sklearn.decomposition import PCA

SCRIPT = "00_scratch.py"
PNGS = ["scratch_latent_space.png", "scratch_reconstruction.png", "scratch_pca_equivalence.png"]
METRICS_KEYS = {
    "latent_dim": None,
    "seed": None,
    "n_train": None,
    "n_test": None,
    "svd_ae": {"train_mse", "test_mse"},
    "checks": {
        "pca_max_abs_diff",
        "eckart_young_rel_gap",
        "gd_mse_ratio",
        "gd_max_subspace_angle_deg",
        "plain_gd_max_axis_angle_deg",
        "l2_max_axis_angle_deg",
        "l2_code_rotation_deg",
    },
    "gd_ae": {"iterations", "seconds", "train_mse", "test_mse"},
}


def random_covariance(rng, eigenvalues):
    """A covariance with the given eigenvalues and random orthonormal eigenvectors."""
    basis, _ = np.linalg.qr(rng.standard_normal((len(eigenvalues), len(eigenvalues))))
    return basis @ np.diag(eigenvalues) @ basis.T, basis


# ----------------------------------------------------------------------------- the maths
@pytest.mark.parametrize("k", [1, 2, 8, 40])
def test_svd_autoencoder_matches_sklearn_pca(scratch, digits, k):
    X_train, X_test, _, _ = digits
    mean, components, _ = scratch.fit_svd_autoencoder(X_train, k)
    ours = scratch.decode(scratch.encode(X_test, mean, components), mean, components)
    pca = PCA(n_components=k, svd_solver="full").fit(X_train)
    theirs = pca.inverse_transform(pca.transform(X_test))
    assert np.max(np.abs(ours - theirs)) <= 1e-8
    # The codes agree too, sign included: each direction's sign is fixed as scikit-learn fixes it.
    np.testing.assert_allclose(
        scratch.encode(X_test, mean, components), pca.transform(X_test), atol=1e-8
    )


@pytest.mark.parametrize("k", [1, 2, 16, 50])
def test_eckart_young_train_error_is_discarded_variance(scratch, digits, k):
    X_train, _, _, _ = digits
    mean, components, eigenvalues = scratch.fit_svd_autoencoder(X_train, k)
    recon = scratch.decode(scratch.encode(X_train, mean, components), mean, components)
    train_mse = scratch.reconstruction_mse(X_train, recon)
    # Eigenvalues computed independently, from the covariance matrix rather than the SVD.
    cov = np.cov(X_train, rowvar=False, bias=True)
    discarded = np.sort(np.linalg.eigvalsh(cov))[::-1][k:].sum() / X_train.shape[1]
    assert abs(train_mse - discarded) / train_mse <= 1e-10
    np.testing.assert_allclose(eigenvalues.sum(), np.trace(cov), rtol=1e-12)


def test_reconstruction_mse_is_mean_over_samples_and_pixels(scratch):
    X = np.zeros((2, 64))
    X_hat = np.zeros((2, 64))
    X_hat[0, 0] = 2.0
    assert scratch.reconstruction_mse(X, X_hat) == pytest.approx(4.0 / 128)


@pytest.mark.parametrize("penalty", [0.0, 0.3])
def test_hand_derived_gradients_match_finite_differences(scratch, penalty):
    rng = np.random.default_rng(1)
    cov, _ = random_covariance(rng, rng.uniform(0.1, 2.0, 6))
    W_enc, W_dec = rng.standard_normal((2, 6)), rng.standard_normal((6, 2))
    _, grad_enc, grad_dec = scratch.linear_ae_loss_and_gradients(W_enc, W_dec, cov, penalty)

    def loss(W_enc, W_dec):
        return scratch.linear_ae_loss_and_gradients(W_enc, W_dec, cov, penalty)[0]

    h = 1e-6
    for W, grad, loss_of in [
        (W_enc, grad_enc, lambda W: loss(W, W_dec)),
        (W_dec, grad_dec, lambda W: loss(W_enc, W)),
    ]:
        numeric = np.zeros_like(W)
        for index in np.ndindex(W.shape):
            step = np.zeros_like(W)
            step[index] = h
            numeric[index] = (loss_of(W + step) - loss_of(W - step)) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_loss_from_covariance_equals_loss_on_the_data(scratch, digits):
    X_train, _, _, _ = digits
    rng = np.random.default_rng(2)
    W_enc, W_dec = rng.standard_normal((3, 64)) * 0.1, rng.standard_normal((64, 3)) * 0.1
    X_centred = X_train - X_train.mean(axis=0)
    cov = X_centred.T @ X_centred / len(X_train)
    loss, _, _ = scratch.linear_ae_loss_and_gradients(W_enc, W_dec, cov)
    direct = scratch.reconstruction_mse(X_centred, X_centred @ W_enc.T @ W_dec.T)
    assert loss == pytest.approx(direct, rel=1e-10)


def test_principal_angle_of_a_known_rotation(scratch):
    angle = np.radians(30.0)
    basis = np.array([[np.cos(angle)], [np.sin(angle)], [0.0]])
    direction = np.array([[1.0], [0.0], [0.0]])
    assert scratch.largest_principal_angle_deg(basis, direction) == pytest.approx(30.0)
    # A tiny angle stays accurate (arccos of a cosine near 1 would not).
    tiny = np.radians(1e-7)
    basis = np.array([[np.cos(tiny)], [np.sin(tiny)], [0.0]])
    assert scratch.largest_principal_angle_deg(basis, direction) == pytest.approx(1e-7, rel=1e-6)


def test_gradient_descent_recovers_a_known_subspace_and_axes(scratch):
    rng = np.random.default_rng(3)
    eigenvalues = np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.2, 0.1, 0.05])
    cov, basis = random_covariance(rng, eigenvalues)
    k = 3
    W_enc, W_dec, _, _ = scratch.train_linear_autoencoder(cov, k, seed=0)
    loss, _, _ = scratch.linear_ae_loss_and_gradients(W_enc, W_dec, cov)
    assert loss == pytest.approx(eigenvalues[k:].sum() / len(eigenvalues), rel=1e-6)
    assert scratch.largest_principal_angle_deg(W_dec, basis[:, :k]) < 1e-3
    # Plain GD leaves the code rotated: each code number reads a mix of the true axes.
    assert max(scratch.code_axis_angles_deg(W_enc, basis[:, :k])) > 5.0
    # With an L2 penalty the decoder's left singular vectors are the true axes themselves,
    # each with weight sqrt(1 - penalty / eigenvalue).
    penalty = 0.05
    _, W_dec, _, _ = scratch.train_linear_autoencoder(cov, k, seed=0, penalty=penalty)
    assert max(scratch.axis_angles_deg(W_dec, basis[:, :k])) < 0.1
    singular_values = np.linalg.svd(W_dec, compute_uv=False)
    np.testing.assert_allclose(singular_values, np.sqrt(1 - penalty / eigenvalues[:k]), rtol=1e-4)


def test_l2_optimum_pins_the_decoder_axes_but_leaves_the_code_rotated(scratch):
    """Kunin et al.: W_dec = V diag(sqrt(1 - p/lambda)) O, for some orthogonal O."""
    rng = np.random.default_rng(5)
    eigenvalues = np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.2])
    cov, basis = random_covariance(rng, eigenvalues)
    k, penalty = 3, 0.05
    W_enc, W_dec, _, _ = scratch.train_linear_autoencoder(cov, k, seed=0, penalty=penalty)
    # The decoder's left singular vectors are the principal directions ...
    assert max(scratch.axis_angles_deg(W_dec, basis[:, :k])) < 0.1
    # ... but the code is PCA's code turned by O: z = W_enc x = O^T diag(sigma) V^T x.
    sigma = np.sqrt(1 - penalty / eigenvalues[:k])
    rotation = np.diag(1 / sigma) @ basis[:, :k].T @ W_dec  # O, recovered from the decoder
    np.testing.assert_allclose(rotation.T @ rotation, np.eye(k), atol=1e-4)  # orthogonal
    np.testing.assert_allclose(W_enc, W_dec.T, atol=1e-4)  # balanced: the encoder is W_dec^T
    assert max(scratch.code_axis_angles_deg(W_enc, basis[:, :k])) > 5.0  # and not the identity


def test_axis_angles_match_each_direction_to_its_closest_axis(scratch):
    """Two axes in swapped order are still the right axes: no jump to 90 degrees."""
    directions = np.eye(3)[:, :2]
    swapped = directions[:, ::-1] * np.array([2.0, 1.0])  # singular vectors in the other order
    np.testing.assert_allclose(scratch.axis_angles_deg(swapped, directions), [0.0, 0.0])
    angle = np.radians(20.0)
    turned = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)], [0, 0]])
    assert max(scratch.code_axis_angles_deg(turned.T, directions)) == pytest.approx(20.0)


def test_penalty_switches_off_weak_components(scratch):
    rng = np.random.default_rng(4)
    eigenvalues = np.array([4.0, 2.0, 0.02, 0.01])
    cov, _ = random_covariance(rng, eigenvalues)
    _, W_dec, _, _ = scratch.train_linear_autoencoder(cov, 3, seed=0, penalty=0.05)
    singular_values = np.linalg.svd(W_dec, compute_uv=False)
    assert singular_values[2] < 1e-3 < singular_values[1]


def checks_for(scratch, digits, k, seed):
    X_train, X_test, _, _ = digits
    svd, gd, l2 = scratch.fit_and_train(X_train, X_test, k, seed)
    return scratch.run_checks(X_train, X_test, svd, gd, l2), gd


def test_checks_are_deterministic_for_a_seed(scratch, digits, capsys):
    checks_a, gd_a = checks_for(scratch, digits, 3, 0)
    checks_b, gd_b = checks_for(scratch, digits, 3, 0)
    _, gd_c = checks_for(scratch, digits, 3, 1)
    assert checks_a == checks_b and gd_a["steps"] == gd_b["steps"]
    assert gd_a["steps"] != gd_c["steps"]


# ----------------------------------------------------------------------------- the script
def assert_metrics_shape(metrics):
    assert set(metrics) == set(METRICS_KEYS)
    for key, subkeys in METRICS_KEYS.items():
        if subkeys is not None:
            assert set(metrics[key]) == subkeys, key


def test_default_run_writes_plots_and_metrics_and_passes(out_dir):
    result = run_script(SCRIPT, "--out", out_dir)
    assert result.returncode == 0, result.stderr
    assert "FAIL" not in result.stdout
    assert result.stdout.count("PASS") == 5
    for name in PNGS:
        assert_png(out_dir / name)
    metrics = json.loads((out_dir / "scratch_metrics.json").read_text())
    assert_metrics_shape(metrics)
    assert (metrics["latent_dim"], metrics["seed"]) == (2, 0)
    assert (metrics["n_train"], metrics["n_test"]) == (1437, 360)
    checks = metrics["checks"]
    for name, limit in {
        "pca_max_abs_diff": 1e-8,
        "eckart_young_rel_gap": 1e-10,
        "gd_mse_ratio": 1.001,
        "gd_max_subspace_angle_deg": 1.0,
        "l2_max_axis_angle_deg": 1.0,
    }.items():
        assert checks[name] <= limit, name
    # Plain GD's axes and the L2 model's code are turned away from the PCs (see the docstring).
    assert checks["plain_gd_max_axis_angle_deg"] > 5 and checks["l2_code_rotation_deg"] > 5
    assert metrics["gd_ae"]["train_mse"] == pytest.approx(metrics["svd_ae"]["train_mse"], rel=1e-3)
    assert f"test MSE {metrics['svd_ae']['test_mse']:.6f}" in result.stdout
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([*PNGS, "scratch_metrics.json"])


@pytest.mark.parametrize("k", [1, 8, 64])
def test_other_latent_dims_draw_every_figure_and_explain(scratch, out_dir, capsys, k):
    scratch.main(["--latent-dim", str(k), "--out", str(out_dir)])
    stdout = capsys.readouterr().out
    assert "FAIL" not in stdout
    for name in PNGS:
        assert_png(out_dir / name)
    metrics = json.loads((out_dir / "scratch_metrics.json").read_text())
    assert_metrics_shape(metrics)
    if k == 1:
        assert "nothing to mix" in stdout
        assert metrics["checks"]["l2_code_rotation_deg"] < 1e-3  # one axis: only a sign to flip
    if k == 64:
        # Nothing is discarded: the relative checks are 0/0, and the script says so.
        assert metrics["checks"]["eckart_young_rel_gap"] is None
        assert metrics["checks"]["gd_mse_ratio"] is None
        assert metrics["checks"]["l2_code_rotation_deg"] is None
        assert "n/a" in stdout and "rank 61" in stdout and "excluded" in stdout
        assert metrics["svd_ae"]["test_mse"] < 1e-20


def test_a_failed_check_fails_the_run_and_writes_nothing(scratch, out_dir, capsys, monkeypatch):
    previous = write_previous_assets(out_dir, [*PNGS, "scratch_metrics.json"])
    monkeypatch.setitem(scratch.LIMITS, "gd_max_subspace_angle_deg", -1.0)  # cannot be met
    with pytest.raises(SystemExit) as exit_info:
        scratch.main(["--out", str(out_dir)])
    message = exit_info.value.code  # sys.exit(message): one line on stderr, exit status 1
    assert isinstance(message, str) and "1 check(s) FAILED" in message
    assert "gd_max_subspace_angle_deg" in message and "No files were written" in message
    assert capsys.readouterr().out.count("FAIL") == 1
    assert folder_contents(out_dir) == previous


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--latent-dim", "0"], ["--latent-dim", "1 to 64"]),
        (["--latent-dim", "65"], ["--latent-dim", "1 to 64"]),
        (["--latent-dim", "two"], ["--latent-dim", "1 to 64"]),
        (["--seed", "-1"], ["--seed"]),
        (["--bogus"], ["--bogus"]),
    ],
)
def test_bad_arguments_exit_2_with_argparse_usage(scratch, capsys, args, expected):
    line = usage_error(scratch.parse_args, args, capsys)
    assert all(word in line for word in expected)


def test_bad_argument_from_the_terminal_has_no_traceback(out_dir):
    result = run_script(SCRIPT, "--latent-dim", "100", "--out", out_dir)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: ") and "Traceback" not in result.stderr
    assert "--latent-dim" in result.stderr.splitlines()[-1]
    assert not out_dir.exists()


def test_help_names_every_flag_with_its_default(scratch, capsys):
    text = help_text(scratch.parse_args, capsys)
    for flag in ["--latent-dim", "--seed", "--out"]:
        assert flag in text
    assert "(default: 2)" in text and "(default: 0)" in text


def test_unwritable_output_exits_1_with_one_line(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    result = run_script(SCRIPT, "--out", blocker / "sub")  # a folder below a file
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "--out" in result.stderr
    assert "Traceback" not in result.stderr
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize("delay", [0.3, 1.6])
def test_ctrl_c_exits_130_and_leaves_previous_assets(out_dir, delay):
    previous = write_previous_assets(out_dir, [*PNGS, "scratch_metrics.json"])
    process = subprocess.Popen(
        [sys.executable, str(ROOT / SCRIPT), "--latent-dim", "40", "--out", str(out_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)  # during the imports, then during gradient descent
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.strip().splitlines() == ["interrupted; no files were written"]
    assert folder_contents(out_dir) == previous
