"""The vanilla autoencoder in PyTorch: a small ReLU network that squeezes 8x8 digits into K numbers.

From the top: the data, the model, the training loop, PCA as the yardstick, the measures and the
pictures. Then what it is for (flagging, noise), where it fails (blur) and, with --sweep, going
further (code sizes; where the ReLUs must sit; no bottleneck).

    python 01_pytorch.py                                # K=2, into assets/ (the README's)
    python 01_pytorch.py --latent-dim 8 --out /tmp/k8   # any other setting: write elsewhere
"""

import argparse
import json
import sys
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from sklearn.datasets import load_digits, make_moons
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils import Bunch
from torch import nn, optim

ASSETS = Path(__file__).parent / "assets"  # the README's pictures and numbers
COLOURS = {"PCA": "black", "autoencoder": "#1e74b0"}  # in every figure, PCA first
DIGIT_COLOURS = ["#1e74b0", "#b15300", "#238023", "#d62728", "#8a59b7"]  # tab10, darkened
DIGIT_COLOURS += ["#8c564b", "#c62996", "#6d6d6d", "#6f6f14", "#0f7b86"]  # for a projector
CODE_SIZES = (1, 2, 4, 8, 16, 32, 64)  # --sweep's


# ==== The core lesson: the data, the model, the training loop, PCA, the measures, the pictures ====
def load_data(leave_out=None):
    """The 8x8 digits in [0, 1], one a row: 00_scratch.py's test digits, for the numbers reported;
    validation digits (a fifth of the rest), to choose settings; and the train digits, to learn."""
    X, y = load_digits(return_X_y=True)
    X = torch.from_numpy(X / 16.0).float()  # float32: what PyTorch computes in
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    split = train_test_split(X_train, y_train, test_size=0.2, random_state=0)
    X_train, X_val, y_train, y_val = split
    data = Bunch(X_train=X_train, y_train=y_train, X_val=X_val, X_test=X_test, y_test=y_test)
    if leave_out is not None:  # the models never see this digit: is it unusual, then?
        data.X_unseen = X_test[y_test == leave_out]  # flagged against the other test digits
        data.X_train, data.y_train = X_train[y_train != leave_out], y_train[y_train != leave_out]
        data.X_val = X_val[y_val != leave_out]
        data.X_test, data.y_test = X_test[y_test != leave_out], y_test[y_test != leave_out]
    return data


class Autoencoder(nn.Module):
    """The vanilla autoencoder: a small ReLU network as encoder; the decoder mirrors its widths."""

    def __init__(self, latent_dim, n_inputs=64):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(n_inputs, 256),  # 64 pixels -> 256
            nn.ReLU(),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Linear(128, latent_dim),  # -> the code: K numbers of any sign, so no ReLU here
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 128),  # K -> 128
            nn.ReLU(),
            nn.Linear(128, 256),
            nn.ReLU(),
            nn.Linear(256, n_inputs),  # -> 64 pixels, unbounded: the pictures clip them to [0, 1]
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


def train(model, X_train, X_val, epochs, batch_size, lr):
    """Adam on the MSE, in shuffled batches; returns the train and validation MSE of each epoch."""
    optimizer = optim.Adam(model.parameters(), lr=lr, fused=True)  # fused: all weights in one go
    history = {"train": [], "validation": []}
    for _ in range(epochs):
        model.train()  # training mode, for layers that act otherwise while learning (noise, below)
        with torch.enable_grad():  # learning needs gradients (main turns them off elsewhere)
            shuffled = X_train[torch.randperm(len(X_train))]  # a new order each epoch
            losses = []
            for batch in shuffled.split(batch_size):
                loss = nn.functional.mse_loss(model(batch), batch)  # each digit is its own target
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
        model.eval()
        history["validation"].append(mse(X_val, model(X_val)))  # measured, never learnt from
        history["train"].append(np.mean(losses))  # the batches' mean, while the model learnt
        if not np.isfinite(history["train"][-1]):
            sys.exit("01_pytorch.py: the loss became NaN or infinite; try a lower --lr")
    return history


def autoencoder_of(encoder, decoder):  # one model: the encoder, then the decoder, each by name
    return nn.Sequential(OrderedDict(encoder=encoder, decoder=decoder))


