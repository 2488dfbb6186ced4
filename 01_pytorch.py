"""A non-linear (ReLU) autoencoder in PyTorch that compresses the digits better than PCA.

00_scratch.py showed that the best *linear* autoencoder is PCA. Here the encoder and the decoder
are small ReLU networks, so the code z = f(x) can bend along the curved set of digit images
instead of flattening it onto a plane. Measured on held-out digits, at the same code size K:

  - the reconstruction error is well below PCA's at every K from 1 to 32, about half of it
    for K = 2 to 16 (try --sweep);
  - in the 2-D code, digits of the same class sit closer together: a 5-nearest-neighbour
    classifier on the codes is more accurate than on PCA's 2-D projection.

The design choice that makes "at every K" true: each half of the network is a linear map with a
ReLU network beside it, x -> W x + b + MLP(x), and training starts from PCA (the linear maps set
to the principal directions, the last layer of each MLP set to zero). So the network starts as
exactly the linear autoencoder of 00_scratch.py, and that solution stays within its reach: the
ReLU paths only have to learn what PCA misses. A plain ReLU MLP has to rebuild even the linear
part out of its kinks; with a large code (K=32) it does that worse than PCA does.

Run it:

    python 01_pytorch.py                      # K=2: a few seconds of training on a CPU
    python 01_pytorch.py --latent-dim 8       # any K from 1 to 64
    python 01_pytorch.py --sweep              # also K = 1, 2, 4, 8, 16, 32 against PCA

It prints progress, then a table (autoencoder vs PCA), and writes its PNGs and
pytorch_metrics.json to --out (default: assets/ beside this script). Same data and split as
00_scratch.py: the 8x8 digits, pixels in [0, 1], 1437 train / 360 test.
"""

import argparse
import io
import itertools
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path


def exit_quietly_on_ctrl_c(exc_type, exc, tb):
    # Ctrl-C anywhere, even during the slow imports below, ends with one line and exit code 130.
    # Files are only written at the very end (see write_atomically), so nothing is half-written.
    if issubclass(exc_type, KeyboardInterrupt):
        print("interrupted; no files were written", file=sys.stderr, flush=True)
        os._exit(130)
    sys.__excepthook__(exc_type, exc, tb)


sys.excepthook = exit_quietly_on_ctrl_c

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from torch import nn

# ----------------------------------------------------------------------------- configuration
DEFAULT_OUT = Path(__file__).resolve().parent / "assets"
N_PIXELS = 64
HIDDEN = (256, 128)  # widths of the encoder's ReLU layers; the decoder mirrors them
DEFAULT_EPOCHS = 100
DEFAULT_BATCH_SIZE = 128
DEFAULT_LR = 5e-3  # peak learning rate, reached after a 10% warm-up
SWEEP_LATENT_DIMS = (1, 2, 4, 8, 16, 32)
KNN_NEIGHBOURS = 5


# ----------------------------------------------------------------------------- data
def load_data():
    """The 8x8 digits, pixels in [0, 1], split 80/20 exactly as 00_scratch.py splits them."""
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    return train_test_split(X, digits.target, test_size=0.2, random_state=42)


# ----------------------------------------------------------------------------- model
class LinearPlusReLU(nn.Module):
    """y = W x + b + MLP(x): a linear map with a ReLU network beside it."""

    def __init__(self, sizes):
        super().__init__()
        self.linear = nn.Linear(sizes[0], sizes[-1])
        layers = []
        for n_in, n_out in itertools.pairwise(sizes):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        self.mlp = nn.Sequential(*layers[:-1])  # no ReLU on the output: codes and pixels are real

    def forward(self, x):
        return self.linear(x) + self.mlp(x)


class Autoencoder(nn.Module):
    """encoder: 64 pixels -> K code numbers; decoder: K -> 64. Trained to reproduce its input."""

    def __init__(self, latent_dim, hidden=HIDDEN):
        super().__init__()
        self.encoder = LinearPlusReLU([N_PIXELS, *hidden, latent_dim])
        self.decoder = LinearPlusReLU([latent_dim, *reversed(hidden), N_PIXELS])

    def forward(self, x):
        return self.decoder(self.encoder(x))


