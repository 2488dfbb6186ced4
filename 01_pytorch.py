"""The vanilla autoencoder in PyTorch: two small ReLU networks, against PCA at the same code size.

It trains one on the 8x8 digits, and one on 2-D points to draw the idea; --sweep goes further.

    python 01_pytorch.py                                # K=2, into assets/ (the README's)
    python 01_pytorch.py --latent-dim 8 --out /tmp/k8   # any other setting: write elsewhere
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from sklearn.datasets import load_digits, make_moons
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from torch import nn, optim

ASSETS = Path(__file__).parent / "assets"  # the README's pictures and numbers
COLOURS = {"PCA": "black", "autoencoder": "#1e74b0"}  # in every figure, PCA first
DIGIT_COLOURS = ["#1e74b0", "#b15300", "#238023", "#d62728", "#8a59b7"]  # tab10, darkened
DIGIT_COLOURS += ["#8c564b", "#c62996", "#6d6d6d", "#6f6f14", "#0f7b86"]  # for a projector


def load_data():
    """The 8x8 digits, pixels in [0, 1], split 80/20 exactly as 00_scratch.py splits them."""
    X, y = load_digits(return_X_y=True)
    X = torch.from_numpy(X / 16.0).float()  # float32: what PyTorch computes in
    return train_test_split(X, y, test_size=0.2, random_state=42)


class Autoencoder(nn.Module):
    """The vanilla autoencoder: a small ReLU network as encoder; the decoder mirrors its widths."""

    def __init__(self, latent_dim, n_inputs=64, relu_encoder=True, relu_decoder=True):
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
        if not relu_encoder:  # going further (b): a linear half is one linear layer
            self.encoder = nn.Linear(n_inputs, latent_dim)
        if not relu_decoder:
            self.decoder = nn.Linear(latent_dim, n_inputs)

    def forward(self, x):
        return self.decoder(self.encoder(x))


def pca_autoencoder(X_train, latent_dim):
    """PCA as a linear autoencoder: its directions, found by scikit-learn, in two linear layers."""
    pca = PCA(n_components=latent_dim).fit(X_train)
    model = Autoencoder(latent_dim, X_train.shape[1], relu_encoder=False, relu_decoder=False)
    directions = torch.from_numpy(pca.components_)  # K x 64, one direction a row
    mean = torch.from_numpy(pca.mean_)  # the average train digit
    with torch.no_grad():
        model.encoder.weight.copy_(directions)  # z = V (x - mean)
        model.encoder.bias.copy_(-directions @ mean)
        model.decoder.weight.copy_(directions.T)  # x_hat = mean + V^T z
        model.decoder.bias.copy_(mean)
    return model


def train(latent_dim, X_train, X_test, args, relu_encoder=True, relu_decoder=True):
    """Train a new model on shuffled minibatches; return it and its train and test MSE by epoch."""
    torch.manual_seed(args.seed)  # the same seed: the same initial weights, the same batches
    model = Autoencoder(latent_dim, X_train.shape[1], relu_encoder, relu_decoder)
    optimizer = optim.Adam(model.parameters(), lr=args.lr, fused=True)  # fused: a faster step
    history = {"train": [], "test": []}
    for epoch in range(1, args.epochs + 1):
        losses = []
        for batch in X_train[torch.randperm(len(X_train))].split(args.batch_size):
            loss = nn.functional.mse_loss(model(batch), batch)  # the input is its own target
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history["train"].append(np.mean(losses))  # the batches' mean, while the model learnt
        with torch.no_grad():  # measured only: the test digits never train the model
            history["test"].append(nn.functional.mse_loss(model(X_test), X_test).item())
        if not np.isfinite(history["train"][-1] + history["test"][-1]):
            sys.exit(f"01_pytorch.py: loss NaN or infinite in epoch {epoch}; try a lower --lr")
    return model, history


@torch.no_grad()
def evaluate(models, data):
    """Each model's train and test MSE, and 5-NN accuracy in its code (raw pixels: a reference)."""
    X_train, X_test, y_train, y_test = data
    metrics = {"train_mse": {}, "test_mse": {}, "knn_accuracy": {}}
    spaces = {}
    for name, model in models.items():
        metrics["train_mse"][name] = nn.functional.mse_loss(model(X_train), X_train).item()
        metrics["test_mse"][name] = nn.functional.mse_loss(model(X_test), X_test).item()
        spaces[name] = (model.encoder(X_train), model.encoder(X_test))
    spaces["raw pixels"] = (X_train, X_test)
    for name, (train_codes, test_codes) in spaces.items():
        # 5-NN: a test digit gets the label most common among its 5 nearest train digits
        classifier = KNeighborsClassifier(n_neighbors=5).fit(train_codes, y_train)
        metrics["knn_accuracy"][name] = classifier.score(test_codes, y_test)
    return metrics