def pca_autoencoder(X_train, latent_dim):
    """PCA as a linear autoencoder: its directions, found by scikit-learn, in two linear layers."""
    pca = PCA(n_components=latent_dim).fit(X_train)
    directions = torch.from_numpy(pca.components_)  # V: K x 64, a direction a row
    mean = torch.from_numpy(pca.mean_)  # the average train digit: 64 pixels (2 for the arc)
    model = autoencoder_of(nn.Linear(len(mean), latent_dim), nn.Linear(latent_dim, len(mean)))
    model.requires_grad_(False)  # set, not learnt
    model.encoder.weight.copy_(directions)  # z = V (x - mean)
    model.encoder.bias.copy_(-directions @ mean)
    model.decoder.weight.copy_(directions.T)  # x_hat = mean + V^T z
    model.decoder.bias.copy_(mean)
    return model


def mse(X, X_hat):  # the mean over digits and all 64 pixels of the squared error
    return nn.functional.mse_loss(X_hat, X).item()


def measure(models, data):  # each model's train, validation and test MSE; 5-NN in its code
    metrics = {"train_mse": {}, "validation_mse": {}, "test_mse": {}, "knn_accuracy": {}}
    encoders = {name: model.encoder for name, model in models.items()}
    for name, model in models.items():
        metrics["train_mse"][name] = mse(data.X_train, model(data.X_train))
        metrics["validation_mse"][name] = mse(data.X_val, model(data.X_val))
        metrics["test_mse"][name] = mse(data.X_test, model(data.X_test))
    encoders["raw pixels"] = nn.Identity()  # all 64 pixels, not K numbers: a reference
    for name, encode in encoders.items():  # 5-NN: the label most common among the 5 nearest
        knn = KNeighborsClassifier(n_neighbors=5).fit(encode(data.X_train), data.y_train)
        metrics["knn_accuracy"][name] = knn.score(encode(data.X_test), data.y_test)
    return metrics


def fit_the_arc(seed, recipe):  # the idea in 2-D: 64 points near a half circle, in 1 number
    points, moon = make_moons(n_samples=128, noise=0.05, random_state=seed)
    arc = torch.from_numpy(points[moon == 0]).float()  # one of the two moons
    torch.manual_seed(seed)
    autoencoder = Autoencoder(1, n_inputs=2)
    train(autoencoder, arc, arc, **recipe)  # only drawn: no points held out
    return {"PCA": pca_autoencoder(arc, 1), "autoencoder": autoencoder}, arc


def image_mosaic(rows):  # rows of 8x8 images as one array, NaN (blank) between; tile i at 3.5 + 9i
    mosaic = np.full((9 * len(rows) - 1, 9 * len(rows[0]) - 1), np.nan)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            mosaic[9 * i : 9 * i + 8, 9 * j : 9 * j + 8] = image.reshape(8, 8)
    return mosaic


def plot_digits(rows, title, labels=()):  # rows of digits as one picture, a label at each row
    fig = Figure(figsize=(8.3, min(4.65, 0.7 + 7 * len(rows) / len(rows[0]))), layout="compressed")
    ax = fig.subplots()
    ax.imshow(image_mosaic(rows), cmap="gray_r", vmin=0, vmax=1)
    ax.set(xticks=[], yticks=3.5 + 9 * np.arange(len(labels)), yticklabels=labels, title=title)
    return fig


def plot_flat_and_bent(models, X):
    fig = Figure(figsize=(8.3, 3.4), layout="constrained")
    for ax, name in zip(fig.subplots(1, 2), models, strict=True):
        fit = models[name](X)
        ax.add_collection(LineCollection(np.stack([X, fit], axis=1), color=COLOURS[name], lw=1.5))
        ax.plot(*fit[fit[:, 0].argsort()].T, color=COLOURS[name], lw=3)  # left to right
        ax.scatter(*X.T, s=25, color="black", zorder=3)
        ax.set(title=f"{name}: MSE {mse(X, fit):.4f}", xlabel="x1", ylabel="x2")
        ax.axis("equal")  # circles look round, so each error line is drawn at its true length
    fig.suptitle("64 points, each squeezed into 1 number and rebuilt on a straight or a bent line")
    return fig


def plot_rebuilds(models, X, metrics):
    rows = [X] + [model(X) for model in models.values()]
    labels = [f"{name}\ntest MSE {metrics['test_mse'][name]:.4f}" for name in models]
    title = f"{len(X)} test digits squeezed into K={metrics['latent_dim']} numbers and rebuilt"
    return plot_digits(rows, title, ["original", *labels])


