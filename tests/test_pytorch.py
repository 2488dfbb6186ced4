"""01_pytorch.py: the model, PCA as a model, one default training, the sweep; the command lines."""

import argparse
from unittest import mock

import pytest
import torch
from conftest import ae, read_json, scratch
from sklearn.datasets import make_moons
from sklearn.decomposition import PCA
from torch import nn

PICTURES = ["flat_and_bent", "reconstruction", "latent_space", "training_curve", "latent_manifold"]
PICTURES = [f"pytorch_{name}.png" for name in [*PICTURES, "search", "unusual", "blur"]]
SWEEP_FILES = ["pytorch_code_sizes.png", "pytorch_sweep.json"]


def settings(**changes):  # 01's defaults, as its argparse sets them
    defaults = dict(seed=0, epochs=100, batch_size=64, lr=0.003, noise=0, leave_out=None)
    return argparse.Namespace(**defaults | changes)


@pytest.mark.parametrize("relu_encoder, relu_decoder", [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_each_placement_builds_the_layers_it_names(relu_encoder, relu_decoder):
    model = ae.Autoencoder(3, 64, relu_encoder, relu_decoder)
    for half, relu in [(model.encoder, relu_encoder), (model.decoder, relu_decoder)]:
        layers = [type(layer) for layer in half.modules() if not isinstance(layer, nn.Sequential)]
        assert layers == [nn.Linear, nn.ReLU] * 2 * relu + [nn.Linear]  # a ReLU stack, or a layer
    assert model.encoder(torch.rand(8, 64)).shape == (8, 3)  # 64 pixels -> a code of K=3 numbers


def test_one_default_training_beats_pca_on_the_digits_and_on_an_arc():
    data = ae.load_data()
    model, _ = ae.train(2, *data[:2], settings())
    models = {"PCA": ae.pca_autoencoder(data[0], 2), "autoencoder": model}
    metrics = ae.evaluate(models, data, settings())
    mse = metrics["test_mse"]
    pca = PCA(n_components=2).fit(data[0])  # PCA as two linear layers is scikit-learn's PCA:
    rebuilt = torch.from_numpy(pca.inverse_transform(pca.transform(data[1])))
    assert mse["PCA"] == pytest.approx(ae.mse(data[1], rebuilt), rel=1e-5)
    assert mse["autoencoder"] <= min(0.030, 0.6 * mse["PCA"])
    knn = metrics["knn_accuracy"]
    assert knn["PCA"] < knn["autoencoder"] < knn["raw pixels"]
    auc = metrics["mirrored_digits"]["roc_auc"]  # its rebuild error flags mirrored digits better
    assert 0.5 < auc["PCA"] < auc["autoencoder"]
    assert metrics["denoising_mse"]["autoencoder"] > metrics["denoising_mse"]["noisy input"]
    points, moon = make_moons(n_samples=128, noise=0.05, random_state=0)
    arc = torch.from_numpy(points[moon == 0]).float()  # on an arc it bends, PCA's line is straight
    models = [ae.pca_autoencoder(arc, 1), ae.train(1, arc, arc, settings())[0]]
    straight, bent = (ae.mse(arc, model(arc)) for model in models)
    assert bent < straight / 10


def test_runs_repeat_at_any_setting_and_leave_a_sweeps_files_alone(tmp_path, figures_inside):
    tmp_path.joinpath("a").mkdir()
    for name in SWEEP_FILES:  # from an earlier --sweep; a run without it leaves them as they are
        tmp_path.joinpath("a", name).write_text("earlier")
    metrics = []
    runs = [("a", []), ("b", []), ("k1", ["--latent-dim", "1"]), ("k64", ["--latent-dim", "64"])]
    runs += [("both", ["--noise", "0.2", "--leave-out", "3"])]
    for run, flags in runs:
        ae.main(["--epochs", "2", *flags, "--out", str(tmp_path / run)])
        metrics.append(read_json(tmp_path / run / "pytorch_metrics.json"))
        assert metrics[-1].pop("train_seconds") > 0
    assert metrics[0] == metrics[1]  # the same seed: the same numbers, timing aside
    assert [m["latent_dim"] for m in metrics] == [2, 2, 1, 64, 2]
    assert metrics[-1].keys() - metrics[0].keys() == {"left_out_digit"}
    assert figures_inside == PICTURES * 5
    files = {path.name: path.read_bytes() for path in tmp_path.joinpath("a").iterdir()}
    assert files.keys() == {*PICTURES, *SWEEP_FILES, "pytorch_metrics.json"}
    assert [files[name] for name in SWEEP_FILES] == [b"earlier"] * 2


def test_a_sweep_trains_each_model_once(tmp_path, figures_inside, capsys, monkeypatch):
    train = mock.Mock(wraps=ae.train)  # trains as ae.train does, and keeps a list of its calls
    monkeypatch.setattr(ae, "train", train)
    ae.main(["--epochs", "1", "--sweep", "--out", str(tmp_path)])
    assert " times PCA's" in capsys.readouterr().out  # a poor model is a result too: compared
    assert figures_inside == [*PICTURES, "pytorch_code_sizes.png"]
    sweep = read_json(tmp_path / "pytorch_sweep.json")
    assert [row["latent_dim"] for row in sweep["code_sizes"]] == [1, 2, 4, 8, 16, 32, 64]
    halves = [row["encoder"] + "/" + row["decoder"] for row in sweep["placements"]]
    assert halves == ["linear/linear", "linear/ReLU", "ReLU/linear", "ReLU/ReLU"]
    trained = [call.args[0] for call in train.call_args_list]  # each model's code size
    assert trained == [2, 1, 1, 4, 8, 16, 32, 64, 2, 2, 2]  # the arc's, then the sweep reuses K=2


def test_a_loss_that_blows_up_exits_1_in_one_line_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(ae.Autoencoder, "forward", lambda model, x: model.encoder(x).sum() * x / 0)
    with pytest.raises(SystemExit) as exit_info:  # sys.exit(message): one line, exit status 1
        ae.main(["--epochs", "2", "--out", str(tmp_path)])
    assert "NaN or infinite in epoch 1; try a lower --lr" in exit_info.value.code
    assert "\n" not in exit_info.value.code and not any(tmp_path.iterdir())


BAD_FLAGS = [
    "scratch --latent-dim 0",
    "scratch --latent-dim 33",
    "scratch --seed two",
    "ae --lr nan",
]
BAD_FLAGS += ["scratch --seed -1", "ae --latent-dim 0", "ae --latent-dim 65", "ae --epochs 0"]
BAD_FLAGS += ["ae --batch-size -1", "ae --seed -1", "ae --noise -0.1", "ae --leave-out 10"]


@pytest.mark.parametrize("script, flag, value", [flags.split() for flags in BAD_FLAGS])
def test_a_bad_flag_exits_2_with_argparses_message(capsys, script, flag, value):
    with pytest.raises(SystemExit) as exit_info:
        {"scratch": scratch, "ae": ae}[script].main([flag, value])
    error = capsys.readouterr().err.splitlines()  # argparse's: the usage, then what was wrong
    assert exit_info.value.code == 2 and error[0].startswith("usage: ") and flag in error[-1]