@torch.no_grad()
def start_from_pca(model, pca):
    """Make the untrained network exactly PCA's linear autoencoder (00_scratch.py).

    Linear paths: z = V^T (x - mu) and x_hat = V z + mu, with V the top-K principal directions.
    The last layer of each ReLU path starts at zero, so those paths add nothing until training
    finds something PCA missed. Their earlier layers keep PyTorch's random init, so the zeroed
    layer sees non-zero inputs and gets a non-zero gradient from the first step.
    """
    V = torch.as_tensor(pca.components_, dtype=torch.float32)  # K x 64
    mu = torch.as_tensor(pca.mean_, dtype=torch.float32)
    model.encoder.linear.weight.copy_(V)
    model.encoder.linear.bias.copy_(-V @ mu)
    model.decoder.linear.weight.copy_(V.T)
    model.decoder.linear.bias.copy_(mu)
    for half in (model.encoder, model.decoder):
        half.mlp[-1].weight.zero_()
        half.mlp[-1].bias.zero_()


# ----------------------------------------------------------------------------- training
class TrainingDiverged(Exception):
    pass


@torch.no_grad()
def reconstruction_mse(model, X):
    """Mean over samples and all 64 pixels of the squared error."""
    return torch.mean((model(X) - X) ** 2).item()


class Adam:
    """Adam (Kingma & Ba, 2015), written out so that the whole update is in plain sight.

    For each weight it keeps a running mean of the gradient (m: which way to go) and of the
    squared gradient (v: how large the gradients there usually are), corrects both for having
    started at zero, and steps by lr * m / (sqrt(v) + eps): every weight gets a step size scaled
    to its own gradients. It is the update of torch.optim.Adam (tests/test_pytorch.py checks
    that), which we do not use because its first use imports PyTorch's compiler stack: about a
    second, a fifth of this script's run time.
    """

    def __init__(self, params, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.betas, self.eps, self.steps = betas, eps, 0
        self.moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self, lr):
        beta1, beta2 = self.betas
        self.steps += 1
        bias1, bias2 = 1 - beta1**self.steps, 1 - beta2**self.steps
        for p, (m, v) in zip(self.params, self.moments, strict=True):
            m.lerp_(p.grad, 1 - beta1)  # m = beta1 m + (1 - beta1) g
            v.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)  # v = beta2 v + (1 - beta2) g^2
            p.addcdiv_(m, v.sqrt() / math.sqrt(bias2) + self.eps, value=-lr / bias1)


def learning_rate(step, total_steps, peak_lr, warmup_fraction=0.1):
    """Warm up linearly to peak_lr over the first 10% of steps, then follow a cosine down to 0.

    Large early steps would throw away the PCA start before Adam's averages mean anything; the
    slow end lets the weights settle into a minimum instead of bouncing around it.
    """
    warmup_steps = max(1, round(warmup_fraction * total_steps))
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return peak_lr * 0.5 * (1 + math.cos(math.pi * progress))


def train(model, X_train, X_test, epochs, batch_size, lr, seed, log=print):
    """Adam on shuffled minibatches, warm-up + cosine schedule; returns per-epoch MSE history.

    The train MSE of an epoch is the mean of its minibatch losses, summed on the device and read
    once per epoch: on a GPU, a .item() per step would make the CPU wait for every step to finish.
    """
    optimizer = Adam(model.parameters())
    total_steps = epochs * math.ceil(len(X_train) / batch_size)
    shuffler = torch.Generator().manual_seed(seed)
    history = {"train_mse": [], "test_mse": []}
    log_every = max(1, epochs // 10)
    step = 0
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(X_train), generator=shuffler).to(X_train.device)
        loss_sum = torch.zeros((), device=X_train.device)
        for start in range(0, len(X_train), batch_size):
            batch = X_train[order[start : start + batch_size]]
            loss = torch.mean((model(batch) - batch) ** 2)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step(learning_rate(step, total_steps, lr))
            step += 1
            loss_sum += loss.detach() * len(batch)
        train_mse = loss_sum.item() / len(X_train)
        if not math.isfinite(train_mse):
            raise TrainingDiverged(f"the train loss became {train_mse} in epoch {epoch}")
        history["train_mse"].append(train_mse)
        history["test_mse"].append(reconstruction_mse(model, X_test))
        if epoch % log_every == 0 or epoch == epochs:
            log(
                f"epoch {epoch:4d}/{epochs}   train MSE {train_mse:.4f}"
                f"   test MSE {history['test_mse'][-1]:.4f}"
            )
    return history


