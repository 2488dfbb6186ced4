"""01_pytorch.py: the model, PCA as a model, one default training, the sweep; the command lines."""

from unittest import mock

import pytest
import torch
from conftest import ae, read_json, scratch
from sklearn.decomposition import PCA
from torch import nn

PICTURES = ["flat_and_bent", "reconstruction", "latent_space", "latent_manifold", "training_curve"]
PICTURES = [f"pytorch_{name}.png" for name in [*PICTURES, "unusual"]]
SWEEP_FILES = ["pytorch_ladders.png", "pytorch_sweep.json"]
RECIPE = {key: getattr(ae.parse_args([]), key) for key in ("epochs", "batch_size", "lr")}


def layers(half):  # the kinds of layer in one half of a model, in order
    return [type(layer) for layer in half.modules() if not isinstance(layer, nn.Sequential)]


def test_the_model_its_halves_and_pca_as_a_model(monkeypatch):
    model, stack = ae.Autoencoder(3), [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]
    assert layers(model.encoder) == layers(model.decoder) == stack  # each half built once
    assert model.encoder(torch.rand(8, 64)).shape == (8, 3)  # 64 pixels -> a code of K=3 numbers
    data = ae.load_data()
    assert [len(data[key]) for key in ("X_train", "X_val", "X_test")] == [1149, 288, 360]
    assert len(ae.load_data(leave_out=7).X_unseen) == sum(data.y_test == 7)
    pca = PCA(n_components=2).fit(data.X_train)  # PCA as two linear layers is scikit-learn's PCA
    rebuilt = torch.from_numpy(pca.inverse_transform(pca.transform(data.X_test)))
    model = ae.pca_autoencoder(data.X_train, 2)
    assert ae.mse(data.X_test, model(data.X_test)) == pytest.approx(ae.mse(data.X_test, rebuilt))
    monkeypatch.setattr(ae, "train", lambda *args, **recipe: None)  # the sweep's, built only:
    model = ae.train_halves(2, "linear", "ReLU", data, 0, {})
    assert [layers(model.encoder), layers(model.decoder)] == [[nn.Linear], stack]
    torch.manual_seed(0)  # its ReLU half starts as the lesson's model's does
    assert torch.equal(model.decoder[0].weight, ae.Autoencoder(2).decoder[0].weight)


@torch.no_grad()  # as main measures: train() turns gradients on for itself
def test_one_default_training_beats_pca_on_the_digits_and_on_an_arc():
    data = ae.load_data()
    torch.manual_seed(0)
    model = ae.Autoencoder(2)
    ae.train(model, data.X_train, data.X_val, **RECIPE)
    models = {"PCA": ae.pca_autoencoder(data.X_train, 2), "autoencoder": model}
    metrics = ae.measure(models, data)
    mse = metrics["test_mse"]
    assert mse["autoencoder"] <= min(0.031, 0.6 * mse["PCA"])
    knn = metrics["knn_accuracy"]
    assert knn["PCA"] < knn["autoencoder"] < knn["raw pixels"]
    flags = ae.flag_unusual(models, data.X_val, data.X_test, ae.mirrored(data.X_test))
    assert 0.5 < flags["roc_auc"]["PCA"] < flags["roc_auc"]["autoencoder"]
    assert max(flags["false_alarms"].values()) <= 0.08  # set on validation: near 1 in 20
    noisy = ae.rebuild_noisy(models, data.X_test, 0.3, 0)
    added = {name: noisy[name] - mse[name] for name in models}  # the error the noise adds
    assert added["PCA"] < 0.01 < added["autoencoder"]
    arc_models, arc = ae.fit_the_arc(0, RECIPE)  # on an arc it bends; PCA's line is straight
    straight, bent = (ae.mse(arc, model(arc)) for model in arc_models.values())
    assert bent < straight / 10


def test_runs_fit_a_slide_repeat_and_train_once(tmp_path, figures_inside, capsys, monkeypatch):
    train = mock.Mock(wraps=ae.train)  # trains as ae.train does, and keeps a list of its calls
    monkeypatch.setattr(ae, "train", train)
    flags = ["--latent-dim", "1", "--noise", "0.2", "--leave-out", "3", "--epochs", "1"]
    ae.main([*flags, "--sweep", "--out", str(tmp_path / "a")])
    assert figures_inside == [*PICTURES, "pytorch_ladders.png"]
    rows = read_json(tmp_path / "a" / "pytorch_sweep.json")["models"]
    specs = [(row["latent_dim"], row["encoder"], row["decoder"]) for row in rows]
    placements = [("linear", "linear"), ("linear", "ReLU"), ("ReLU", "linear")]
    expected = [(k, "ReLU", "ReLU") for k in ae.CODE_SIZES] + [(64, "linear", "linear")]
    assert specs == expected + [(2, *halves) for halves in placements]
    assert train.call_count == 2 + len(specs)  # the lesson's (a denoiser), the arc's, each once
    printed = capsys.readouterr().out  # as each model finishes, a line with its test MSE
    assert all(f"K={k}, {enc} encoder, {dec} decoder, test MSE" in printed for k, enc, dec in specs)
    tmp_path.joinpath("b").mkdir()
    for name in SWEEP_FILES:  # from an earlier --sweep; a run without it leaves them as they are
        tmp_path.joinpath("b", name).write_text("earlier")
    ae.main([*flags, "--out", str(tmp_path / "b")])
    a, b = ({path.name: path.read_bytes() for path in (tmp_path / run).iterdir()} for run in "ab")
    assert [b.pop(name) for name in SWEEP_FILES] == [b"earlier"] * 2
    assert b == {name: a[name] for name in [*PICTURES, "pytorch_metrics.json"]}  # the same bytes
    flags = read_json(tmp_path / "b" / "pytorch_metrics.json")["left_out_digit"]  # the 3s, unseen
    assert flags["roc_auc"].keys() == flags["false_alarms"].keys() == {"PCA", "autoencoder"}


def test_a_loss_that_blows_up_exits_1_in_one_line_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(ae.Autoencoder, "forward", lambda model, x: model.encoder(x).sum() * x / 0)
    with pytest.raises(SystemExit) as exit_info:  # sys.exit(message): one line, exit status 1
        ae.main(["--epochs", "2", "--out", str(tmp_path)])
    message = exit_info.value.code
    assert message == "01_pytorch.py: the loss became NaN or infinite; try a lower --lr"
    assert not any(tmp_path.iterdir())


BAD_FLAGS = ["scratch --latent-dim 0", "scratch --latent-dim 33", "scratch --seed two"]
BAD_FLAGS += ["scratch --seed -1", "ae --latent-dim 0", "ae --latent-dim 65", "ae --epochs 0"]
BAD_FLAGS += ["ae --lr nan", "ae --batch-size -1", "ae --seed -1", "ae --noise -0.1"]
BAD_FLAGS += ["ae --leave-out 10"]


@pytest.mark.parametrize("script, flag, value", [flags.split() for flags in BAD_FLAGS])
def test_a_bad_flag_exits_2_with_argparses_message(capsys, script, flag, value):
    with pytest.raises(SystemExit) as exit_info:
        {"scratch": scratch, "ae": ae}[script].main([flag, value])
    error = capsys.readouterr().err.splitlines()  # argparse's: the usage, then what was wrong
    assert exit_info.value.code == 2 and error[0].startswith("usage: ") and flag in error[-1]
