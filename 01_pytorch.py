"""The vanilla autoencoder in PyTorch: two small ReLU networks, against PCA at the same code size.

It trains one on the 8x8 digits, and one on 2-D points to draw the idea; then shows what it is for
and where it fails. --sweep goes further.

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
from sklearn.metrics import precision_score, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from torch import nn, optim

ASSETS = Path(__file__).parent / "assets"  # the README's pictures and numbers
COLOURS = {"PCA": "black", "autoencoder": "#1e74b0"}  # in every figure, PCA first
DIGIT_COLOURS = ["#1e74b0", "#b15300", "#238023", "#d62728", "#8a59b7"]  # tab10, darkened
DIGIT_COLOURS += ["#8c564b", "#c62996", "#6d6d6d", "#6f6f14", "#0f7b86"]  # for a projector
CODE_SIZES = (1, 2, 4, 8, 16, 32, 64)  # --sweep's


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
        if not relu_encoder:  # going further: a linear half is one linear layer
            self.encoder = nn.Linear(n_inputs, latent_dim)
        if not relu_decoder:
            self.decoder = nn.Linear(latent_dim, n_inputs)

    def forward(self, x):
        return self.decoder(self.encoder(x))


def pca_autoencoder(X_train, latent_dim):
    """PCA as a linear autoencoder: its directions, found by scikit-learn, in two linear layers."""
    pca = PCA(n_components=latent_dim).fit(X_train)
    model = Autoencoder(latent_dim, X_train.shape[1], relu_encoder=False, relu_decoder=False)
    directions, mean = torch.from_numpy(pca.components_), torch.from_numpy(pca.mean_)
    with torch.no_grad():
        model.encoder.weight.copy_(directions)  # z = V (x - mean), V: K x 64, a direction a row
        model.encoder.bias.copy_(-directions @ mean)
        model.decoder.weight.copy_(directions.T)  # x_hat = mean + V^T z
        model.decoder.bias.copy_(mean)  # mean: the average train digit
    return model


def train(latent_dim, X_train, X_test, args, relu_encoder=True, relu_decoder=True, noise=0):
    """Train a model (a denoiser if noise > 0); return it and its train and test MSE by epoch."""
    torch.manual_seed(args.seed)  # the same seed: the same initial weights, the same batches
    model = Autoencoder(latent_dim, X_train.shape[1], relu_encoder, relu_decoder)
    optimizer = optim.Adam(model.parameters(), lr=args.lr, fused=True)  # fused: a faster step
    history = {"train": [], "test": []}
    for epoch in range(1, args.epochs + 1):
        losses = []
        for batch in X_train[torch.randperm(len(X_train))].split(args.batch_size):
            inputs = (batch + noise * torch.randn_like(batch)).clamp(0, 1) if noise else batch
            loss = nn.functional.mse_loss(model(inputs), batch)  # the clean digit is the target
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history["train"].append(np.mean(losses))  # the batches' mean, while the model learnt
        with torch.no_grad():  # measured only: the test digits never train the model
            history["test"].append(mse(X_test, model(X_test)))
        if not np.isfinite(history["train"][-1] + history["test"][-1]):
            sys.exit(f"01_pytorch.py: loss NaN or infinite in epoch {epoch}; try a lower --lr")
    return model, history


@torch.no_grad()  # measured only: no gradients needed
def evaluate(models, data, args):
    """Each model's MSE; 5-NN accuracy in its code; how well its rebuild error flags the unusual."""
    X_train, X_test, y_train, y_test = data
    metrics = {"train_mse": {}, "test_mse": {}, "knn_accuracy": {}}
    spaces = {}  # each model's codes, then the raw pixels as a reference: 64 numbers, not K
    for name, model in models.items():
        metrics["train_mse"][name] = mse(X_train, model(X_train))
        metrics["test_mse"][name] = mse(X_test, model(X_test))
        spaces[name] = (model.encoder(X_train), model.encoder(X_test))
    for name, (train_codes, test_codes) in (spaces | {"raw pixels": (X_train, X_test)}).items():
        # 5-NN: a test digit gets the label most common among its 5 nearest train digits
        classifier = KNeighborsClassifier(n_neighbors=5).fit(train_codes, y_train)
        metrics["knn_accuracy"][name] = classifier.score(test_codes, y_test)
    metrics["mirrored_digits"] = flag_unusual(models, X_train, X_test, changed(X_test, "mirrored"))
    if args.leave_out is not None:  # the left-out digit, against the other test digits
        others, left_out = X_test[y_test != args.leave_out], X_test[y_test == args.leave_out]
        metrics["left_out_digit"] = flag_unusual(models, X_train, others, left_out)
    rng = torch.Generator().manual_seed(args.seed)  # the same noise every run, at --noise or 0.3
    noisy = (X_test + (args.noise or 0.3) * torch.randn(X_test.shape, generator=rng)).clamp(0, 1)
    metrics["denoising_mse"] = {"noisy input": mse(X_test, noisy)}
    metrics["denoising_mse"] |= {name: mse(X_test, model(noisy)) for name, model in models.items()}
    return metrics