def image_mosaic(rows):
    """Rows of 8x8 images as one array, blank (NaN) between tiles; tile i is centred at 3.5 + 9i."""
    mosaic = np.full((9 * len(rows) - 1, 9 * len(rows[0]) - 1), np.nan)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            mosaic[9 * i : 9 * i + 8, 9 * j : 9 * j + 8] = image.reshape(8, 8)
    return mosaic


def plot_flat_and_bent(args):
    """Points on an arc, each squeezed into 1 number and rebuilt, by PCA and by an autoencoder."""
    X, upper = make_moons(n_samples=128, noise=0.05, random_state=args.seed)
    X = torch.from_numpy(X[upper == 0]).float()  # 64 points near a half circle: 1 batch
    model, _ = train(1, X, X, args)  # the same autoencoder and training; X twice: no test points
    models = {"PCA": pca_autoencoder(X, 1), "autoencoder": model}
    fig = Figure(figsize=(8.3, 3.4), layout="constrained")
    for ax, (name, model) in zip(fig.subplots(1, 2), models.items(), strict=True):
        fit = model(X).detach()
        shape = "straight" if name == "PCA" else "bent"
        ax.add_collection(LineCollection(np.stack([X, fit], axis=1), color=COLOURS[name], lw=1.5))
        ax.plot(*fit[fit[:, 0].argsort()].T, color=COLOURS[name], lw=3)  # left to right
        ax.scatter(*X.T, s=25, color="black", zorder=3)
        mse = nn.functional.mse_loss(fit, X)
        ax.set(title=f"{name}: a {shape} line, MSE {mse:.4f}", xlabel="x1", ylabel="x2")
        ax.axis("equal")  # circles look round, so each error line is drawn at its true length
    fig.suptitle("64 points, each squeezed into 1 number and rebuilt; thin lines: the errors")
    return fig


@torch.no_grad()
def plot_reconstructions(models, X_test, y_test, metrics):
    X = X_test[[np.flatnonzero(y_test == digit)[0] for digit in range(10)]]
    rows = [X] + [model(X) for model in models.values()]
    labels = ["original"] + [f"{name}\ntest MSE {metrics['test_mse'][name]:.4f}" for name in models]
    fig = Figure(figsize=(8.3, 3.2), layout="compressed")
    ax = fig.subplots()
    ax.imshow(image_mosaic(rows), cmap="gray_r", vmin=0, vmax=1)
    ax.set(xticks=[], yticks=3.5 + 9 * np.arange(3), yticklabels=labels)  # a label at each row
    ax.set_title(f"Ten test digits squeezed into {metrics['latent_dim']} numbers and rebuilt")
    return fig


@torch.no_grad()
def plot_codes(models, X_test, digits, metrics):
    fig = Figure(figsize=(8.3, 4.65), layout="constrained")
    for ax, (name, model) in zip(fig.subplots(1, 2), models.items(), strict=True):
        codes = model.encoder(X_test)
        for digit in range(10):  # each digit drawn as its numeral; colour is a second cue
            z = codes[digits == digit]
            y = z[:, 1] if codes.shape[1] > 1 else np.full(len(z), digit)  # K=1: a row a digit
            ax.scatter(z[:, 0], y, marker=f"${digit}$", color=DIGIT_COLOURS[digit], s=80, lw=0)
        ylabel = "z2, the second code number" if codes.shape[1] > 1 else "the digit (not a code)"
        ax.set(xlabel="z1, the first code number", ylabel=ylabel)
        ax.set_title(f"{name}'s code\n5-NN accuracy {metrics['knn_accuracy'][name]:.1%}")
    fig.suptitle(f"The {len(digits)} test digits at their codes (K={metrics['latent_dim']})")
    return fig


