"""00_scratch.py: the maths behind the four checks, and the script as a user runs it."""

import json

import numpy as np
import pytest
from conftest import folder_contents, write_previous_files
from sklearn.decomposition import PCA

PNGS = ["scratch_latent_space.png", "scratch_reconstruction.png", "scratch_pca_equivalence.png"]
FILES = [*PNGS, "scratch_metrics.json"]
CHECK_KEYS = {"pca_max_abs_diff", "pca_code_max_abs_diff", "eckart_young_rel_gap", "gd_mse_ratio",
              "gd_max_subspace_angle_deg", "plain_gd_max_axis_angle_deg",
              "plain_gd_code_rotation_deg", "l2_max_axis_angle_deg", "l2_code_rotation_deg",
              "l2_singular_values_vs_optimum"}  # fmt: skip


def random_covariance(rng, eigenvalues):
    """A covariance with the given eigenvalues and random orthonormal eigenvectors."""
    basis, _ = np.linalg.qr(rng.standard_normal((len(eigenvalues), len(eigenvalues))))
    return basis @ np.diag(eigenvalues) @ basis.T, basis


@pytest.mark.parametrize("k", [1, 2, 16, 50])
def test_svd_autoencoder_is_sklearn_pca_and_its_error_is_the_discarded_variance(scratch, k):
    X_train, X_test, _, _ = scratch.load_data()
    mean, components, _ = scratch.fit_svd_autoencoder(X_train, k)
    codes = scratch.encode(X_test, mean, components)
    pca = PCA(n_components=k, svd_solver="full").fit(X_train)
    np.testing.assert_allclose(codes, pca.transform(X_test), atol=1e-8)  # signs included
    recon = scratch.decode(codes, mean, components)
    np.testing.assert_allclose(recon, pca.inverse_transform(pca.transform(X_test)), atol=1e-8)
    # Eckart-Young, with eigenvalues computed independently, from the covariance matrix.
    eigenvalues = np.sort(np.linalg.eigvalsh(np.cov(X_train, rowvar=False, bias=True)))[::-1]
    recon = scratch.decode(scratch.encode(X_train, mean, components), mean, components)
    discarded = eigenvalues[k:].sum() / X_train.shape[1]
    assert scratch.reconstruction_mse(X_train, recon) == pytest.approx(discarded, rel=1e-10)


@pytest.mark.parametrize("penalty", [0.0, 0.3])
def test_hand_derived_gradients_match_finite_differences(scratch, penalty):
    rng = np.random.default_rng(1)
    cov, _ = random_covariance(rng, rng.uniform(0.1, 2.0, 6))
    W_enc, W_dec = rng.standard_normal((2, 6)), rng.standard_normal((6, 2))
    _, grad_enc, grad_dec = scratch.linear_ae_loss_and_gradients(W_enc, W_dec, cov, penalty)
    loss, h = scratch.linear_ae_loss_and_gradients, 1e-6  # central differences, step h
    for which, grad in enumerate([grad_enc, grad_dec]):
        numeric = np.zeros_like(grad)
        for index in np.ndindex(grad.shape):
            plus, minus = [W_enc.copy(), W_dec.copy()], [W_enc.copy(), W_dec.copy()]
            plus[which][index] += h
            minus[which][index] -= h
            numeric[index] = loss(*plus, cov, penalty)[0] - loss(*minus, cov, penalty)[0]
        numeric /= 2 * h
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_angles_of_a_known_rotation_tiny_ones_included(scratch):
    direction = np.array([[1.0], [0.0], [0.0]])
    for degrees in (30.0, 1e-7):
        turned = np.array([[np.cos(np.radians(degrees))], [np.sin(np.radians(degrees))], [0.0]])
        assert scratch.largest_principal_angle_deg(turned, direction) == pytest.approx(degrees)
    # Axes listed in the other order are still the right axes: no jump to 90 degrees.
    swapped = np.eye(3)[:, [1, 0]] * np.array([2.0, 1.0])
    np.testing.assert_allclose(scratch.axis_angles_deg(swapped, np.eye(3)[:, :2]), [0, 0])


def test_gradient_descent_finds_the_subspace_but_not_the_axes(scratch):
    eigenvalues = np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.2, 0.1, 0.05])
    cov, basis = random_covariance(np.random.default_rng(3), eigenvalues)
    k = 3
    W_enc, W_dec, _, _ = scratch.train_linear_autoencoder(cov, k, seed=0)
    loss = scratch.linear_ae_loss_and_gradients(W_enc, W_dec, cov)[0]
    assert loss == pytest.approx(eigenvalues[k:].sum() / len(eigenvalues), rel=1e-6)
    assert scratch.largest_principal_angle_deg(W_dec, basis[:, :k]) < 1e-3
    assert scratch.code_rotation_deg(W_enc, basis[:, :k]) > 5.0  # a mix of the true axes


