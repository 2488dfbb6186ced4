"""Tests for 01_pytorch.py: the model, training, the command line, the files."""

import argparse
import json
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import (
    ROOT,
    assert_png,
    folder_contents,
    help_text,
    run_script,
    usage_error_line,
    write_previous_assets,
)
from sklearn.decomposition import PCA

SCRIPT = "01_pytorch.py"
PNGS = [
    "pytorch_latent_space.png",
    "pytorch_reconstruction.png",
    "pytorch_training_curve.png",
    "pytorch_latent_manifold.png",
]
SWEEP_PNG = "pytorch_mse_vs_latent_dim.png"
METRICS_KEYS = {
    "latent_dim",
    "seed",
    "epochs",
    "batch_size",
    "lr",
    "device",
    "train_mse",
    "test_mse",
    "pca_test_mse",
    "knn_accuracy",
    "train_seconds",
}


@pytest.fixture(scope="module")
def data(ae):
    return ae.load_data()


def default_args(**changes):
    args = {"seed": 0, "epochs": 100, "batch_size": 128, "lr": 5e-3, **changes}
    return argparse.Namespace(**args)


def as_tensors(data):
    return torch.as_tensor(data[0]), torch.as_tensor(data[1])


# ----------------------------------------------------------------------------- the model
def test_encoder_and_decoder_shapes(ae):
    model = ae.Autoencoder(latent_dim=3)
    x = torch.rand(5, 64)
    assert model.encoder(x).shape == (5, 3)
    assert model.decoder(torch.rand(5, 3)).shape == (5, 64)
    assert model(x).shape == (5, 64)
    relus = [m for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    assert len(relus) == 2 * len(ae.HIDDEN)


def test_untrained_network_is_exactly_pca(ae, data):
    X_train, X_test = data[0], data[1]
    pca = PCA(n_components=4, svd_solver="full").fit(X_train)
    model = ae.Autoencoder(latent_dim=4)
    ae.start_from_pca(model, pca)
    X = torch.as_tensor(X_test)
    with torch.no_grad():
        np.testing.assert_allclose(model.encoder(X).numpy(), pca.transform(X_test), atol=1e-5)
        recon = model(X).numpy()
    np.testing.assert_allclose(recon, pca.inverse_transform(pca.transform(X_test)), atol=1e-5)


def test_hand_written_adam_matches_torch_optim_adam(ae):
    torch.manual_seed(0)
    ours, theirs = ae.Autoencoder(latent_dim=2), ae.Autoencoder(latent_dim=2)
    theirs.load_state_dict(ours.state_dict())
    reference = torch.optim.Adam(theirs.parameters(), lr=1e-2, foreach=False)
    optimizer = ae.Adam(ours.parameters())
    X = torch.rand(32, 64)
    for _ in range(5):
        for model in (ours, theirs):
            model.zero_grad()
            torch.mean((model(X) - X) ** 2).backward()
        optimizer.step(lr=1e-2)
        reference.step()
    for mine, reference_param in zip(ours.parameters(), theirs.parameters(), strict=True):
        torch.testing.assert_close(mine, reference_param, rtol=1e-5, atol=1e-7)
    assert not torch.equal(next(ours.parameters()), next(ae.Autoencoder(2).parameters()))


def test_learning_rate_warms_up_then_decays_to_zero(ae):
    rates = [ae.learning_rate(step, 100, peak_lr=1.0) for step in range(100)]
    assert rates[0] == pytest.approx(0.1)
    assert max(rates) == rates[9] == 1.0
    assert all(a < b for a, b in zip(rates[:9], rates[1:10], strict=True))
    assert all(a > b for a, b in zip(rates[10:-1], rates[11:], strict=True))
    assert rates[-1] < 1e-3


def test_training_is_deterministic_for_a_seed(ae, data):
    X_train_t, X_test_t = as_tensors(data)
    pca = PCA(n_components=2, svd_solver="full").fit(data[0])

    def final_weights(seed):
        args = default_args(epochs=2, seed=seed)
        model, history, _ = ae.fit_autoencoder(X_train_t, X_test_t, pca, args, 2, log=print)
        return history, torch.cat([p.detach().flatten() for p in model.parameters()])

    history_a, weights_a = final_weights(0)
    history_b, weights_b = final_weights(0)
    _, weights_c = final_weights(1)
    assert history_a == history_b
    assert torch.equal(weights_a, weights_b)
    assert not torch.equal(weights_a, weights_c)


def test_default_model_beats_pca_at_k2(ae, data):
    """The one test that trains the default model (K=2, seed 0, default epochs)."""
    X_train_t, X_test_t = as_tensors(data)
    pca = PCA(n_components=2, svd_solver="full").fit(data[0])
    model, history, _ = ae.fit_autoencoder(X_train_t, X_test_t, pca, default_args(), 2, log=print)
    metrics, _ = ae.evaluate(model, pca, data, (X_train_t, X_test_t))
    assert metrics["pca_test_mse"] == pytest.approx(0.0522, abs=1e-4)
    assert metrics["test_mse"] <= 0.029
    assert metrics["knn_accuracy"]["autoencoder"] > metrics["knn_accuracy"]["pca"]
    assert history["test_mse"][-1] == pytest.approx(metrics["test_mse"], rel=1e-5)


# ----------------------------------------------------------------------------- the script
def test_tiny_run_with_sweep_writes_every_file(out_dir):
    result = run_script(SCRIPT, "--epochs", 2, "--sweep", "--out", out_dir)
    assert result.returncode == 0, result.stderr
    assert "epoch    2/2" in result.stdout and "5-NN digit accuracy" in result.stdout
    for name in [*PNGS, SWEEP_PNG]:
        assert_png(out_dir / name)
    metrics = json.loads((out_dir / "pytorch_metrics.json").read_text())
    assert set(metrics) == METRICS_KEYS | {"sweep"}
    assert set(metrics["knn_accuracy"]) == {"autoencoder", "pca"}
    assert [row["latent_dim"] for row in metrics["sweep"]] == [1, 2, 4, 8, 16, 32]
    assert all(set(row) == {"latent_dim", "test_mse", "pca_test_mse"} for row in metrics["sweep"])
    assert (metrics["latent_dim"], metrics["epochs"], metrics["device"]) == (2, 2, "cpu")
    assert metrics["sweep"][1]["test_mse"] == metrics["test_mse"]  # K=2 is the main run
    assert all(row["test_mse"] > 0 for row in metrics["sweep"])


@pytest.mark.parametrize("k", [1, 64])
def test_extreme_latent_dims_run(ae, out_dir, capsys, k):
    ae.main(["--latent-dim", str(k), "--epochs", "1", "--out", str(out_dir)])
    metrics = json.loads((out_dir / "pytorch_metrics.json").read_text())
    assert set(metrics) == METRICS_KEYS and metrics["latent_dim"] == k
    for name in PNGS:
        assert_png(out_dir / name)
    assert not (out_dir / SWEEP_PNG).exists()
    if k == 64:
        assert "nothing left to win" in capsys.readouterr().out


def test_same_flags_give_identical_metrics(ae, tmp_path, capsys):
    runs = []
    for name in ["a", "b"]:
        ae.main(["--epochs", "3", "--latent-dim", "3", "--out", str(tmp_path / name)])
        metrics = json.loads((tmp_path / name / "pytorch_metrics.json").read_text())
        metrics.pop("train_seconds")
        runs.append(metrics)
    assert runs[0] == runs[1]


ASSETS = [*PNGS, "pytorch_metrics.json"]


def test_divergence_exits_1_and_writes_nothing(out_dir):
    previous = write_previous_assets(out_dir, ASSETS)
    result = run_script(SCRIPT, "--lr", "1e6", "--epochs", 3, "--out", out_dir)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "diverged" in lines[0] and "--lr" in lines[0]
    assert "Traceback" not in result.stderr
    assert folder_contents(out_dir) == previous


def test_ctrl_c_during_training_exits_130_and_writes_nothing(out_dir):
    previous = write_previous_assets(out_dir, ASSETS)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / SCRIPT), "--epochs", "1000", "--out", str(out_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().startswith("Training")  # imports done, training started
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.strip().splitlines() == ["interrupted; no files were written"]
    assert folder_contents(out_dir) == previous


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--latent-dim", "0"], ["--latent-dim", "1 to 64"]),
        (["--latent-dim", "65"], ["--latent-dim", "1 to 64"]),
        (["--epochs", "0"], ["--epochs"]),
        (["--epochs", "ten"], ["--epochs"]),
        (["--batch-size", "0"], ["--batch-size", "1 to 1437"]),
        (["--lr", "-1"], ["--lr", "positive"]),
        (["--lr", "nan"], ["--lr", "positive"]),
        (["--seed", "1.5"], ["--seed"]),
        (["--device", "tpu"], ["--device", "auto"]),
        (["--bogus"], ["--bogus"]),
    ],
)
def test_bad_arguments_exit_2_with_one_line(ae, capsys, args, expected):
    line = usage_error_line(ae.parse_args, args, capsys)
    assert all(word in line for word in expected)


def test_bad_argument_from_the_terminal_has_no_traceback(out_dir):
    result = run_script(SCRIPT, "--epochs", "-5", "--out", out_dir)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--epochs" in result.stderr
    assert not out_dir.exists()


def test_help_explains_every_flag(ae, capsys):
    text = help_text(ae.parse_args, capsys)
    flags = ["--latent-dim", "--epochs", "--batch-size", "--lr", "--seed", "--device", "--out"]
    for flag in [*flags, "--sweep"]:
        assert flag in text
    assert "(default: 100)" in text and "(default: 0.005)" in text


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu_is_a_clear_error(ae, out_dir):
    with pytest.raises(SystemExit) as exit_info:
        ae.main(["--device", "cuda", "--out", str(out_dir)])
    message = exit_info.value.code
    assert isinstance(message, str)  # sys.exit(message): printed as one line, exit status 1
    assert "--device cuda" in message and "--device cpu" in message and "\n" not in message