def plot_training(history, metrics):
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    epochs = range(1, len(history["test"]) + 1)
    colour = COLOURS["autoencoder"]
    ax.axhline(metrics["test_mse"]["PCA"], color=COLOURS["PCA"], lw=2, label="PCA, test digits")
    ax.plot(epochs, history["train"], "--", color=colour, lw=2, label="autoencoder, train digits")
    ax.plot(epochs, history["test"], color=colour, lw=3, label="autoencoder, test digits")
    ax.set(xlabel="epoch (one pass over the train digits)", ylabel="MSE", ylim=(0, None))
    ax.set(title="Training the autoencoder: its error, epoch by epoch")
    ax.legend()
    return fig


@torch.no_grad()
def plot_decoders(models, X_test, steps=9):
    """Each decoder's images of a grid of codes across the test codes (past z2: at their mean)."""
    fig = Figure(figsize=(8.3, 4.65), layout="compressed")
    for ax, (name, model) in zip(fig.subplots(1, 2), models.items(), strict=True):
        codes = model.encoder(X_test)
        low, high = np.percentile(codes, [2, 98], axis=0)
        grid = codes.mean(dim=0).repeat(steps if codes.shape[1] > 1 else 1, steps, 1)
        grid[:, :, 0] = torch.linspace(low[0], high[0], steps)
        if codes.shape[1] > 1:  # at K=1, a single row
            grid[:, :, 1] = torch.linspace(high[1], low[1], steps)[:, None]  # the top row first
        ax.imshow(image_mosaic(model.decoder(grid)), cmap="gray_r", vmin=0, vmax=1)
        shape = "a flat plane" if name == "PCA" else "a bent sheet"
        ax.set(title=f"{name}'s decoder: {shape}", xticks=[], yticks=[])
        ax.set(xlabel="z1, the first code number →", ylabel="z2, the second code number →")
    fig.suptitle("What each decoder draws from a grid of codes, as z1 and z2 vary")
    return fig


def run_sweep(data, args, trained):
    """K from 1 to 32; at K=2, ReLU or linear halves. `trained`: the models trained already."""
    code_sizes = [(k, True, True) for k in (1, 2, 4, 8, 16, 32)]
    placements = [(2, False, False), (2, True, False), (2, False, True), (2, True, True)]
    results = {"code_sizes": [], "placements": []}
    for experiment, models in [("code_sizes", code_sizes), ("placements", placements)]:
        for k, relu_encoder, relu_decoder in models:
            key = (k, relu_encoder, relu_decoder)
            if key not in trained:
                trained[key], _ = train(k, *data[:2], args, relu_encoder, relu_decoder)
            row = {"latent_dim": k, "encoder": "ReLU" if relu_encoder else "linear"}
            row["decoder"] = "ReLU" if relu_decoder else "linear"
            row |= evaluate({"PCA": pca_autoencoder(data[0], k), "autoencoder": trained[key]}, data)
            results[experiment].append(row)
            print(f"  K={k}, {row['encoder']} encoder, {row['decoder']} decoder: trained")
    return results


def plot_code_sizes(rows):
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    sizes = [row["latent_dim"] for row in rows]
    for name, colour in COLOURS.items():
        test = [row["test_mse"][name] for row in rows]
        train = [row["train_mse"][name] for row in rows]
        ax.plot(sizes, test, "-o", color=colour, lw=3, ms=8, label=f"{name}, test digits")
        rings = dict(ms=14, mfc="none", mew=2)  # seen around the dots where the two lines meet
        ax.plot(sizes, train, "--s", color=colour, lw=2, **rings, label=f"{name}, train digits")
    ax.set(xscale="log", yscale="log", xlabel="code size K", ylabel="MSE (log scale)")
    ax.set_xticks(sizes, [str(k) for k in sizes])
    ticks = [0.002, 0.005, 0.01, 0.02, 0.05]  # labelled 0.01, not 10^-2
    ax.set(title="How small can the code be?", yticks=ticks, yticklabels=ticks)
    ax.minorticks_off()
    ax.legend(loc="lower left")
    return fig