def flag_unusual(models, X_train, normal, unusual):
    """How well each model's rebuild error tells the unusual digits from the normal ones."""
    truth = np.r_[np.zeros(len(normal)), np.ones(len(unusual))]  # 1: unusual
    results = {"roc_auc": {}, "threshold": {}, "precision": {}, "recall": {}, "false_alarms": {}}
    for name, model in models.items():
        scores = errors(model, torch.cat([normal, unusual]))
        threshold = errors(model, X_train).quantile(0.95).item()  # 1 train digit in 20 is above
        results["roc_auc"][name] = roc_auc_score(truth, scores)
        results["threshold"][name] = threshold
        results["precision"][name] = precision_score(truth, scores > threshold)  # flagged: unusual?
        results["recall"][name] = recall_score(truth, scores > threshold)  # unusual: flagged?
        results["false_alarms"][name] = (scores[: len(normal)] > threshold).float().mean().item()
    return results


def errors(model, X):  # each digit's rebuild error: its squared error, averaged over 64 pixels
    return ((model(X) - X) ** 2).mean(dim=1)


def mse(X, X_hat):  # the mean over digits and all 64 pixels of the squared error
    return nn.functional.mse_loss(X_hat, X).item()


def changed(X, how):  # each 8x8 digit "mirrored" left to right, or "moved" one pixel right
    images = X.reshape(-1, 8, 8)
    if how == "mirrored":
        return images.flip(2).flatten(1)
    return nn.functional.pad(images[:, :, :-1], (1, 0)).flatten(1)  # a blank column on the left


def image_mosaic(rows):
    """Rows of 8x8 images as one array, blank (NaN) between tiles; tile i is centred at 3.5 + 9i."""
    mosaic = np.full((9 * len(rows) - 1, 9 * len(rows[0]) - 1), np.nan)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            mosaic[9 * i : 9 * i + 8, 9 * j : 9 * j + 8] = image.reshape(8, 8)
    return mosaic


def plot_flat_and_bent(models, X):
    fig = Figure(figsize=(8.3, 3.4), layout="constrained")
    for ax, (name, model) in zip(fig.subplots(1, 2), models.items(), strict=True):
        fit = model(X)
        ax.add_collection(LineCollection(np.stack([X, fit], axis=1), color=COLOURS[name], lw=1.5))
        ax.plot(*fit[fit[:, 0].argsort()].T, color=COLOURS[name], lw=3)  # left to right
        ax.scatter(*X.T, s=25, color="black", zorder=3)
        ax.set(title=f"{name}: MSE {mse(X, fit):.4f}", xlabel="x1", ylabel="x2")
        ax.axis("equal")  # circles look round, so each error line is drawn at its true length
    fig.suptitle("64 points, each squeezed into 1 number and rebuilt on a straight or a bent line")
    return fig


def plot_digits(rows, title, labels=()):  # rows of digits as one picture, a label at each row
    fig = Figure(figsize=(8.3, min(4.65, 0.6 + 0.75 * len(rows))), layout="compressed")
    ax = fig.subplots()
    ax.imshow(image_mosaic(rows), cmap="gray_r", vmin=0, vmax=1)
    ax.set(xticks=[], yticks=3.5 + 9 * np.arange(len(labels)), yticklabels=labels, title=title)
    return fig


def plot_rebuilds(models, X_train, X_test, y_test, metrics):
    """Ten test digits rebuilt; then MSE's taste: a digit moved one pixel, or the average digit."""
    X = X_test[[np.flatnonzero(y_test == digit)[0] for digit in range(10)]]
    rebuilt = [model(X) for model in models.values()]
    labels = [f"{name}\ntest MSE {value:.4f}" for name, value in metrics["test_mse"].items()]
    title = f"Ten test digits squeezed into {metrics['latent_dim']} numbers and rebuilt"
    rows = [X, changed(X, "moved"), X_train.mean(dim=0).expand_as(X), *rebuilt]
    mses = metrics["blur_mse"] | {f"{name}'s rebuild": metrics["test_mse"][name] for name in models}
    scored = ["original", *(f"{name}\nMSE {value:.3f}" for name, value in mses.items())]
    fig = plot_digits([X, *rebuilt], title, ["original", *labels])
    return fig, plot_digits(rows, "MSE prefers blur: each row's MSE from the originals", scored)