def fit_autoencoder(X_train, X_test, pca, args, latent_dim, log=print):
    """Build the autoencoder at PCA's solution and train it; returns (model, history, seconds)."""
    torch.manual_seed(args.seed)
    model = Autoencoder(latent_dim)
    start_from_pca(model, pca)
    model.to(X_train.device)
    started = time.perf_counter()
    history = train(
        model, X_train, X_test, args.epochs, args.batch_size, args.lr, args.seed, log=log
    )
    return model.eval(), history, time.perf_counter() - started


# ----------------------------------------------------------------------------- evaluation
@torch.no_grad()
def encode(model, X):
    return model.encoder(X)


def pca_test_mse(pca, X_test):
    return float(np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2))


def knn_accuracy(codes_train, y_train, codes_test, y_test):
    """How often the 5 nearest train codes vote for the right digit: do similar digits cluster?"""
    classifier = KNeighborsClassifier(n_neighbors=KNN_NEIGHBOURS).fit(codes_train, y_train)
    return float(classifier.score(codes_test, y_test))


def evaluate(model, pca, data, tensors):
    """Held-out numbers for the autoencoder and for PCA at the same K; also the test codes."""
    X_train, X_test, y_train, y_test = data
    codes_train, codes_test = (encode(model, X).cpu().numpy() for X in tensors)
    metrics = {
        "train_mse": reconstruction_mse(model, tensors[0]),
        "test_mse": reconstruction_mse(model, tensors[1]),
        "pca_test_mse": pca_test_mse(pca, X_test),
        "knn_accuracy": {
            "autoencoder": knn_accuracy(codes_train, y_train, codes_test, y_test),
            "pca": knn_accuracy(pca.transform(X_train), y_train, pca.transform(X_test), y_test),
        },
    }
    return metrics, codes_test


def run_sweep(data, tensors, args, done):
    """One autoencoder per K in SWEEP_LATENT_DIMS, all with the same settings, against PCA.

    `done` is the main run's row: that K is not trained a second time.
    """
    X_train, X_test = data[0], data[1]
    rows = []
    for latent_dim in SWEEP_LATENT_DIMS:
        if latent_dim == done["latent_dim"]:
            row = done
        else:
            pca = PCA(n_components=latent_dim, svd_solver="full").fit(X_train)
            model, _, _ = fit_autoencoder(*tensors, pca, args, latent_dim, log=lambda _: None)
            row = {
                "latent_dim": latent_dim,
                "test_mse": reconstruction_mse(model, tensors[1]),
                "pca_test_mse": pca_test_mse(pca, X_test),
            }
        rows.append(row)
        print(
            f"  K={latent_dim:2d}   autoencoder {row['test_mse']:.4f}"
            f"   PCA {row['pca_test_mse']:.4f}   ratio {row['test_mse'] / row['pca_test_mse']:.2f}"
        )
    return rows


def format_mse(value):
    return f"{value:.4f}" if value >= 1e-3 else f"{value:.1e}"


def print_table(metrics, latent_dim):
    knn = metrics["knn_accuracy"]
    print(f"\nHeld-out results, K={latent_dim} ({metrics['train_seconds']:.1f} s of training)")
    print(f"  {'':24s}{'autoencoder':>12s}{'PCA':>10s}")
    print(
        f"  {'test MSE':24s}{format_mse(metrics['test_mse']):>12s}"
        f"{format_mse(metrics['pca_test_mse']):>10s}"
    )
    print(
        f"  {f'{KNN_NEIGHBOURS}-NN digit accuracy':24s}{knn['autoencoder']:12.1%}{knn['pca']:10.1%}"
    )
    if metrics["pca_test_mse"] < 1e-12:
        print(f"  At K={latent_dim} PCA rebuilds the digits exactly: there is nothing left to win.")
    else:
        ratio = metrics["test_mse"] / metrics["pca_test_mse"]
        print(f"  The autoencoder's test error is {ratio:.2f}x PCA's.")