def plot_codes(models, data, metrics):
    fig = Figure(figsize=(8.3, 4.65), layout="constrained")
    for ax, name in zip(fig.subplots(1, 2), models, strict=True):
        codes = models[name].encoder(data.X_test)
        for digit in range(10):  # each digit drawn as its numeral; colour is a second cue
            z = codes[data.y_test == digit]
            y = z[:, 1] if codes.shape[1] > 1 else np.full(len(z), digit)  # K=1: a row a digit
            ax.scatter(z[:, 0], y, marker=f"${digit}$", color=DIGIT_COLOURS[digit], s=80, lw=0)
        ylabel = "z2, the second code number" if codes.shape[1] > 1 else "the digit (not a code)"
        ax.set(xlabel="z1, the first code number", ylabel=ylabel)
        ax.set_title(f"{name}'s code\n5-NN accuracy {metrics['knn_accuracy'][name]:.1%}")
    fig.suptitle(f"The {len(data.y_test)} test digits at their codes (K={metrics['latent_dim']})")
    return fig


def plot_decoders(models, X_train, steps=9):  # images of a grid of codes across the train codes
    fig = Figure(figsize=(8.3, 4.65), layout="compressed")
    for ax, name in zip(fig.subplots(1, 2), models, strict=True):
        codes = models[name].encoder(X_train)
        low, high = np.percentile(codes, [2, 98], axis=0)
        rows = steps if codes.shape[1] > 1 else 1  # at K=1, a single row
        grid = torch.zeros(rows, steps, codes.shape[1]) + codes.mean(dim=0)  # codes at the mean,
        grid[:, :, 0] = torch.linspace(low[0], high[0], steps)  # but z1 grows left to right
        if codes.shape[1] > 1:  # and z2 from the bottom row up
            grid[:, :, 1] = torch.linspace(high[1], low[1], steps)[:, None]
            ax.set_ylabel("z2, the second code number →")
        ax.imshow(image_mosaic(models[name].decoder(grid)), cmap="gray_r", vmin=0, vmax=1)
        ax.set(title=f"{name}'s decoder", xlabel="z1, the first code number →", xticks=[])
        ax.set_yticks([])
    fig.suptitle("What each decoder draws from a grid of codes: a flat plane, or a bent sheet")
    return fig


def plot_training(history, metrics):
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.axhline(metrics["validation_mse"]["PCA"], c=COLOURS["PCA"], lw=2, label="PCA, validation")
    for split, style in [("train", "--"), ("validation", "-")]:
        epochs = range(1, len(history[split]) + 1)
        label = f"autoencoder, {split} digits"
        ax.plot(epochs, history[split], style, color=COLOURS["autoencoder"], lw=3, label=label)
    ax.set(xlabel="epoch (one pass over the train digits)", ylabel="MSE", ylim=(0, None))
    ax.set(title="Training the autoencoder: its error, epoch by epoch")
    ax.legend()
    return fig


# ==== What is it for? Flagging the unusual; removing noise (search by code: the 5-NN above) =======
def errors(model, X):  # each digit's rebuild error: its squared error, averaged over 64 pixels
    return ((model(X) - X) ** 2).mean(dim=1)


def mirrored(X):  # each 8x8 digit flipped left to right
    return X.reshape(-1, 8, 8).flip(2).flatten(1)


def flag_unusual(models, X_val, normal, unusual):  # how well rebuild errors tell them apart
    truth = np.r_[np.zeros(len(normal)), np.ones(len(unusual))]  # 1: unusual
    results = {"roc_auc": {}, "threshold": {}, "recall": {}, "false_alarms": {}}
    for name, model in models.items():
        threshold = errors(model, X_val).quantile(0.95).item()  # 1 validation digit in 20 above
        normal_errors, unusual_errors = errors(model, normal), errors(model, unusual)
        results["roc_auc"][name] = roc_auc_score(truth, torch.cat([normal_errors, unusual_errors]))
        results["threshold"][name] = threshold
        results["recall"][name] = (unusual_errors > threshold).float().mean().item()
        results["false_alarms"][name] = (normal_errors > threshold).float().mean().item()
    return results


def plot_unusual(models, X_test, flags):
    fig = Figure(figsize=(8.3, 4.65), layout="constrained")
    for ax, name in zip(fig.subplots(1, 2, sharex=True), models, strict=True):
        normal, unusual = errors(models[name], X_test), errors(models[name], mirrored(X_test))
        bins = np.linspace(0, unusual.max().item(), 25)
        ax.hist(normal, bins, color=COLOURS[name], label="test digits")
        ax.hist(unusual, bins, histtype="step", color="#b15300", lw=3, label="mirrored")
        ax.axvline(flags["threshold"][name], color="black", ls="--", lw=2, label="threshold")
        flagged = f"flags {flags['recall'][name]:.0%} of the mirrored digits"
        ax.set_title(f"{name}: ROC AUC {flags['roc_auc'][name]:.2f}\n{flagged}")
        ax.set(xlabel="rebuild error of one digit", ylabel="number of digits")
        ax.legend()
    fig.suptitle("Flag unusual digits by their rebuild error: the test digits, then mirrored")
    return fig