def plot_search(models, X_train, X_test, queries=4):
    rows = [X_test[:queries, None]]  # each query, a blank, its 5 nearest in PCA's code, ...
    for model in models.values():
        distances = torch.cdist(model.encoder(X_test[:queries]), model.encoder(X_train))
        rows += [torch.full_like(rows[0], np.nan), X_train[distances.topk(5, largest=False)[1]]]
    title = "Search: a test digit, then the 5 train digits with the nearest codes,\n"
    title += "in PCA's code (middle) and in the autoencoder's (right)"
    return plot_digits(torch.cat(rows, dim=1), title)


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
    ax.axhline(metrics["test_mse"]["PCA"], color=COLOURS["PCA"], lw=2, label="PCA, test digits")
    for split, style in [("train", "--"), ("test", "-")]:
        epochs = range(1, len(history[split]) + 1)
        label = f"autoencoder, {split} digits"
        ax.plot(epochs, history[split], style, color=COLOURS["autoencoder"], lw=3, label=label)
    ax.set(xlabel="epoch (one pass over the train digits)", ylabel="MSE", ylim=(0, None))
    ax.set(title="Training the autoencoder: its error, epoch by epoch")
    ax.legend()
    return fig


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
            ax.set_ylabel("z2, the second code number →")
        ax.imshow(image_mosaic(model.decoder(grid)), cmap="gray_r", vmin=0, vmax=1)
        ax.set(title=f"{name}'s decoder", xlabel="z1, the first code number →", xticks=[])
        ax.set_yticks([])
    fig.suptitle("What each decoder draws from a grid of codes: a flat plane, or a bent sheet")
    return fig


def plot_unusual(models, X_test, metrics):
    fig = Figure(figsize=(8.3, 4.65), layout="constrained")
    for ax, (name, model) in zip(fig.subplots(1, 2, sharex=True), models.items(), strict=True):
        normal, unusual = errors(model, X_test), errors(model, changed(X_test, "mirrored"))
        bins = np.linspace(0, unusual.max().item(), 25)
        ax.hist(normal, bins, color=COLOURS[name], label="test digits")
        ax.hist(unusual, bins, histtype="step", color="#b15300", lw=3, label="mirrored")
        flags = {measure: value[name] for measure, value in metrics["mirrored_digits"].items()}
        ax.axvline(flags["threshold"], color="black", ls="--", lw=2, label="threshold")
        recall = f"{flags['recall']:.0%} of the mirrored digits"
        ax.set_title(f"{name}: ROC AUC {flags['roc_auc']:.2f}\nflags {recall}")
        ax.set(xlabel="rebuild error of one digit", ylabel="number of digits")
        ax.legend()
    fig.suptitle("Flag unusual digits by their rebuild error: the test digits, then mirrored")
    return fig


def run_sweep(data, args, trained):
    """Each code size; at K=2, each half a ReLU stack or a linear layer. `trained`: done already."""
    experiments = {"code_sizes": [(k, True, True) for k in CODE_SIZES]}
    experiments["placements"] = [(2, enc, dec) for enc in (False, True) for dec in (False, True)]
    results = {name: [] for name in experiments}
    for name, models in experiments.items():
        for k, *relu in models:
            if (k, *relu) not in trained:
                trained[k, *relu], _ = train(k, *data[:2], args, *relu, noise=args.noise)
            halves = ["ReLU" if half else "linear" for half in relu]
            row = {"latent_dim": k, "encoder": halves[0], "decoder": halves[1]}
            pair = {"PCA": pca_autoencoder(data[0], k), "autoencoder": trained[k, *relu]}
            results[name].append(row | evaluate(pair, data, args))
    return results