# ----------------------------------------------------------------------------- plots
# Figures are built without pyplot (no GUI backend, nothing to close) and rendered to PNG by Agg.
# Margins are fixed by hand: automatic layout measures every label and costs as much as drawing.
def scatter_digits(ax, codes, labels, title):
    if codes.shape[1] == 1:
        # A 1-D code: one strip per digit shows which digits overlap.
        jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(labels))
        y, y_label = labels + jitter, "true digit (jittered)"
        ax.set_yticks(range(10))
    else:
        y, y_label = codes[:, 1], "z2"
    points = ax.scatter(codes[:, 0], y, c=labels, cmap="tab10", s=12, vmin=-0.5, vmax=9.5)
    ax.set_title(title)
    ax.set_xlabel("z1")
    ax.set_ylabel(y_label)
    return points


def plot_latent_space(codes, pca_codes, labels, knn, latent_dim):
    fig = Figure(figsize=(12, 5.4))
    fig.subplots_adjust(left=0.06, right=0.92, bottom=0.1, top=0.86, wspace=0.2)
    ax_ae, ax_pca = fig.subplots(1, 2)
    dims = "" if latent_dim <= 2 else f" (first 2 of {latent_dim} code dims)"
    where = f"{KNN_NEIGHBOURS}-NN digit accuracy in the {latent_dim}-D code"
    points = scatter_digits(
        ax_ae, codes, labels, f"ReLU autoencoder{dims}\n{where}: {knn['autoencoder']:.1%}"
    )
    scatter_digits(ax_pca, pca_codes, labels, f"PCA{dims}\n{where}: {knn['pca']:.1%}")
    handles, _ = points.legend_elements()
    ax_pca.legend(handles, range(10), title="digit", loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.suptitle("Test digits in the latent space: similar digits cluster")
    return fig


def image_mosaic(rows, pad=1):
    """Lay rows of 8x8 images out as one array, NaN (drawn white) between the images."""
    n_rows, n_cols = len(rows), len(rows[0])
    mosaic = np.full((n_rows * (8 + pad) - pad, n_cols * (8 + pad) - pad), np.nan)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            top, left = i * (8 + pad), j * (8 + pad)
            mosaic[top : top + 8, left : left + 8] = np.clip(image.reshape(8, 8), 0, 1)
    return mosaic


def plot_reconstructions(X_test, y_test, pca_recon, ae_recon, metrics, latent_dim):
    picks = [int(np.flatnonzero(y_test == digit)[0]) for digit in range(10)]
    fig = Figure(figsize=(8, 2.8))
    fig.subplots_adjust(left=0.2, right=0.98, bottom=0.14, top=0.88)
    ax = fig.subplots()
    ax.imshow(image_mosaic([X_test[picks], pca_recon[picks], ae_recon[picks]]), cmap="gray")
    ax.set_yticks(
        [3.5, 12.5, 21.5],
        [
            "original",
            f"PCA\nMSE {metrics['pca_test_mse']:.4f}",
            f"autoencoder\nMSE {metrics['test_mse']:.4f}",
        ],
    )
    ax.set_xticks([3.5 + 9 * j for j in range(10)], [str(y_test[p]) for p in picks])
    ax.set_frame_on(False)
    ax.tick_params(length=0)
    ax.set_title(f"Test digits rebuilt from a {latent_dim}-number code (MSE over the test set)")
    return fig


def plot_training_curve(history, pca_mse, latent_dim):
    epochs = range(1, len(history["train_mse"]) + 1)
    fig = Figure(figsize=(7, 4.4))
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.12, top=0.9)
    ax = fig.subplots()
    ax.plot(epochs, history["train_mse"], label="autoencoder, train")
    ax.plot(epochs, history["test_mse"], label="autoencoder, test")
    ax.axhline(pca_mse, color="black", ls=":", lw=1, label=f"PCA, test ({pca_mse:.4f})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("reconstruction MSE")
    ax.set_ylim(0, 1.15 * max(pca_mse, max(history["test_mse"])))
    ax.set_title(f"Training from the PCA start, K={latent_dim}")
    ax.legend()
    return fig


@torch.no_grad()
def plot_latent_manifold(model, codes_test, latent_dim, device, steps=15):
    """Decode a grid over the first two code dims (the others held at the mean test code)."""
    n_varied = min(latent_dim, 2)
    low, high = np.percentile(codes_test[:, :n_varied], [2, 98], axis=0)
    z1 = np.linspace(low[0], high[0], steps)
    z2 = np.linspace(high[1], low[1], steps) if n_varied == 2 else np.zeros(1)
    grid = np.tile(codes_test.mean(axis=0), (len(z2) * steps, 1)).astype(np.float32)
    grid[:, 0] = np.tile(z1, len(z2))
    if n_varied == 2:
        grid[:, 1] = np.repeat(z2, steps)
    images = model.decoder(torch.as_tensor(grid, device=device)).cpu().numpy()
    fig = Figure(figsize=(6.4, 6.8 if n_varied == 2 else 2.2))
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.09 if n_varied == 2 else 0.25, top=0.88)
    ax = fig.subplots()
    ax.imshow(
        image_mosaic(images.reshape(len(z2), steps, N_PIXELS)),
        cmap="gray",
        extent=(low[0], high[0], low[-1], high[-1]),
        aspect="auto",
    )
    ax.set_xlabel("z1")
    if n_varied == 2:
        ax.set_ylabel("z2")
    else:
        ax.set_yticks([])
    rest = "" if latent_dim <= 2 else f"\n(other {latent_dim - 2} dims at the mean test code)"
    ax.set_title(f"What the decoder draws across the latent space, K={latent_dim}{rest}")
    return fig


