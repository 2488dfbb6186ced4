"""The vanilla autoencoder in PyTorch: ReLU layers beat PCA at small codes, and where they lose.

00_scratch.py showed that the best *linear* autoencoder is PCA. Here, as in the write-up, the
encoder and the decoder are small ReLU networks, nothing more:

    encoder: 64 pixels -> 256 -> 128 -> K numbers      (Linear, ReLU, Linear, ReLU, Linear)
    decoder: K numbers -> 128 -> 256 -> 64 pixels      (its mirror image)

so the code z = encoder(x) can bend along the curved set of digit images instead of flattening
it onto a plane. The script measures, on held-out digits, how much better than PCA it rebuilds
them and how well digits of the same class cluster in its code (5-nearest-neighbour accuracy).

The second act goes beyond the write-up. --sweep trains it at K = 1, 2, 4, 8, 16, 32 and finds
where, with the settings compared at K=2, it loses to PCA (at K=32). --linear-skip is the fix: each
half gets a linear map beside its ReLU network, x -> W x + b + network(x), started at PCA's
solution with the network's last layer at zero: the untrained model *is* 00_scratch.py's.

    python 01_pytorch.py                      # the vanilla autoencoder, K=2, into assets/
    python 01_pytorch.py --latent-dim 8 --out /tmp/k8    # other flags: write elsewhere
    python 01_pytorch.py --linear-skip --out /tmp/skip   # the second act's model
    python 01_pytorch.py --sweep              # both models at six code sizes, against PCA
    python 01_pytorch.py --validate --out /tmp/val       # how the settings are compared
"""

import argparse
import json
import math
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from torch import nn, optim

# EPOCHS, BATCH_SIZE and LR were compared with --validate (README): the test digits only report.
N_PIXELS = 64
HIDDEN = (256, 128)  # widths of the encoder's ReLU layers; the decoder mirrors them
EPOCHS = 100
BATCH_SIZE = 64
LR = 1e-2  # peak learning rate of the one-cycle schedule
WEIGHT_DECAY = 0.1  # AdamW's; like HIDDEN, not a flag: edit it and compare with --validate
SWEEP_LATENT_DIMS = (1, 2, 4, 8, 16, 32)
KNN_NEIGHBOURS = 5
COLOURS = {"PCA": "black", "vanilla": "C0", "linear-skip": "C1"}  # the same in every figure


# ----------------------------------------------------------------------------- data
def load_data(validate=False):
    """The 8x8 digits, pixels in [0, 1], split 80/20 exactly as 00_scratch.py splits them.

    validate=True (how the settings are compared): 20% of the train digits take the place of the
    test digits, which go unused: 1149 train / 288 validation. Below, either is X_test."""
    digits = load_digits()
    X, y = (digits.data / 16.0).astype(np.float32), digits.target  # float32: PyTorch's default
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    if validate:
        return train_test_split(X_train, y_train, test_size=0.2, random_state=0)
    return X_train, X_test, y_train, y_test


# ----------------------------------------------------------------------------- the model
class Autoencoder(nn.Module):
    """The vanilla autoencoder: two plain ReLU networks, the decoder a mirror of the encoder.

    No activation on either output: a code may be any number; the loss pulls pixels into [0, 1]."""

    def __init__(self, latent_dim):
        super().__init__()
        h1, h2 = HIDDEN
        self.encoder = nn.Sequential(
            nn.Linear(N_PIXELS, h1), nn.ReLU(),
            nn.Linear(h1, h2), nn.ReLU(),
            nn.Linear(h2, latent_dim),
        )  # fmt: skip
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, h2), nn.ReLU(),
            nn.Linear(h2, h1), nn.ReLU(),
            nn.Linear(h1, N_PIXELS),
        )  # fmt: skip

    def forward(self, x):
        return self.decoder(self.encoder(x))


# ----------------------------------------------------------------------------- training
@torch.no_grad()
def reconstruction_mse(model, X):
    """Mean over samples and all 64 pixels of the squared error."""
    return nn.functional.mse_loss(model(X), X).item()