def test_l2_optimum_pins_the_decoder_axes_but_leaves_the_code_turned(scratch):
    """Kunin et al.: W_dec = V diag(sqrt(1 - p/lambda)) O, for some orthogonal O."""
    rng = np.random.default_rng(5)
    eigenvalues = np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.2])
    cov, basis = random_covariance(rng, eigenvalues)
    k, penalty = 3, 0.05
    W_enc, W_dec, _, _ = scratch.train_linear_autoencoder(cov, k, seed=0, penalty=penalty)
    assert max(scratch.axis_angles_deg(W_dec, basis[:, :k])) < 0.1
    weights = np.sqrt(1 - penalty / eigenvalues[:k])
    np.testing.assert_allclose(np.linalg.svd(W_dec, compute_uv=False), weights, rtol=1e-4)
    rotation = np.diag(1 / weights) @ basis[:, :k].T @ W_dec  # O, recovered from the decoder
    np.testing.assert_allclose(rotation.T @ rotation, np.eye(k), atol=1e-4)
    np.testing.assert_allclose(W_enc, W_dec.T, atol=1e-4)  # balanced: the encoder is W_dec^T
    assert scratch.code_rotation_deg(W_enc, basis[:, :k]) > 5.0  # and O is not the identity


def test_the_penalty_switches_off_weak_components(scratch):
    cov, _ = random_covariance(np.random.default_rng(4), np.array([4.0, 2.0, 0.02, 0.01]))
    _, W_dec, _, _ = scratch.train_linear_autoencoder(cov, 3, seed=0, penalty=0.05)
    singular_values = np.linalg.svd(W_dec, compute_uv=False)
    assert singular_values[2] < 1e-3 < singular_values[1]


def test_default_run_passes_every_check_and_writes_its_files(
    scratch, tmp_path, capsys, figures_inside
):  # figures_inside: no text past the edge of any figure it draws
    scratch.main(["--out", str(tmp_path)])
    stdout = capsys.readouterr().out
    assert stdout.count("PASS") == 6 and "FAIL" not in stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    metrics = json.loads((tmp_path / "scratch_metrics.json").read_text())
    settings = [metrics[key] for key in ("latent_dim", "seed", "n_train", "n_test")]
    assert settings == [2, 0, 1437, 360] and set(metrics["checks"]) == CHECK_KEYS
    assert set(metrics["gd_ae"]) == {"iterations", "train_mse", "test_mse"}
    # Both codes are PCA's turned; only the penalty's decoder has its axes on the PCs'.
    checks = metrics["checks"]
    assert checks["plain_gd_code_rotation_deg"] > 5 and checks["l2_code_rotation_deg"] > 5
    assert checks["l2_max_axis_angle_deg"] < 1 and checks["gd_max_subspace_angle_deg"] < 1e-3
    assert f"test MSE {metrics['svd_ae']['test_mse']:.6f}" in stdout
    # The penalty sets the decoder's singular values to sqrt(1 - p/lambda_i) (eigenvalues found
    # here independently), further apart than the match's error; GD's are what its start left.
    covariance = np.cov(scratch.load_data()[0], rowvar=False, bias=True)
    eigenvalues = np.linalg.eigvalsh(covariance)[::-1][:2]
    optimum, values = np.sqrt(1 - 1e-3 / eigenvalues), metrics["decoder_singular_values"]
    gap = np.max(np.abs(np.array(values["l2"]) - optimum))
    assert gap == pytest.approx(checks["l2_singular_values_vs_optimum"], rel=1e-3)
    assert gap < (optimum[0] - optimum[1]) / 10
    assert len(values["gd"]) == 2 and f"{values['gd'][0]:.5f}" in stdout


@pytest.mark.parametrize("k", [1, 64])
def test_every_picture_keeps_its_text_inside_and_says_what_does_not_apply(
    scratch, tmp_path, capsys, figures_inside, k
):  # figures_inside: no text past a figure's edge, at any K
    scratch.main(["--latent-dim", str(k), "--out", str(tmp_path)])
    stdout = capsys.readouterr().out
    assert "FAIL" not in stdout
    checks = json.loads((tmp_path / "scratch_metrics.json").read_text())["checks"]
    if k == 1:
        assert checks["l2_code_rotation_deg"] < 1e-3  # one axis: only its sign could turn
    else:  # rank 61 <= K: nothing is discarded, so the relative checks would be 0/0
        assert checks["eckart_young_rel_gap"] is None and checks["gd_mse_ratio"] is None
        assert checks["l2_code_rotation_deg"] is None
        assert "n/a" in stdout and "rank 61" in stdout and "PCs 52-61" in stdout


def test_a_failed_check_exits_1_and_writes_nothing(scratch, tmp_path, capsys, monkeypatch):
    previous = write_previous_files(tmp_path, FILES)
    monkeypatch.setitem(scratch.LIMITS, "gd_max_subspace_angle_deg", -1.0)  # cannot be met
    with pytest.raises(SystemExit) as exit_info:
        scratch.main(["--out", str(tmp_path)])
    assert "FAILED: gd_max_subspace_angle_deg" in exit_info.value.code  # printed, exit 1
    assert capsys.readouterr().out.count("FAIL") == 1
    assert folder_contents(tmp_path) == previous
