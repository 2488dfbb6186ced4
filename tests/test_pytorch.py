"""01_pytorch.py: the models, training, the sweep; then the command line of both scripts."""

import argparse
import json
import os
import signal

import numpy as np
import pytest
import torch
from conftest import assert_png, folder_contents, run_script, start_script, write_previous_files
from sklearn.decomposition import PCA
from torch import nn

PNGS = ["pytorch_latent_space.png", "pytorch_reconstruction.png",
        "pytorch_training_curve.png", "pytorch_latent_manifold.png"]  # fmt: skip
FILES = [*PNGS, "pytorch_metrics.json"]
SWEEP_FILES = ["pytorch_mse_vs_latent_dim.png", "pytorch_sweep.json"]
TINY = ["--epochs", "3"]
METRICS_KEYS = {"model", "latent_dim", "seed", "epochs", "batch_size", "lr", "device"} | {
    "train_mse", "test_mse", "pca_test_mse", "knn_accuracy", "train_seconds",
}  # fmt: skip


@pytest.fixture(scope="module")
def data(ae):
    return ae.load_data()


@pytest.fixture(scope="module")
def tensors(data):
    return [torch.as_tensor(data[0]), torch.as_tensor(data[1])]


def settings(epochs=100, seed=0):
    return argparse.Namespace(seed=seed, epochs=epochs, batch_size=64, lr=1e-2)


def test_vanilla_model_is_a_plain_pair_of_relu_stacks(ae):
    model = ae.Autoencoder(latent_dim=3)
    for half, sizes in [(model.encoder, [64, 256, 128, 3]), (model.decoder, [3, 128, 256, 64])]:
        assert type(half) is nn.Sequential
        assert [type(layer) for layer in half] == [nn.Linear, nn.ReLU] * 2 + [nn.Linear]
        assert [half[0].in_features] + [half[i].out_features for i in (0, 2, 4)] == sizes


@pytest.mark.parametrize("k", [1, 4])
def test_untrained_linear_skip_model_is_exactly_pca(ae, data, k):
    pca, X_test = PCA(n_components=k, svd_solver="full").fit(data[0]), data[1]
    model = ae.start_from_pca(ae.LinearSkipAutoencoder(k), pca)
    assert str(model.encoder.network) == str(ae.Autoencoder(k).encoder)  # the same networks
    with torch.no_grad():
        codes = model.encoder(torch.as_tensor(X_test)).numpy()
        recon = model(torch.as_tensor(X_test)).numpy()
    np.testing.assert_allclose(codes, pca.transform(X_test), atol=1e-5)
    np.testing.assert_allclose(recon, pca.inverse_transform(pca.transform(X_test)), atol=1e-5)


def test_training_is_deterministic_for_a_seed(ae, data, tensors, capsys):
    pca = PCA(n_components=2, svd_solver="full").fit(data[0])

    def weights_after_training(seed):
        model, history, _ = ae.fit("vanilla", 2, pca, tensors, settings(epochs=2, seed=seed))
        return history, torch.cat([p.detach().flatten() for p in model.parameters()])

    (history_a, weights_a), (history_b, weights_b) = map(weights_after_training, [0, 0])
    assert history_a == history_b and torch.equal(weights_a, weights_b)
    assert not torch.equal(weights_a, weights_after_training(1)[1])


def test_default_vanilla_model_beats_pca_at_k2(ae, data, tensors, capsys):
    """The one test that trains the default model (vanilla, K=2, seed 0, default settings)."""
    pca = PCA(n_components=2, svd_solver="full").fit(data[0])
    model, history, _ = ae.fit("vanilla", 2, pca, tensors, settings())
    metrics = ae.evaluate(model, history, pca, data, tensors)
    assert metrics["pca_test_mse"] == pytest.approx(0.0522, abs=1e-4)
    # 0.0269 measured here; 0.029 is the target the settings were chosen for on validation.
    assert metrics["test_mse"] <= 0.029
    assert metrics["knn_accuracy"]["autoencoder"] > metrics["knn_accuracy"]["pca"] + 0.2
    # The curve's train MSE is measured as the test MSE is: the whole set, after the epoch.
    assert history["train_mse"][-1] == pytest.approx(ae.reconstruction_mse(model, tensors[0]))


def test_tiny_sweep_writes_its_own_files_and_reuses_the_main_run(tmp_path):
    result = run_script("01_pytorch.py", *TINY, "--sweep", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES + SWEEP_FILES)
    for name in [*PNGS, SWEEP_FILES[0]]:
        assert_png(tmp_path / name)
    metrics = json.loads((tmp_path / "pytorch_metrics.json").read_text())
    assert set(metrics) == METRICS_KEYS
    sweep = json.loads((tmp_path / "pytorch_sweep.json").read_text())
    assert set(sweep) == {"seed", "epochs", "batch_size", "lr", "device", "rows"}
    rows = {(row["model"], row["latent_dim"]): row for row in sweep["rows"]}
    assert set(rows) == {(m, k) for m in ("vanilla", "linear-skip") for k in (1, 2, 4, 8, 16, 32)}
    assert rows["vanilla", 2]["test_mse"] == metrics["test_mse"]  # not trained a second time