def train(model, X_train, X_test, args, held_out=None):
    """AdamW on shuffled minibatches with a one-cycle schedule; returns the MSE of every epoch.

    The one-cycle schedule warms the learning rate up from lr/25 over the first 30% of the steps
    and then anneals it towards zero: large early steps, before Adam's averages mean anything,
    would throw the linear-skip model's PCA start away, and the slow end lets the weights settle.
    The train images are one tensor in memory already, so a shuffled index per epoch is all a
    DataLoader would add. Both MSEs are measured on the whole set at the end of each epoch, and
    printed every tenth epoch under the held-out set's name, if one is given.
    """
    # fused=True does the whole update in one kernel: faster than the default on a CPU too.
    optimizer = optim.AdamW(model.parameters(), args.lr, weight_decay=WEIGHT_DECAY, fused=True)
    total_steps = args.epochs * math.ceil(len(X_train) / args.batch_size)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, args.lr, total_steps=total_steps)
    shuffler = torch.Generator().manual_seed(args.seed)
    history = {"train_mse": [], "test_mse": []}
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(len(X_train), generator=shuffler).to(X_train.device)
        for batch in X_train[order].split(args.batch_size):
            loss = nn.functional.mse_loss(model(batch), batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        train_mse, test_mse = reconstruction_mse(model, X_train), reconstruction_mse(model, X_test)
        if not math.isfinite(train_mse):
            sys.exit(f"01_pytorch.py: error: the loss became {train_mse} in epoch {epoch}; try a"
                     f" smaller --lr (default {LR:g}). No files were written.")  # fmt: skip
        history["train_mse"].append(train_mse)
        history["test_mse"].append(test_mse)
        if held_out and (epoch % max(1, args.epochs // 10) == 0 or epoch == args.epochs):
            print(f"epoch {epoch:4d}/{args.epochs}  train MSE {train_mse:.4f},"
                  f" {held_out} {test_mse:.4f}")  # fmt: skip
    return history


def fit(model_name, latent_dim, pca, tensors, args, held_out=None):
    """Build the model (seeded), train it; returns (model, history, seconds of training)."""
    torch.manual_seed(args.seed)
    if model_name == "vanilla":
        model = Autoencoder(latent_dim).to(tensors[0].device)
    else:  # the second act (below): the untrained model is PCA
        model = linear_skip_autoencoder(latent_dim, pca).to(tensors[0].device)
    started = time.perf_counter()
    history = train(model, *tensors, args, held_out)
    return model.eval(), history, time.perf_counter() - started


# ----------------------------------------------------------------------------- evaluation
@torch.no_grad()
def encode(model, X):
    return model.encoder(X).cpu().numpy()


def pca_mse(pca, X):
    return float(np.mean((pca.inverse_transform(pca.transform(X)) - X) ** 2))


def knn_accuracy(codes_train, codes_test, y_train, y_test):
    """How often the 5 nearest train codes vote for the right digit: do similar digits cluster?"""
    classifier = KNeighborsClassifier(n_neighbors=KNN_NEIGHBOURS).fit(codes_train, y_train)
    return float(classifier.score(codes_test, y_test))


def evaluate(model, history, pca, data, tensors):
    """Held-out numbers for the autoencoder (MSEs: its last epoch's), for PCA at the same K, and
    for 5-NN on the raw pixels: how much of the digits' class information 64 numbers hold."""
    X_train, X_test, y_train, y_test = data
    codes_train, codes_test = encode(model, tensors[0]), encode(model, tensors[1])
    pca_train, pca_test = pca.transform(X_train), pca.transform(X_test)
    return {
        "train_mse": history["train_mse"][-1],
        "test_mse": history["test_mse"][-1],
        "pca_test_mse": pca_mse(pca, X_test),
        "knn_accuracy": {
            "autoencoder": knn_accuracy(codes_train, codes_test, y_train, y_test),
            "pca": knn_accuracy(pca_train, pca_test, y_train, y_test),
            "raw_pixels": knn_accuracy(X_train, X_test, y_train, y_test),
        },
    }


def print_table(metrics):
    knn, k, pca_test = metrics["knn_accuracy"], metrics["latent_dim"], metrics["pca_test_mse"]
    held_out, seconds = metrics["evaluated_on"], metrics["train_seconds"]
    print(f"\n{metrics['model']} autoencoder, K={k}, {seconds:.1f} s training; {held_out} digits:")
    print(f"  {'':20s}{'autoencoder':>12s}{'PCA':>10s}{'raw pixels':>12s}")
    print(f"  {held_out + ' MSE':20s}{metrics['test_mse']:12.4f}{pca_test:10.4f}")
    print(f"  {'5-NN digit accuracy':20s}{knn['autoencoder']:12.1%}{knn['pca']:10.1%}", end="")
    print(f"{knn['raw_pixels']:12.1%}")
    if pca_test < 1e-12:
        print(f"  At K={k} PCA rebuilds the digits exactly: there is nothing left to win.")
    else:
        ratio = metrics["test_mse"] / pca_test
        hint = ": worse; try more --epochs, or --linear-skip at large K" if ratio > 1 else ""
        print(f"  The autoencoder's error is {ratio:.2f}x PCA's{hint}.")


# ----------------------------------------------------------------------------- plots
# Figures are built without pyplot (no GUI backend, nothing to close) and drawn to PNG by Agg.
def plot_latent_space(codes, pca_codes, labels, metrics):
    """The held-out digits in the autoencoder's code and in PCA's, coloured by the true digit."""
    k, knn, held_out = metrics["latent_dim"], metrics["knn_accuracy"], metrics["evaluated_on"]
    dims = "" if k <= 2 else f" (first 2 of {k} code numbers)"
    where = f"{KNN_NEIGHBOURS}-NN digit accuracy in the {k}-D code"
    panels = [  # (codes, title, what the code's axes are)
        (codes, f"{metrics['model']} autoencoder{dims}\n{where}: {knn['autoencoder']:.1%}",
         "code number"),
        (pca_codes, f"PCA{dims}\n{where}: {knn['pca']:.1%}", "principal direction"),
    ]  # fmt: skip
    fig = Figure(figsize=(12, 5.4), layout="constrained")
    for ax, (z, title, axis) in zip(fig.subplots(1, 2), panels, strict=True):
        if k == 1:  # one number per digit: a strip per digit shows which digits overlap
            y, y_label = labels + np.random.default_rng(0).uniform(-0.3, 0.3, len(labels)), "digit"
        else:
            y, y_label = z[:, 1], f"z2: 2nd {axis}"
            ax.set_aspect("equal")  # kNN measures plain distances: show them undistorted
        points = ax.scatter(z[:, 0], y, c=labels, cmap="tab10", s=12, vmin=-0.5, vmax=9.5)
        ax.set(title=title, xlabel=f"z1: 1st {axis}", ylabel=y_label)
    fig.legend(points.legend_elements()[0], range(10), title="digit", loc="outside right")
    fig.suptitle(f"The {held_out} digits in the latent space, K={k}: similar digits cluster")
    return fig


def image_mosaic(rows, pad=1):
    """Rows of 8x8 images as one array, NaN (blank) between them; tile i is centred at 3.5 + 9i."""
    mosaic = np.full((len(rows) * (8 + pad) - pad, len(rows[0]) * (8 + pad) - pad), np.nan)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            top, left = i * (8 + pad), j * (8 + pad)
            mosaic[top : top + 8, left : left + 8] = image.reshape(8, 8)
    return mosaic


@torch.no_grad()
def plot_reconstructions(X_test, y_test, pca, model, metrics):
    picks = [int(np.flatnonzero(y_test == digit)[0]) for digit in range(10)]
    X = X_test[picks]
    ae_recon = model(torch.as_tensor(X, device=next(model.parameters()).device)).cpu().numpy()
    fig = Figure(figsize=(9, 3.3), layout="compressed")  # the layout for fixed-aspect images
    ax = fig.subplots()
    rows = [X, pca.inverse_transform(pca.transform(X)), ae_recon]
    ax.imshow(image_mosaic(rows), cmap="gray", vmin=0, vmax=1)
    held_out = metrics["evaluated_on"]
    labels = ["original", f"PCA\n{held_out} MSE {metrics['pca_test_mse']:.4f}"]
    labels.append(f"{metrics['model']}\nautoencoder\n{held_out} MSE {metrics['test_mse']:.4f}")
    ax.set_yticks(3.5 + 9 * np.arange(3), labels)
    ax.set_xticks(3.5 + 9 * np.arange(10), [str(y_test[p]) for p in picks])
    ax.set_frame_on(False)
    ax.tick_params(length=0)
    ax.set_title(f"Ten {held_out} digits, each rebuilt from a {metrics['latent_dim']}-number code\n"
                 f"(PCA's code, or the autoencoder's own; each MSE is over all {len(X_test)}"
                 f" {held_out} digits)")  # fmt: skip
    return fig


def plot_training_curve(history, metrics):
    epochs = range(1, len(history["train_mse"]) + 1)
    colour, pca_mse = COLOURS[metrics["model"]], metrics["pca_test_mse"]
    fig = Figure(figsize=(7.5, 4.6), layout="constrained")
    ax = fig.subplots()
    ax.plot(epochs, history["train_mse"], color=colour, ls="--", label="autoencoder, train")
    held_out = metrics["evaluated_on"]
    ax.plot(epochs, history["test_mse"], color=colour, label=f"autoencoder, {held_out}")
    ax.axhline(pca_mse, color=COLOURS["PCA"], ls=":", lw=1, label=f"PCA, {held_out}")
    ax.set(xlabel="epoch", ylabel="reconstruction MSE (whole set, end of each epoch)")
    ax.set_ylim(0, 1.05 * max(pca_mse, *history["train_mse"], *history["test_mse"]))
    gap = metrics["test_mse"] - metrics["train_mse"]
    ax.set_title(f"Training the {metrics['model']} autoencoder, K={metrics['latent_dim']}\n"
                 f"at the end, train MSE is {gap:.4f} below {held_out} MSE")  # fmt: skip
    ax.legend()
    return fig


@torch.no_grad()
def plot_latent_manifold(model, codes_test, metrics, steps=15):
    """Decode a grid over the first two code numbers (the others held at their held-out mean)."""
    k = metrics["latent_dim"]
    low, high = np.percentile(codes_test, [2, 98], axis=0)
    z1 = np.linspace(low[0], high[0], steps)
    z2 = np.linspace(high[1], low[1], steps) if k > 1 else np.zeros(1)  # from the top row down
    grid = np.tile(codes_test.mean(axis=0), (len(z2), steps, 1)).astype(np.float32)
    grid[:, :, 0] = z1
    if k > 1:
        grid[:, :, 1] = z2[:, np.newaxis]
    images = model.decoder(torch.as_tensor(grid, device=next(model.parameters()).device))
    fig = Figure(figsize=(8, 8.6) if k > 1 else (9, 2.0), layout="constrained")
    ax = fig.subplots()
    ax.imshow(image_mosaic(images.cpu().numpy()), cmap="gray", vmin=0, vmax=1)
    centres = (3.5 + 9 * np.arange(steps))[::2]  # every other tile, so the labels do not collide
    ax.set_xticks(centres, [f"{z:.1f}" for z in z1[::2]])
    ax.set_yticks(centres if k > 1 else [], [f"{z:.1f}" for z in z2[::2]] if k > 1 else [])
    ax.set(xlabel="z1 at each tile's centre", ylabel="z2 at each tile's centre" if k > 1 else "")
    ax.set_frame_on(False)
    rest = "" if k <= 2 else f"\n(the other {k - 2} code numbers at their held-out mean)"
    ax.set_title(f"What the {metrics['model']} decoder draws across the latent space, K={k}{rest}")
    return fig


# ---------------------------------------------------------- the second act, beyond the write-up
class LinearSkip(nn.Module):
    """y = W x + b + network(x): a linear path beside a ReLU network."""

    def __init__(self, network):
        super().__init__()
        self.network = network
        self.linear = nn.Linear(network[0].in_features, network[-1].out_features)

    def forward(self, x):
        return self.linear(x) + self.network(x)


@torch.no_grad()
def linear_skip_autoencoder(latent_dim, pca):
    """The vanilla model with a linear path beside each half, started exactly at PCA's solution.

    Linear paths: z = V^T (x - mu) and x_hat = V z + mu, with V the top-K principal directions,
    so that untrained it is 00_scratch.py's linear autoencoder. The last layer of each ReLU
    network starts at zero, so the networks add nothing until training finds something PCA
    missed. Their earlier layers keep PyTorch's random init, so the zeroed layer sees non-zero
    inputs and gets a non-zero gradient from the first step.
    """
    model = Autoencoder(latent_dim)
    model.encoder, model.decoder = LinearSkip(model.encoder), LinearSkip(model.decoder)
    V = torch.as_tensor(pca.components_, dtype=torch.float32)  # K x 64
    mu = torch.as_tensor(pca.mean_, dtype=torch.float32)
    model.encoder.linear.weight.copy_(V)
    model.encoder.linear.bias.copy_(-V @ mu)
    model.decoder.linear.weight.copy_(V.T)
    model.decoder.linear.bias.copy_(mu)
    for half in (model.encoder, model.decoder):
        half.network[-1].weight.zero_()
        half.network[-1].bias.zero_()
    return model


def run_sweep(data, tensors, args, trained):
    """Both models at every K in SWEEP_LATENT_DIMS, with the same settings, against PCA.

    Train errors too, to tell a model that fits badly from one that generalises badly. A model
    in `trained` (histories by model and K: the main run's) is not trained a second time."""
    rows = []
    for k in SWEEP_LATENT_DIMS:
        pca = PCA(n_components=k, svd_solver="full").fit(data[0])
        pca_errors = {"pca_train_mse": pca_mse(pca, data[0]), "pca_test_mse": pca_mse(pca, data[1])}
        for model_name in ("vanilla", "linear-skip"):
            history = trained.get((model_name, k)) or fit(model_name, k, pca, tensors, args)[1]
            train_mse, test_mse = history["train_mse"][-1], history["test_mse"][-1]
            rows.append({"model": model_name, "latent_dim": k, "train_mse": train_mse,
                         "test_mse": test_mse, **pca_errors})  # fmt: skip
            print(f"  K={k:2d}  {model_name:12s}MSE train {train_mse:.4f}, held-out {test_mse:.4f}")
    return rows


def plot_sweep(rows, seed, held_out):
    fig = Figure(figsize=(7, 4.8), layout="constrained")
    ax = fig.subplots()
    vanilla = [row for row in rows if row["model"] == "vanilla"]
    dims = [row["latent_dim"] for row in vanilla]
    ax.plot(dims, [row["pca_test_mse"] for row in vanilla], "s:", color=COLOURS["PCA"], label="PCA")
    for model_name, marker in [("vanilla", "o-"), ("linear-skip", "^-")]:
        mse = [row["test_mse"] for row in rows if row["model"] == model_name]
        ax.plot(dims, mse, marker, color=COLOURS[model_name], label=f"{model_name} autoencoder")
    ax.set(xscale="log", yscale="log", title="Reconstruction error against code size")
    ax.set(xlabel="code size K (log scale)", ylabel=f"{held_out} MSE (log scale; seed {seed})")
    ax.set_xticks(dims, [str(k) for k in dims])
    ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))  # labelled 0.002, not 2x10^-3
    ax.yaxis.set_major_formatter("{x:g}")
    ax.yaxis.set_minor_locator(NullLocator())
    ax.legend()
    return fig


# ----------------------------------------------------------------------------- main
def in_range(kind, low, high):
    """An argparse type: a number of this kind from low to high, else argparse's usage error."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = math.nan
        if not low <= value <= high:  # NaN fails this too
            raise argparse.ArgumentTypeError(f"must be a number from {low:g} to {high:g}")
        return value

    return parse


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="The vanilla ReLU autoencoder on the 8x8 digits, against PCA at the same K.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--latent-dim", type=in_range(int, 1, N_PIXELS), default=2, metavar="K", help="code size K")
    add("--epochs", type=in_range(int, 1, 10_000), default=EPOCHS, help="passes over the data")
    add("--batch-size", type=in_range(int, 1, 1437), default=BATCH_SIZE, help="digits per step")
    add("--lr", type=in_range(float, 1e-6, 1.0), default=LR, help="peak of the one-cycle schedule")
    add("--seed", type=in_range(int, 0, 2**32 - 1), default=0, help="of the init and the shuffling")
    add("--device", choices=["auto", "cpu", "cuda"], default="auto", help="auto: CUDA if available")
    add("--out", default=Path(__file__).resolve().parent / "assets", metavar="DIR",
        help="folder for the PNGs and the JSON")  # fmt: skip
    add("--linear-skip", action="store_true", help="the second act's model: linear paths from PCA")
    add("--sweep", action="store_true", help="also train both models at K = 1, 2, 4, 8, 16, 32;"
        " writes pytorch_sweep.json and pytorch_mse_vs_latent_dim.png")  # fmt: skip
    add("--validate", action="store_true", help="report on 20%% of the train digits, not on test")
    args = parser.parse_args(argv)
    if args.out == "":  # Path("") would quietly mean the current folder
        parser.error("argument --out: must name a folder")
    args.out = Path(args.out)
    return args


def save_files(out_dir, files):
    """Each file under a temporary name, then os.replace'd: never half a file, even on Ctrl-C."""
    for name, content in files.items():
        temp = out_dir / f".{name}.tmp"
        if name.endswith(".png"):
            content.savefig(temp, format="png", dpi=100)
        else:
            temp.write_text(json.dumps(content, indent=2) + "\n")
        os.replace(temp, out_dir / name)
    print(f"\nwrote {', '.join(files)} to {out_dir}")


def main(argv=None):
    args = parse_args(argv)
    gpu = torch.cuda.is_available()
    device = ("cuda" if gpu else "cpu") if args.device == "auto" else args.device
    if device == "cuda" and not gpu:
        sys.exit("01_pytorch.py: error: --device cuda, but PyTorch sees no GPU; use --device cpu")
    try:  # fail now, in one line, if --out cannot be made or written to: not after training
        args.out.mkdir(parents=True, exist_ok=True)
        tempfile.NamedTemporaryFile(dir=args.out).close()
    except OSError as err:
        sys.exit(f"01_pytorch.py: error: cannot write to --out {args.out}: {err.strerror}")
    # One thread: a second saves little on a model this small, and stalls it when another
    # program keeps the other core busy (measured).
    torch.set_num_threads(1)
    data = load_data(args.validate)
    X_train, X_test, _, y_test = data
    held_out = "validation" if args.validate else "test"
    tensors = [torch.as_tensor(X, device=device) for X in (X_train, X_test)]
    k, model_name = args.latent_dim, "linear-skip" if args.linear_skip else "vanilla"
    pca = PCA(n_components=k, svd_solver="full").fit(X_train)
    print(f"Training the {model_name} autoencoder, K={k}, on {len(X_train)} digits ({device});"
          f" reporting on {len(X_test)} {held_out} digits")  # fmt: skip
    model, history, seconds = fit(model_name, k, pca, tensors, args, held_out)
    settings = {key: getattr(args, key) for key in ("seed", "epochs", "batch_size", "lr")}
    settings["device"] = device
    metrics = {"model": model_name, "evaluated_on": held_out, "latent_dim": k, **settings}
    metrics.update(evaluate(model, history, pca, data, tensors))
    metrics["train_seconds"] = round(seconds, 3)
    print_table(metrics)
    codes, pca_codes = encode(model, tensors[1]), pca.transform(X_test)
    files = {
        "pytorch_latent_space.png": plot_latent_space(codes, pca_codes, y_test, metrics),
        "pytorch_reconstruction.png": plot_reconstructions(X_test, y_test, pca, model, metrics),
        "pytorch_training_curve.png": plot_training_curve(history, metrics),
        "pytorch_latent_manifold.png": plot_latent_manifold(model, codes, metrics),
        "pytorch_metrics.json": metrics,
    }
    if args.sweep:
        print(f"\nSweep: both models at each code size ({args.epochs} epochs each)")
        rows = run_sweep(data, tensors, args, trained={(model_name, k): history})
        files["pytorch_mse_vs_latent_dim.png"] = plot_sweep(rows, args.seed, held_out)
        files["pytorch_sweep.json"] = {**settings, "evaluated_on": held_out, "rows": rows}
    save_files(args.out, files)


if __name__ == "__main__":
    if hasattr(signal, "SIGPIPE"):  # `| head` ends the run quietly, as it ends any Unix tool
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