def plot_placements(rows):
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    labels = [f"{row['encoder']} encoder,\n{row['decoder']} decoder" for row in rows]
    ax.bar(labels, [row["train_mse"]["autoencoder"] for row in rows], color=COLOURS["autoencoder"])
    ax.axhline(rows[0]["train_mse"]["PCA"], color=COLOURS["PCA"], lw=3, label="PCA")
    ax.set(ylabel="train MSE at K=2", title="Where must the non-linearity sit?")
    ax.legend()
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description="The vanilla autoencoder against PCA.")
    k_help = "code size, 1 to 64: the pictures draw the first two code numbers"
    parser.add_argument(
        "--latent-dim", type=int, choices=range(1, 65), default=2, metavar="K", help=k_help
    )
    parser.add_argument("--epochs", type=int, default=100, help="passes over the train digits")
    parser.add_argument("--batch-size", type=int, default=64, help="digits per gradient step")
    parser.add_argument("--lr", type=float, default=0.003, help="Adam's learning rate")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the batches")
    parser.add_argument("--out", type=Path, default=ASSETS, help="folder for the files")
    parser.add_argument("--sweep", action="store_true", help="also run going further's experiments")
    args = parser.parse_args(argv)
    if min(args.epochs, args.batch_size) < 1 or args.seed < 0 or not args.lr > 0:
        parser.error("--epochs, --batch-size: at least 1; --seed: at least 0; --lr: above 0")
    torch.set_num_threads(1)  # more: a little faster on an idle CPU, far slower on a busy one
    data = load_data()
    X_train, X_test, _, y_test = data
    k = args.latent_dim
    print(f"Training the autoencoder, K={k}, on {len(X_train)} digits; testing on {len(X_test)}")
    settings = {name: getattr(args, name) for name in ("seed", "epochs", "batch_size", "lr")}
    metrics = {"latent_dim": k, **settings}
    started = time.perf_counter()
    model, history = train(k, X_train, X_test, args)
    metrics["train_seconds"] = round(time.perf_counter() - started, 2)
    metrics["parameters"] = sum(weights.numel() for weights in model.parameters())
    models = {"PCA": pca_autoencoder(X_train, k), "autoencoder": model}  # PCA first, always
    metrics |= evaluate(models, data)
    ae, pca = metrics["test_mse"]["autoencoder"], metrics["test_mse"]["PCA"]
    print(f"Test MSE: autoencoder {ae:.4f}, PCA {pca:.4f}: {ae / pca:.2f} times PCA's")
    knn = metrics["knn_accuracy"].items()
    print("5-NN digit accuracy:", ", ".join(f"{name} {value:.1%}" for name, value in knn))
    figures = {
        "pytorch_flat_and_bent.png": plot_flat_and_bent(args),
        "pytorch_reconstruction.png": plot_reconstructions(models, X_test, y_test, metrics),
        "pytorch_latent_space.png": plot_codes(models, X_test, y_test, metrics),
        "pytorch_training_curve.png": plot_training(history, metrics),
        "pytorch_latent_manifold.png": plot_decoders(models, X_test),
    }
    files = {"pytorch_metrics.json": metrics}
    if args.sweep:
        print("\nGoing further:")
        results = run_sweep(data, args, trained={(k, True, True): model})
        figures["pytorch_code_sizes.png"] = plot_code_sizes(results["code_sizes"])
        figures["pytorch_placements.png"] = plot_placements(results["placements"])
        files["pytorch_sweep.json"] = settings | results
    args.out.mkdir(parents=True, exist_ok=True)
    for name, fig in figures.items():
        fig.savefig(args.out / name, dpi=150)
    for name, content in files.items():
        (args.out / name).write_text(json.dumps(content, indent=2) + "\n")
    print(f"Wrote {', '.join([*figures, *files])} to {args.out}")


if __name__ == "__main__":
    main()