def plot_code_sizes(rows):
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    for name, colour in COLOURS.items():
        test, train = ([row[f"{split}_mse"][name] for row in rows] for split in ("test", "train"))
        ax.plot(CODE_SIZES, test, "-o", c=colour, lw=3, ms=8, label=f"{name}, test")
        ax.plot(CODE_SIZES, train, "--s", c=colour, lw=2, ms=14, mfc="none", label=f"{name}, train")
    ax.set(xscale="log", yscale="log", xlabel="code size K", ylabel="MSE (log scale)")
    ax.set(xticks=CODE_SIZES, xticklabels=CODE_SIZES, ylim=(1e-3, 0.1))
    ax.yaxis.set_major_formatter("{x:g}")  # 0.01, not 10^-2
    ax.set_title("How small can the code be?")
    ax.legend(loc="lower left")
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description="The vanilla autoencoder against PCA.")
    parser.add_argument(
        "--latent-dim", type=int, choices=range(1, 65), default=2, metavar="K", help="1 to 64"
    )
    parser.add_argument("--epochs", type=int, default=100, help="passes over the train digits")
    parser.add_argument("--batch-size", type=int, default=64, help="digits per gradient step")
    parser.add_argument("--lr", type=float, default=0.003, help="Adam's learning rate")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the batches")
    parser.add_argument("--noise", type=float, default=0, metavar="SIGMA", help="learn to denoise")
    parser.add_argument("--leave-out", type=int, choices=range(10), metavar="DIGIT")
    parser.add_argument("--out", type=Path, default=ASSETS, help="folder for the files")
    parser.add_argument("--sweep", action="store_true", help="also run going further's experiments")
    args = parser.parse_args(argv)
    if min(args.epochs, args.batch_size) < 1 or min(args.seed, args.noise) < 0 or not args.lr > 0:
        parser.error("--epochs, --batch-size: at least 1; --seed, --noise: at least 0; --lr: > 0")
    torch.set_num_threads(1)  # more: a little faster on an idle CPU, far slower on a busy one
    X_train, X_test, y_train, y_test = load_data()
    if args.leave_out is not None:  # train without that digit: is it unusual then?
        X_train, y_train = X_train[y_train != args.leave_out], y_train[y_train != args.leave_out]
    data = X_train, X_test, y_train, y_test
    k = args.latent_dim
    print(f"Training the autoencoder, K={k}, on {len(X_train)} digits; testing on {len(X_test)}")
    settings = {name: value for name, value in vars(args).items() if name not in ("out", "sweep")}
    started = time.perf_counter()
    model, history = train(k, X_train, X_test, args, noise=args.noise)
    metrics = settings | {"train_seconds": round(time.perf_counter() - started, 2)}
    models = {"PCA": pca_autoencoder(X_train, k), "autoencoder": model}  # PCA first, always
    metrics |= evaluate(models, data, args)
    metrics["blur_mse"] = {"moved one pixel": mse(X_test, changed(X_test, "moved"))}
    metrics["blur_mse"]["the average digit"] = mse(X_test, X_train.mean(dim=0).expand_as(X_test))
    ae, pca = metrics["test_mse"]["autoencoder"], metrics["test_mse"]["PCA"]
    print(f"Test MSE: autoencoder {ae:.4f}, PCA {pca:.4f}: {ae / pca:.2f} times PCA's")
    show("5-NN digit accuracy", metrics["knn_accuracy"], ".1%")
    show("Flagging mirrored digits, ROC AUC", metrics["mirrored_digits"]["roc_auc"], ".2f")
    if args.leave_out is not None:
        show("Flagging the left-out digit, ROC AUC", metrics["left_out_digit"]["roc_auc"], ".2f")
    show("Noisy test digits: MSE from the clean ones", metrics["denoising_mse"], ".4f")
    points, moon = make_moons(n_samples=128, noise=0.05, random_state=args.seed)
    arc = torch.from_numpy(points[moon == 0]).float()  # 64 points near an arc, no test points:
    arc_models = {"PCA": pca_autoencoder(arc, 1), "autoencoder": train(1, arc, arc, args)[0]}
    with torch.no_grad():  # from here on the models are only drawn
        rebuilt, blurred = plot_rebuilds(models, X_train, X_test, y_test, metrics)
        figures = {
            "pytorch_flat_and_bent.png": plot_flat_and_bent(arc_models, arc),
            "pytorch_reconstruction.png": rebuilt,
            "pytorch_latent_space.png": plot_codes(models, X_test, y_test, metrics),
            "pytorch_training_curve.png": plot_training(history, metrics),
            "pytorch_latent_manifold.png": plot_decoders(models, X_test),
            "pytorch_search.png": plot_search(models, X_train, X_test),
            "pytorch_unusual.png": plot_unusual(models, X_test, metrics),
            "pytorch_blur.png": blurred,
        }
    files = {"pytorch_metrics.json": metrics}
    if args.sweep:
        print("Going further: training and measuring the sweep's models")
        results = run_sweep(data, args, trained={(k, True, True): model})
        figures["pytorch_code_sizes.png"] = plot_code_sizes(results["code_sizes"])
        files["pytorch_sweep.json"] = settings | results  # its latent_dim: the model above's
    args.out.mkdir(parents=True, exist_ok=True)
    for name, fig in figures.items():
        fig.savefig(args.out / name, dpi=150)
    for name, content in files.items():
        (args.out / name).write_text(json.dumps(content, indent=2) + "\n")
    print(f"Wrote {', '.join([*figures, *files])} to {args.out}")


def show(what, results, form):  # one printed line: each model's number
    print(f"{what}:", ", ".join(f"{name} {format(value, form)}" for name, value in results.items()))


if __name__ == "__main__":
    main()