def plot_sweep(rows):
    dims = [row["latent_dim"] for row in rows]
    fig = Figure(figsize=(6.4, 4.4))
    fig.subplots_adjust(left=0.14, right=0.97, bottom=0.12, top=0.9)
    ax = fig.subplots()
    ax.plot(dims, [row["pca_test_mse"] for row in rows], "s--", label="PCA (linear)")
    ax.plot(dims, [row["test_mse"] for row in rows], "o-", label="ReLU autoencoder")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    # Ticks at 1, 2 and 5 per decade, labelled 0.01 rather than 10^-2 (typesetting is slow).
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(dims, [str(k) for k in dims])
    ax.set_xlabel("code size K (log scale)")
    ax.set_ylabel("test MSE (log scale)")
    ax.set_title("Reconstruction error against code size")
    ax.legend()
    return fig


# ----------------------------------------------------------------------------- files
def figure_png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def write_atomically(out_dir, files):
    """Write every file to a temp name in out_dir, then rename each over its target.

    os.replace is atomic on one file system, so a reader sees the old file or the new one,
    never half of one; and nothing is replaced until every file has been rendered.
    """
    temp_paths = []
    try:
        for name, content in files.items():
            handle, temp_path = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".tmp")
            temp_paths.append(temp_path)
            with os.fdopen(handle, "wb") as f:
                f.write(content.encode() if isinstance(content, str) else content)
        for (name, _), temp_path in zip(files.items(), temp_paths, strict=True):
            os.replace(temp_path, out_dir / name)
    except OSError as err:
        sys.exit(
            f"01_pytorch.py: error: cannot write to {out_dir}: {err.strerror}; try another --out"
        )
    finally:
        for temp_path in temp_paths:
            if os.path.exists(temp_path):
                os.remove(temp_path)


