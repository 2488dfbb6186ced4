"""Tests for 01_pytorch.py: the two models, training, the sweep, the files."""

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
    usage_error,
    write_previous_assets,
)
from sklearn.decomposition import PCA
from torch import nn

SCRIPT = "01_pytorch.py"
TINY = ["--epochs", "5"]  # enough for every model to beat drawing the mean digit
METRICS_KEYS = {
    "model",
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


@pytest.fixture(scope="module")
def tensors(data):
    return torch.as_tensor(data[0]), torch.as_tensor(data[1])


def settings(**changes):
    args = {"seed": 0, "epochs": 100, "batch_size": 64, "lr": 1e-2, **changes}
    return argparse.Namespace(**args)


def pca_fit(data, k):
    return PCA(n_components=k, svd_solver="full").fit(data[0])


# ----------------------------------------------------------------------------- the models
def test_the_default_settings_are_the_ones_the_tests_use(ae):
    assert (ae.EPOCHS, ae.BATCH_SIZE, ae.LR) == (100, 64, 1e-2)


def test_vanilla_model_is_a_plain_pair_of_relu_stacks(ae):
    model = ae.Autoencoder(latent_dim=3)
    for half, sizes in [(model.encoder, [64, 256, 128, 3]), (model.decoder, [3, 128, 256, 64])]:
        assert type(half) is nn.Sequential
        assert [type(layer) for layer in half] == [nn.Linear, nn.ReLU] * 2 + [nn.Linear]
        linears = [layer for layer in half if isinstance(layer, nn.Linear)]
        assert [linears[0].in_features] + [layer.out_features for layer in linears] == sizes
    assert model(torch.rand(5, 64)).shape == (5, 64)


def test_linear_skip_model_is_the_same_networks_plus_one_linear_path(ae):
    vanilla, skip = ae.Autoencoder(latent_dim=3), ae.LinearSkipAutoencoder(latent_dim=3)
    for plain, with_path in [(vanilla.encoder, skip.encoder), (vanilla.decoder, skip.decoder)]:
        assert str(with_path.network) == str(plain)
        assert (with_path.linear.in_features, with_path.linear.out_features) == (
            plain[0].in_features,
            plain[-1].out_features,
        )


@pytest.mark.parametrize("k", [1, 4])
def test_untrained_linear_skip_model_is_exactly_pca(ae, data, k):
    X_test = data[1]
    pca = pca_fit(data, k)
    model = ae.build_model("linear-skip", k, pca)
    X = torch.as_tensor(X_test)
    with torch.no_grad():
        np.testing.assert_allclose(model.encoder(X).numpy(), pca.transform(X_test), atol=1e-5)
        recon = model(X).numpy()
    np.testing.assert_allclose(recon, pca.inverse_transform(pca.transform(X_test)), atol=1e-5)


# ----------------------------------------------------------------------------- training
def test_training_is_deterministic_for_a_seed(ae, data, tensors):
    pca = pca_fit(data, 2)

    def final_weights(seed):
        args = settings(epochs=5, seed=seed)
        model, history, _ = ae.fit_autoencoder(*tensors, pca, args, 2, "vanilla", log=print)
        return history, torch.cat([p.detach().flatten() for p in model.parameters()])

    history_a, weights_a = final_weights(0)
    history_b, weights_b = final_weights(0)
    _, weights_c = final_weights(1)
    assert history_a == history_b
    assert torch.equal(weights_a, weights_b)
    assert not torch.equal(weights_a, weights_c)


def test_a_model_that_draws_the_mean_digit_has_learned_nothing(ae, data, tensors):
    X_train = tensors[0]

    class MeanDigit(nn.Module):
        def forward(self, x):
            return X_train.mean(dim=0).expand_as(x)

    with pytest.raises(ae.TrainingFailed, match="no better than drawing the mean digit"):
        ae.check_it_learned(MeanDigit(), X_train)
    ae.check_it_learned(ae.build_model("linear-skip", 1, pca_fit(data, 1)), X_train)  # PCA: fine


def test_default_vanilla_model_beats_pca_at_k2(ae, data, tensors):
    """The one test that trains a default model (vanilla, K=2, seed 0, default settings)."""
    pca = pca_fit(data, 2)
    model, history, _ = ae.fit_autoencoder(*tensors, pca, settings(), 2, "vanilla", log=print)
    metrics = ae.evaluate(model, pca, data, tensors)
    assert metrics["pca_test_mse"] == pytest.approx(0.0522, abs=1e-4)
    assert metrics["test_mse"] <= 0.029  # issue 8's target; 0.0268 measured here
    assert metrics["knn_accuracy"]["autoencoder"] > metrics["knn_accuracy"]["pca"]
    assert history["test_mse"][-1] == pytest.approx(metrics["test_mse"], rel=1e-5)


# ----------------------------------------------------------------------------- the script
def test_tiny_sweep_writes_its_own_files_and_a_valid_main_run(out_dir):
    result = run_script(SCRIPT, *TINY, "--sweep", "--out", out_dir)
    assert result.returncode == 0, result.stderr
    assert "epoch    5/5" in result.stdout and "5-NN digit accuracy" in result.stdout
    assert result.stdout.count("test MSE 0.") >= 11  # a progress line per model trained
    for name in ["pytorch_latent_space.png", "pytorch_mse_vs_latent_dim.png"]:
        assert_png(out_dir / name)
    metrics = json.loads((out_dir / "pytorch_metrics.json").read_text())
    assert set(metrics) == METRICS_KEYS
    assert (metrics["model"], metrics["latent_dim"], metrics["epochs"]) == ("vanilla", 2, 5)
    sweep = json.loads((out_dir / "pytorch_sweep.json").read_text())
    assert set(sweep) == {"seed", "epochs", "batch_size", "lr", "device", "rows"}
    rows = {(row["model"], row["latent_dim"]): row for row in sweep["rows"]}
    assert set(rows) == {(m, k) for m in ("vanilla", "linear-skip") for k in (1, 2, 4, 8, 16, 32)}
    assert all(
        set(row) == {"model", "latent_dim", "test_mse", "pca_test_mse"} for row in rows.values()
    )
    assert rows["vanilla", 2]["test_mse"] == metrics["test_mse"]  # the main run, not retrained
    assert rows["vanilla", 1]["test_mse"] != rows["linear-skip", 1]["test_mse"]


def test_a_run_without_sweep_leaves_the_sweep_files_alone(ae, out_dir, capsys):
    previous = write_previous_assets(
        out_dir, ["pytorch_mse_vs_latent_dim.png", "pytorch_sweep.json"]
    )
    ae.main([*TINY, "--out", str(out_dir)])
    contents = folder_contents(out_dir)
    assert {name: contents[name] for name in previous} == previous
    assert len(contents) == len(previous) + 5


@pytest.mark.parametrize("flags", [["--latent-dim", "1"], ["--latent-dim", "64", "--linear-skip"]])
def test_extreme_latent_dims_and_the_second_model_run(ae, out_dir, capsys, flags):
    ae.main([*TINY, *flags, "--out", str(out_dir)])
    metrics = json.loads((out_dir / "pytorch_metrics.json").read_text())
    assert set(metrics) == METRICS_KEYS
    assert metrics["latent_dim"] == int(flags[1])
    assert metrics["model"] == ("linear-skip" if "--linear-skip" in flags else "vanilla")
    for name in ["pytorch_reconstruction.png", "pytorch_latent_manifold.png"]:
        assert_png(out_dir / name)
    if "64" in flags:
        assert "nothing left to win" in capsys.readouterr().out


def test_same_flags_give_identical_metrics(ae, tmp_path, capsys):
    runs = []
    for name in ["a", "b"]:
        ae.main([*TINY, "--latent-dim", "3", "--out", str(tmp_path / name)])
        metrics = json.loads((tmp_path / name / "pytorch_metrics.json").read_text())
        metrics.pop("train_seconds")
        runs.append(metrics)
    assert runs[0] == runs[1]


ASSETS = [
    "pytorch_latent_space.png",
    "pytorch_reconstruction.png",
    "pytorch_training_curve.png",
    "pytorch_latent_manifold.png",
    "pytorch_metrics.json",
]


@pytest.mark.parametrize("flags", [["--lr", "1", "--epochs", "5"], ["--epochs", "1"]])
def test_a_run_that_learned_garbage_fails_and_writes_nothing(ae, out_dir, capsys, flags):
    """--lr 1 throws the weights around; one epoch is too short to learn anything."""
    previous = write_previous_assets(out_dir, ASSETS)
    with pytest.raises(SystemExit) as exit_info:
        ae.main([*flags, "--out", str(out_dir)])
    message = exit_info.value.code  # sys.exit(message): one line on stderr, exit status 1
    assert isinstance(message, str) and "\n" not in message and "training failed" in message
    assert "--lr" in message and "--epochs" in message and "mean digit" in message
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
        (["--lr", "-1"], ["--lr", "above 0"]),
        (["--lr", "nan"], ["--lr", "above 0"]),
        (["--lr", "100"], ["--lr", "at most 1"]),
        (["--lr", "4e37"], ["--lr", "at most 1"]),
        (["--seed", "1.5"], ["--seed"]),
        (["--device", "tpu"], ["--device", "auto"]),
        (["--bogus"], ["--bogus"]),
    ],
)
def test_bad_arguments_exit_2_with_argparse_usage(ae, capsys, args, expected):
    line = usage_error(ae.parse_args, args, capsys)
    assert all(word in line for word in expected)


def test_help_explains_every_flag_with_its_default(ae, capsys):
    text = help_text(ae.parse_args, capsys)
    flags = ["--latent-dim", "--epochs", "--batch-size", "--lr", "--seed", "--device", "--out"]
    for flag in [*flags, "--linear-skip", "--sweep"]:
        assert flag in text
    assert "(default: 100)" in text and "(default: 0.01)" in text and "(default: 64)" in text


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu_is_a_clear_error(ae, out_dir):
    with pytest.raises(SystemExit) as exit_info:
        ae.main(["--device", "cuda", "--out", str(out_dir)])
    message = exit_info.value.code
    assert isinstance(message, str)  # sys.exit(message): printed as one line, exit status 1
    assert "--device cuda" in message and "--device cpu" in message and "\n" not in message