@pytest.mark.parametrize("flags", [["--latent-dim", "1"], ["--latent-dim", "64", "--linear-skip"]])
def test_extreme_code_sizes_the_second_model_and_no_sweep(ae, tmp_path, capsys, flags):
    previous = write_previous_files(tmp_path, SWEEP_FILES)
    ae.main([*TINY, *flags, "--out", str(tmp_path)])
    contents = folder_contents(tmp_path)  # a run without --sweep leaves the sweep's files alone
    assert sorted(contents) == sorted(FILES + SWEEP_FILES)
    assert {name: contents[name] for name in SWEEP_FILES} == previous
    metrics = json.loads(contents["pytorch_metrics.json"])
    assert metrics["latent_dim"] == int(flags[1])
    assert metrics["model"] == ("linear-skip" if "--linear-skip" in flags else "vanilla")
    for name in PNGS:
        assert_png(tmp_path / name)
    if "64" in flags:
        assert "nothing left to win" in capsys.readouterr().out


def test_a_poor_model_is_written_and_compared_with_pca(ae, tmp_path, capsys):
    ae.main(["--epochs", "1", "--out", str(tmp_path)])
    metrics = json.loads((tmp_path / "pytorch_metrics.json").read_text())
    assert metrics["test_mse"] > metrics["pca_test_mse"]  # one epoch is too few
    assert "Worse than PCA" in capsys.readouterr().out


def test_a_loss_that_blows_up_exits_1_and_writes_nothing(ae, tmp_path, monkeypatch, capsys):
    def forward_that_blows_up(model, x):  # what a far too large step does to the outputs
        return model.decoder(model.encoder(x)) * float("inf")

    monkeypatch.setattr(ae.Autoencoder, "forward", forward_that_blows_up)
    previous = write_previous_files(tmp_path, FILES)
    with pytest.raises(SystemExit) as exit_info:
        ae.main([*TINY, "--out", str(tmp_path)])
    message = exit_info.value.code  # sys.exit(message): one line on stderr, exit status 1
    assert "the loss became nan" in message and "--lr" in message and "\n" not in message
    assert folder_contents(tmp_path) == previous


def test_ctrl_c_during_training_exits_130_and_writes_nothing(tmp_path):
    previous = write_previous_files(tmp_path, FILES)
    unbuffered = os.environ | {"PYTHONUNBUFFERED": "1"}
    process = start_script("01_pytorch.py", "--epochs", 1000, "--out", tmp_path, env=unbuffered)
    assert process.stdout.readline().startswith(b"Training")  # imports done, training started
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.decode().strip().splitlines() == ["interrupted"]
    assert folder_contents(tmp_path) == previous


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu_is_one_clear_line(ae, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        ae.main(["--device", "cuda", "--out", str(tmp_path)])
    assert "--device cuda" in exit_info.value.code and "--device cpu" in exit_info.value.code


# ------------------------------------------------------------------ both scripts' command lines
BAD_FLAGS = [
    ("00_scratch.py", ["--latent-dim", "0"], "--latent-dim", "1 to 64"),
    ("00_scratch.py", ["--latent-dim", "two"], "--latent-dim", "1 to 64"),
    ("00_scratch.py", ["--seed", "-1"], "--seed", "0 to"),
    ("00_scratch.py", ["--out", ""], "--out", "folder"),
    ("00_scratch.py", ["--bogus"], "--bogus", "unrecognized"),
    ("01_pytorch.py", ["--latent-dim", "65"], "--latent-dim", "1 to 64"),
    ("01_pytorch.py", ["--epochs", "ten"], "--epochs", "1 to 10000"),
    ("01_pytorch.py", ["--batch-size", "0"], "--batch-size", "1 to 1437"),
    ("01_pytorch.py", ["--lr", "nan"], "--lr", "to 1"),
    ("01_pytorch.py", ["--lr", "100"], "--lr", "to 1"),
    ("01_pytorch.py", ["--seed", "1.5"], "--seed", "0 to"),
    ("01_pytorch.py", ["--device", "tpu"], "--device", "auto"),
    ("01_pytorch.py", ["--out", ""], "--out", "folder"),
]


@pytest.mark.parametrize("script, args, flag, allowed", BAD_FLAGS)
def test_bad_flags_exit_2_naming_the_flag(scratch, ae, capsys, script, args, flag, allowed):
    module = scratch if script == "00_scratch.py" else ae
    with pytest.raises(SystemExit) as exit_info:
        module.parse_args(args)
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0].startswith("usage: ") and flag in lines[-1] and allowed in lines[-1]


@pytest.mark.parametrize("script", ["00_scratch.py", "01_pytorch.py"])
def test_an_out_that_cannot_be_made_fails_in_one_line_before_the_work(tmp_path, script):
    (tmp_path / "a_file").write_text("mine")
    result = run_script(script, "--out", tmp_path / "a_file" / "sub")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "cannot write to --out" in result.stderr


@pytest.mark.parametrize("script", ["00_scratch.py", "01_pytorch.py"])
def test_help_names_every_flag_with_its_default(scratch, ae, capsys, script):
    module = scratch if script == "00_scratch.py" else ae
    with pytest.raises(SystemExit):
        module.parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    flags = ["--latent-dim", "--seed", "--out"]
    if script == "01_pytorch.py":
        flags += ["--epochs", "--batch-size", "--lr", "--device", "--linear-skip", "--sweep"]
        assert "(default: 100)" in text and "(default: 0.01)" in text
        assert "pytorch_sweep.json" in text and "pytorch_mse_vs_latent_dim.png" in text
    assert all(flag in text for flag in flags) and "(default: 2)" in text


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path):
    """`python 00_scratch.py | head -1`: the default SIGPIPE action, no traceback."""
    process = start_script("00_scratch.py", "--out", tmp_path)
    assert process.stdout.readline()
    process.stdout.close()
    process.wait(timeout=120)
    assert process.stderr.read() == b""
    assert process.returncode in (-signal.SIGPIPE, 0)  # 0 if it finished before the close
