"""00_scratch.py: hand-derived gradients, training, PCA; then the script as a newcomer runs it."""

import numpy as np
import pytest
from conftest import read_json, scratch
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA


@pytest.mark.parametrize("k", [1, 16, 32])
def test_pca_from_the_svd_is_sklearns_and_its_error_is_the_dropped_variance(k):
    X_train, X_test, _, _ = scratch.load_data()
    model, _ = scratch.fit_pca(X_train, k)
    pca = PCA(n_components=k, svd_solver="full").fit(X_train)
    codes = model.encode(X_test)
    np.testing.assert_allclose(codes, pca.transform(X_test), atol=1e-8)  # signs included
    np.testing.assert_allclose(model.decode(codes), pca.inverse_transform(codes), atol=1e-8)
    eigenvalues = np.linalg.eigvalsh(np.cov(X_train, rowvar=False, bias=True))[::-1]
    train_mse = scratch.mse(X_train, model.decode(model.encode(X_train)))
    assert train_mse == pytest.approx(eigenvalues[k:].sum() / 64, rel=1e-10)
    assert np.sum(eigenvalues < 1e-12) == 3  # three pixels never change, as the README says


def test_the_hand_derived_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 6))
    model = scratch.LinearAutoencoder(X.mean(0), rng.normal(size=(2, 6)), rng.normal(size=(6, 2)))
    _, *gradients = scratch.loss_and_gradients(model, X)
    for which, gradient in zip(["W_enc", "W_dec"], gradients, strict=True):
        for index in np.ndindex(gradient.shape):
            losses = []
            for nudge in (1e-6, -1e-6):
                weights = getattr(model, which).copy()
                weights[index] += nudge
                losses.append(scratch.loss_and_gradients(model._replace(**{which: weights}), X)[0])
            assert gradient[index] == pytest.approx((losses[0] - losses[1]) / 2e-6, rel=1e-6)


def test_training_finds_the_known_top_directions_of_a_data_set():
    rng = np.random.default_rng(3)
    centred = rng.standard_normal((200, 8))
    rows, _ = np.linalg.qr(centred - centred.mean(axis=0))  # 8 orthonormal columns, mean 0
    basis, _ = np.linalg.qr(rng.standard_normal((8, 8)))
    spread = np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.2, 0.1, 0.05])  # along the columns of basis
    X = rows * spread @ basis.T
    model, steps = scratch.train(X, 3, seed=0)
    assert steps < scratch.MAX_STEPS  # it stopped where the gradient vanished
    loss = scratch.loss_and_gradients(model, X)[0]
    assert loss == pytest.approx((spread[3:] ** 2).sum() / 200 / 8, rel=1e-6)
    assert np.degrees(subspace_angles(model.W_dec, basis[:, :3]).max()) < 1e-3
    code_map = model.W_enc @ basis[:, :3]  # its code is the true code times this matrix:
    assert np.linalg.svd(code_map, compute_uv=False).min() > 0.5  # invertible,
    assert np.abs(code_map - np.eye(3)).max() > 0.1  # but not the identity


def test_runs_compare_write_their_files_and_repeat(tmp_path, capsys, figures_inside):
    metrics = []  # the default twice, then the smallest code size (CI runs the largest, K=32)
    for run, flags in [("a", []), ("b", []), ("k1", ["--latent-dim", "1"])]:
        scratch.main([*flags, "--out", str(tmp_path / run)])
        out = capsys.readouterr().out
        assert out.count("(at most") == 6 and "is PCA, up to A in its code" in out
        metrics.append(read_json(tmp_path / run / "scratch_metrics.json"))
    assert figures_inside == ["scratch_reconstruction.png", "scratch_latent_space.png"] * 3
    assert metrics[0] == metrics[1]  # the same seed: the same numbers
    sizes = [(m["latent_dim"], m["n_train"], m["n_test"]) for m in metrics]
    assert sizes == [(2, 1437, 360)] * 2 + [(1, 1437, 360)]


@pytest.mark.parametrize("name, bad", [("trained_mse_excess", 2), ("dropped_variance_gap", np.nan)])
def test_a_failed_comparison_exits_1_and_writes_nothing(tmp_path, monkeypatch, name, bad):
    def spoilt(*data):  # the script's comparisons, with one of them spoilt
        return [(n, bad if n == name else v, *rest) for n, v, *rest in honest(*data)]

    honest = scratch.compare
    monkeypatch.setattr(scratch, "compare", spoilt)
    with pytest.raises(SystemExit) as exit_info:  # sys.exit(message): one line, exit status 1
        scratch.main(["--out", str(tmp_path)])
    message = exit_info.value.code
    assert message == f"00_scratch.py: comparison failed: {name}; no files were written"
    assert not any(tmp_path.iterdir())
