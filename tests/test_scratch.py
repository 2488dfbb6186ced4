"""00_scratch.py: the maths of the three checks, then the script as a newcomer runs it."""

import numpy as np
import pytest
from conftest import read_json, scratch
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA


def random_covariance(eigenvalues, seed):
    """A covariance with these eigenvalues and random orthonormal eigenvectors (its columns)."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((len(eigenvalues), len(eigenvalues))))
    return basis @ np.diag(eigenvalues) @ basis.T, basis


@pytest.mark.parametrize("k", [2, 16, 32])
def test_the_svd_autoencoder_is_pca_and_its_error_is_the_discarded_variance(k):
    X_train, X_test, _, _ = scratch.load_data()
    model, _ = scratch.fit_svd_autoencoder(X_train, k)
    pca = PCA(n_components=k, svd_solver="full").fit(X_train)
    codes = model.encode(X_test)
    np.testing.assert_allclose(codes, pca.transform(X_test), atol=1e-8)  # signs included
    np.testing.assert_allclose(model.decode(codes), pca.inverse_transform(codes), atol=1e-8)
    eigenvalues = np.linalg.eigvalsh(np.cov(X_train, rowvar=False, bias=True))[::-1]
    train_mse = scratch.mse(X_train, model.decode(model.encode(X_train)))
    assert train_mse == pytest.approx(eigenvalues[k:].sum() / 64, rel=1e-10)


def test_the_hand_derived_gradients_match_finite_differences():
    cov, _ = random_covariance([2.0, 1.5, 1.0, 0.5, 0.3, 0.1], seed=1)
    weights = [np.random.default_rng(2).standard_normal(shape) for shape in [(2, 6), (6, 2)]]
    _, *gradients = scratch.loss_and_gradients(*weights, cov)
    for which, gradient in enumerate(gradients):  # W_enc's, then W_dec's
        for index in np.ndindex(gradient.shape):
            nudged = [[w.copy() for w in weights] for _ in range(2)]
            nudged[0][which][index] += 1e-6
            nudged[1][which][index] -= 1e-6
            plus, minus = (scratch.loss_and_gradients(*w, cov)[0] for w in nudged)
            assert gradient[index] == pytest.approx((plus - minus) / 2e-6, rel=1e-6, abs=1e-9)


def test_gradient_descent_finds_the_known_directions_of_a_covariance():
    eigenvalues = np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.2, 0.1, 0.05])
    cov, basis = random_covariance(eigenvalues, seed=3)
    W_enc, W_dec, steps = scratch.gradient_descent(cov, 3, seed=0)
    assert steps < scratch.GD_MAX_STEPS  # it stopped where the gradient vanished
    loss = scratch.loss_and_gradients(W_enc, W_dec, cov)[0]
    assert loss == pytest.approx(eigenvalues[3:].sum() / 8, rel=1e-6)
    assert np.degrees(subspace_angles(W_dec, basis[:, :3]).max()) < 1e-3
    code_map = W_enc @ basis[:, :3]  # its code is the true code times this matrix:
    assert np.linalg.svd(code_map, compute_uv=False).min() > 0.5  # invertible,
    assert np.abs(code_map - np.eye(3)).max() > 0.1  # but not the identity


def test_runs_pass_each_check_write_their_files_and_repeat(tmp_path, capsys, figures_inside):
    metrics = []
    for run, flags in [("a", []), ("b", []), ("k3", ["--latent-dim", "3"])]:
        scratch.main([*flags, "--out", str(tmp_path / run)])
        assert capsys.readouterr().out.count("PASS") == 6
        metrics.append(read_json(tmp_path / run / "scratch_metrics.json"))
    assert figures_inside == ["scratch_reconstruction.png", "scratch_latent_space.png"] * 3
    assert metrics[0] == metrics[1]  # the same seed: the same numbers
    assert [metrics[0][key] for key in ("latent_dim", "n_train", "n_test")] == [2, 1437, 360]


@pytest.mark.parametrize("name, value", [("gd_subspace_angle_deg", 2.0), ("gd_mse_excess", np.nan)])
def test_a_failed_check_exits_1_and_writes_nothing(tmp_path, capsys, monkeypatch, name, value):
    run_checks = scratch.run_checks
    monkeypatch.setattr(scratch, "run_checks", lambda *data: run_checks(*data) | {name: value})
    with pytest.raises(SystemExit) as exit_info:  # sys.exit(message): one line, exit status 1
        scratch.main(["--out", str(tmp_path)])
    assert exit_info.value.code == f"00_scratch.py: check failed: {name}; no files were written"
    assert capsys.readouterr().out.count("FAIL") == 1 and not any(tmp_path.iterdir())