def add_noise(X, sigma, generator=None):  # Gaussian noise, clipped so pixels stay in [0, 1]
    return (X + sigma * torch.randn(X.shape, generator=generator)).clamp(0, 1)


class DenoisingAutoencoder(Autoencoder):  # fed noisy digits while it learns; its target: clean
    def __init__(self, latent_dim, sigma):
        super().__init__(latent_dim)
        self.sigma = sigma

    def forward(self, x):
        if self.training:  # noise while it learns; measured, it rebuilds what it is given
            x = add_noise(x, self.sigma)
        return super().forward(x)


def rebuild_noisy(models, X_test, sigma, seed):  # noisy digits, and rebuilds: MSE from clean
    noisy = add_noise(X_test, sigma, torch.Generator().manual_seed(seed))  # the same each run
    results = {"noisy input": mse(X_test, noisy)}
    for name, model in models.items():
        results[name] = mse(X_test, model(noisy))
    return results


# ==== Where does it fail? MSE prefers blur. (Without a bottleneck: going further.) ================
def sharp_and_blurred(X_train, X):  # each digit moved one pixel right; the average digit
    moved = nn.functional.pad(X.reshape(-1, 8, 8)[:, :, :-1], (1, 0)).flatten(1)
    return {"moved one pixel": moved, "the average digit": X_train.mean(dim=0).expand_as(X)}


# ==== Going further (--sweep): how small can the code be? Where must the ReLUs sit? ===============
def train_halves(latent_dim, encoder, decoder, data, seed, recipe):  # each: "ReLU" or "linear"
    torch.manual_seed(seed)  # the ReLU stacks first, so they start as the lesson's model's do
    relu = Autoencoder(latent_dim)  # all ReLU: the lesson's model, as --latent-dim K trains it
    encoder = relu.encoder if encoder == "ReLU" else nn.Linear(64, latent_dim)
    decoder = relu.decoder if decoder == "ReLU" else nn.Linear(latent_dim, 64)
    model = autoencoder_of(encoder, decoder)
    train(model, data.X_train, data.X_val, **recipe)
    return model


def run_sweep(data, trained, seed, recipe):
    """Each code size; where the ReLUs sit, at K=2; K=64, linear. `trained`: by (K, halves)."""
    print("Going further: training and measuring the sweep's models")
    specs = [(k, "ReLU", "ReLU") for k in CODE_SIZES] + [(64, "linear", "linear")]
    specs += [(2, "linear", "linear"), (2, "linear", "ReLU"), (2, "ReLU", "linear")]
    rows, unusual = [], mirrored(data.X_test)
    for spec in specs:
        k, encoder, decoder = spec
        if spec not in trained:
            trained[spec] = train_halves(k, encoder, decoder, data, seed, recipe)
        models = {"PCA": pca_autoencoder(data.X_train, k), "autoencoder": trained[spec]}
        row = {"latent_dim": k, "encoder": encoder, "decoder": decoder} | measure(models, data)
        row["mirrored_digits"] = flag_unusual(models, data.X_val, data.X_test, unusual)
        rows.append(row)
        show(f"  K={k}, {encoder} encoder, {decoder} decoder, test MSE", row["test_mse"], ".4f")
    return rows


def plot_ladders(trained, X_train, X):  # ten test digits rebuilt from K numbers, each K
    blank = torch.full_like(X[:1], np.nan)
    rows = [torch.cat([X, blank, X])]
    for k in CODE_SIZES:
        pca, autoencoder = pca_autoencoder(X_train, k), trained[k, "ReLU", "ReLU"]
        rows.append(torch.cat([pca(X), blank, autoencoder(X)]))
    title = f"{len(X)} test digits rebuilt from K numbers: by PCA (left), the autoencoder (right)"
    return plot_digits(rows, title, ["original"] + [f"K={k}" for k in CODE_SIZES])