# ----------------------------------------------------------------------------- main
class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a bad argument gets one line (not the usage block) and exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def int_in_range(low, high):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be an integer from {low} to {high}, got {text!r}"
            )
        return value

    return parse


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def parse_args(argv=None):
    parser = OneLineErrorParser(
        prog="01_pytorch.py",
        description="A ReLU autoencoder on the 8x8 digits, compared with PCA at the same K.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--latent-dim",
        type=int_in_range(1, N_PIXELS),
        default=2,
        metavar="K",
        help="code size K, 1 to 64",
    )
    parser.add_argument(
        "--epochs",
        type=int_in_range(1, 100_000),
        default=DEFAULT_EPOCHS,
        metavar="N",
        help="passes over the train set",
    )
    parser.add_argument(
        "--batch-size",
        type=int_in_range(1, 1437),
        default=DEFAULT_BATCH_SIZE,
        metavar="N",
        help="digits per gradient step, 1 to 1437 (the train set)",
    )
    parser.add_argument(
        "--lr",
        type=positive_float,
        default=DEFAULT_LR,
        help="peak learning rate (after a warm-up; then a cosine decay to 0)",
    )
    parser.add_argument(
        "--seed",
        type=int_in_range(0, 2**32 - 1),
        default=0,
        metavar="S",
        help="seed for init and shuffling",
    )
    parser.add_argument(
        "--device",
        choices=["auto", "cpu", "cuda"],
        default="auto",
        help="auto picks CUDA when a GPU is present",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="folder for the PNGs and JSON"
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help=f"also train K in {', '.join(map(str, SWEEP_LATENT_DIMS))}; plot test MSE against K",
    )
    return parser.parse_args(argv)


def pick_device(requested):
    if requested == "cuda" and not torch.cuda.is_available():
        sys.exit(
            "01_pytorch.py: error: --device cuda, but PyTorch sees no CUDA GPU; use --device cpu"
        )
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress lines show up live, even in a pipe
    device = pick_device(args.device)
    try:  # fail now, not after the work, if the output folder cannot be made
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        sys.exit(
            f"01_pytorch.py: error: cannot use --out {args.out}: {err.strerror}; try another --out"
        )
    data = load_data()
    X_train, X_test, y_train, y_test = data
    tensors = tuple(torch.as_tensor(X, device=device) for X in (X_train, X_test))
    k = args.latent_dim
    pca = PCA(n_components=k, svd_solver="full").fit(X_train)
    print(f"Training a ReLU autoencoder, K={k}, on {len(X_train)} digits ({device})")
    try:
        model, history, seconds = fit_autoencoder(*tensors, pca, args, k)
        metrics, codes_test = evaluate(model, pca, data, tensors)
        if args.sweep:
            print(f"\nSweep: test MSE at each code size ({args.epochs} epochs each)")
            done = {"latent_dim": k} | {key: metrics[key] for key in ("test_mse", "pca_test_mse")}
            sweep = run_sweep(data, tensors, args, done)
    except TrainingDiverged as err:
        sys.exit(
            f"01_pytorch.py: error: training diverged ({err}); try a smaller --lr"
            f" (default {DEFAULT_LR:g}). No files were written."
        )
    metrics = {
        "latent_dim": k,
        "seed": args.seed,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "device": device,
        **metrics,
        "train_seconds": round(seconds, 3),
    }
    if args.sweep:
        metrics["sweep"] = sweep
    print_table(metrics, k)

    with torch.no_grad():
        ae_recon = model(tensors[1]).cpu().numpy()
    pca_codes = pca.transform(X_test)
    figures = {
        "pytorch_latent_space.png": plot_latent_space(
            codes_test[:, :2], pca_codes[:, :2], y_test, metrics["knn_accuracy"], k
        ),
        "pytorch_reconstruction.png": plot_reconstructions(
            X_test, y_test, pca.inverse_transform(pca_codes), ae_recon, metrics, k
        ),
        "pytorch_training_curve.png": plot_training_curve(history, metrics["pca_test_mse"], k),
        "pytorch_latent_manifold.png": plot_latent_manifold(model, codes_test, k, device),
    }
    if args.sweep:
        figures["pytorch_mse_vs_latent_dim.png"] = plot_sweep(sweep)
    files = {name: figure_png(fig) for name, fig in figures.items()}
    files["pytorch_metrics.json"] = json.dumps(metrics, indent=2) + "\n"
    write_atomically(args.out, files)
    print(f"\nwrote {', '.join(files)} to {args.out}")


if __name__ == "__main__":
    main()