# ==== The lesson, step by step ====================================================================
def parse_args(argv):
    parser = argparse.ArgumentParser(description="The vanilla autoencoder against PCA.")
    parser.add_argument("--latent-dim", type=int, choices=range(1, 65), default=2, metavar="K")
    parser.add_argument("--epochs", type=int, default=100, help="passes over the train digits")
    parser.add_argument("--batch-size", type=int, default=64, help="digits per gradient step")
    parser.add_argument("--lr", type=float, default=0.003, help="Adam's learning rate")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the batches")
    parser.add_argument("--noise", type=float, default=0, metavar="SIGMA", help="learn to denoise")
    leave_out = "train without this digit, then flag it as unusual"
    parser.add_argument("--leave-out", type=int, choices=range(10), metavar="DIGIT", help=leave_out)
    parser.add_argument("--out", type=Path, default=ASSETS, help="folder for the files")
    parser.add_argument("--sweep", action="store_true", help="also run going further's experiments")
    args = parser.parse_args(argv)
    if min(args.epochs, args.batch_size) < 1 or min(args.seed, args.noise) < 0 or not args.lr > 0:
        parser.error("--epochs, --batch-size: at least 1; --seed, --noise: at least 0; --lr: > 0")
    return args


def show(what, results, form):  # one printed line: each model's number
    print(f"{what}:", ", ".join(f"{name} {format(value, form)}" for name, value in results.items()))


def report(metrics):  # the main numbers; the JSON holds them all
    show("Validation MSE, to compare settings", metrics["validation_mse"], ".4f")
    show("Test MSE", metrics["test_mse"], ".4f")
    show("5-NN digit accuracy", metrics["knn_accuracy"], ".1%")
    for unusual in ("mirrored_digits", "left_out_digit"):
        if unusual in metrics:
            show(f"Flagging {unusual}, ROC AUC", metrics[unusual]["roc_auc"], ".2f")
    show("Noisy test digits, MSE from the clean ones", metrics["denoising_mse"], ".4f")


def save(out, figures, files):  # written once all the work has succeeded
    out.mkdir(parents=True, exist_ok=True)
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=150)
    for name, content in files.items():
        (out / name).write_text(json.dumps(content, indent=2) + "\n")
    print(f"Wrote {', '.join([*figures, *files])} to {out}")


@torch.no_grad()  # measuring and drawing need no gradients; train() turns them on for itself
def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(1)  # more: a little faster on an idle CPU, far slower on a busy one
    k, data = args.latent_dim, load_data(args.leave_out)
    recipe = {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr}
    print(f"Training the autoencoder, K={k}, on {len(data.X_train)} digits")
    started = time.perf_counter()  # the time is printed, not saved: it varies from run to run
    torch.manual_seed(args.seed)  # the same seed: the same first weights, the same batches
    model = DenoisingAutoencoder(k, args.noise) if args.noise else Autoencoder(k)
    history = train(model, data.X_train, data.X_val, **recipe)
    print(f"  {args.epochs} epochs in {time.perf_counter() - started:.1f} s")
    models = {"PCA": pca_autoencoder(data.X_train, k), "autoencoder": model}  # PCA first, always
    settings = {name: value for name, value in vars(args).items() if name not in ("out", "sweep")}
    metrics = settings | measure(models, data)
    ten = data.X_test[[np.flatnonzero(data.y_test == d)[0] for d in np.unique(data.y_test)]]
    figures = {
        "pytorch_flat_and_bent.png": plot_flat_and_bent(*fit_the_arc(args.seed, recipe)),
        "pytorch_reconstruction.png": plot_rebuilds(models, ten, metrics),
        "pytorch_latent_space.png": plot_codes(models, data, metrics),
        "pytorch_latent_manifold.png": plot_decoders(models, data.X_train),
        "pytorch_training_curve.png": plot_training(history, metrics),
    }
    unusual = mirrored(data.X_test)  # What is it for? Flagging the unusual; removing noise
    metrics["mirrored_digits"] = flag_unusual(models, data.X_val, data.X_test, unusual)
    if args.leave_out is not None:  # the test digits of a digit never seen, against the others
        metrics["left_out_digit"] = flag_unusual(models, data.X_val, data.X_test, data.X_unseen)
    metrics["denoising_mse"] = rebuild_noisy(models, data.X_test, args.noise or 0.3, args.seed)
    figures["pytorch_unusual.png"] = plot_unusual(models, data.X_test, metrics["mirrored_digits"])
    blurs = sharp_and_blurred(data.X_train, data.X_test)  # Where does it fail?
    metrics["blur_mse"] = {name: mse(data.X_test, images) for name, images in blurs.items()}
    report(metrics)
    files = {"pytorch_metrics.json": metrics}
    if args.sweep:  # Going further
        trained = {} if args.noise else {(k, "ReLU", "ReLU"): model}  # a denoiser is not reused
        rows = run_sweep(data, trained, args.seed, recipe)
        files["pytorch_sweep.json"] = settings | {"models": rows}
        figures["pytorch_ladders.png"] = plot_ladders(trained, data.X_train, ten)
    save(args.out, figures, files)


if __name__ == "__main__":
    main()
