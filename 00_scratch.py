"""A linear autoencoder, trained from scratch in NumPy, turns out to be PCA.

It squeezes each 8x8 digit (64 pixels) into K numbers and rebuilds it: encode z = W_enc (x - mean),
decode x_hat = mean + W_dec z, trained with gradients worked out by hand. Then (a) PCA, from the
SVD, is such an autoencoder, (b) whose error is the variance it drops, and (c) training from a
random start ends at PCA's error and plane. A comparison that fails exits 1 and writes nothing.

    python 00_scratch.py                                # K=2, into assets/ (the README's)
    python 00_scratch.py --latent-dim 8 --out /tmp/k8   # another code size, elsewhere
"""

import argparse
import json
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
from matplotlib.figure import Figure
from scipy.linalg import subspace_angles
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

N_PIXELS = 64  # an 8x8 image is a vector of 64 numbers
INIT_SCALE = 0.01  # a small random start, so whatever the weights end up as was learnt
MOMENTUM = 0.9  # each step keeps 0.9 of the last: see train()
GRADIENT_TOL = 5e-8  # stop where the gradient has all but vanished
MAX_STEPS = 50_000
LADDER = (0, 1, 2, 4, 8, 16, 32, 64)  # the code sizes of the ladder picture
DIGIT_COLOURS = ["#1e74b0", "#b15300", "#238023", "#d62728", "#8a59b7"]  # tab10, darkened
DIGIT_COLOURS += ["#8c564b", "#c62996", "#6d6d6d", "#6f6f14", "#0f7b86"]  # for a projector
ASSETS = Path(__file__).parent / "assets"  # the README's pictures and numbers


def load_data():
    """The 8x8 digits, pixels in [0, 1], split 80/20 exactly as 01_pytorch.py splits them."""
    digits = load_digits()
    return train_test_split(digits.data / 16.0, digits.target, test_size=0.2, random_state=42)


class LinearAutoencoder(NamedTuple):
    mean: np.ndarray  # the average train digit: a code says how a digit differs from it
    W_enc: np.ndarray  # K x 64
    W_dec: np.ndarray  # 64 x K

    def encode(self, X):  # one digit a row: z = W_enc (x - mean) for each
        return (X - self.mean) @ self.W_enc.T

    def decode(self, Z):  # x_hat = mean + W_dec z = mean + z_1 (column 1 of W_dec) + ...
        return self.mean + Z @ self.W_dec.T


def mse(X, X_hat):  # the mean over digits and all 64 pixels of the squared error
    return float(np.mean((X - X_hat) ** 2))


def loss_and_gradients(model, X):
    """The MSE of rebuilding the digits X (one a row), and its gradients by the chain rule.

    Forward: Z = (X - mean) W_enc^T, X_hat = mean + Z W_dec^T, L = mean of (X_hat - X)^2.
    Backward, one step at a time (the tests check the result against finite differences)."""
    Z = model.encode(X)  # n x K codes
    error = model.decode(Z) - X  # n x 64
    loss = np.mean(error**2)
    dL_dX_hat = error * (2 / error.size)  # each entry's share of the mean of squares
    grad_dec = dL_dX_hat.T @ Z  # X_hat = mean + Z W_dec^T
    dL_dZ = dL_dX_hat @ model.W_dec  # how the error changes with each code number
    grad_enc = dL_dZ.T @ (X - model.mean)  # Z = (X - mean) W_enc^T
    return loss, grad_enc, grad_dec


def train(X_train, latent_dim, seed):
    """Gradient descent with momentum from a small random start; returns the model and its steps.

    Plain steps learn each direction at a speed set by its variance, and directions of close
    variance take long to tell apart. Momentum lets the steps build up speed where they keep
    pointing the same way, so far fewer steps reach the same end."""
    n_pixels = X_train.shape[1]
    W_dec = INIT_SCALE * np.random.default_rng(seed).standard_normal((n_pixels, latent_dim))
    # The mean is given (the best plane passes through it); the encoder starts as the decoder's
    # transpose. The step: about the largest that stays stable; it sets the speed, not the end.
    model = LinearAutoencoder(X_train.mean(axis=0), W_enc=W_dec.T.copy(), W_dec=W_dec)
    largest_variance = np.linalg.eigvalsh(np.cov(X_train, rowvar=False))[-1]
    step_size = n_pixels / (4 * largest_variance)
    velocity_enc = velocity_dec = 0
    for step in range(MAX_STEPS):
        loss, grad_enc, grad_dec = loss_and_gradients(model, X_train)
        if step in (0, 10, 100, 1000, 10_000):
            print(f"  step {step:5d}: train MSE {loss:.6f}")
        if np.sqrt(np.sum(grad_enc**2) + np.sum(grad_dec**2)) < GRADIENT_TOL:
            print(f"  step {step:5d}: the gradient has all but vanished\n")
            return model, step
        velocity_enc = MOMENTUM * velocity_enc - step_size * grad_enc
        velocity_dec = MOMENTUM * velocity_dec - step_size * grad_dec
        model.W_enc[:] += velocity_enc  # in place: the NamedTuple keeps the same arrays
        model.W_dec[:] += velocity_dec
    return model, MAX_STEPS


def fit_pca(X_train, latent_dim):
    """PCA as a linear autoencoder, from the SVD; also returns the variance along each direction.

    The SVD (singular value decomposition) writes any table of numbers as U S V^T: here the
    centred digits, X - mean. The rows of V^T are directions in pixel space, at right angles, the
    principal directions; the digits' variance along row i is S_i^2 / n, largest first. Encoding
    takes a digit's distance along each of the first K; decoding adds those amounts back."""
    mean = X_train.mean(axis=0)
    _, singular_values, Vt = np.linalg.svd(X_train - mean, full_matrices=False)
    # A direction and its opposite fit equally well: take scikit-learn's, to compare codes in (a).
    for i in range(len(Vt)):
        if Vt[i, np.abs(Vt[i]).argmax()] < 0:
            Vt[i] = -Vt[i]
    model = LinearAutoencoder(mean, W_enc=Vt[:latent_dim], W_dec=Vt[:latent_dim].T)
    return model, singular_values**2 / len(X_train)


def compare(X_train, X_test, pca, variances, trained, A):
    """(a), (b) and (c), each as (its name in the JSON, its value, its limit, a sentence)."""
    k = len(pca.W_enc)
    sklearn = PCA(n_components=k, svd_solver="full").fit(X_train)
    codes = sklearn.transform(X_test)
    code_diff = np.abs(codes - pca.encode(X_test)).max()
    pixel_diff = np.abs(sklearn.inverse_transform(codes) - pca.decode(pca.encode(X_test))).max()
    pca_mse = mse(X_train, pca.decode(pca.encode(X_train)))
    dropped = variances[k:].sum() / N_PIXELS  # per pixel, as the MSE averages over pixels
    gap = abs(pca_mse - dropped) / pca_mse
    trained_mse = mse(X_train, trained.decode(trained.encode(X_train)))
    excess = trained_mse / pca_mse - 1
    angle = np.degrees(subspace_angles(trained.W_dec, pca.W_dec).max())  # planes: decoders' spans
    trained_codes = trained.encode(X_test)
    misfit = np.linalg.norm(trained_codes - pca.encode(X_test) @ A.T)
    misfit /= np.linalg.norm(trained_codes)
    a = f"(a) scikit-learn's PCA: codes {code_diff:.0e} off"
    b = f"(b) the variance it drops, per pixel, {dropped:.6f}, and its train MSE {pca_mse:.6f}:"
    c = f"(c) the trained autoencoder: train MSE {trained_mse:.6f}, PCA's {pca_mse:.6f}:"
    return [
        ("pca_code_max_diff", code_diff, 1e-8, a),
        ("pca_pixel_max_diff", pixel_diff, 1e-8, f"    and rebuilt pixels {pixel_diff:.0e} off"),
        ("dropped_variance_gap", gap, 1e-10, f"{b}\n    a relative {gap:.0e} apart"),
        ("trained_mse_excess", excess, 1e-3, f"{c}\n    a relative {excess:.0e} above"),
        ("trained_plane_angle_deg", angle, 1.0, f"    its plane {angle:.5f} degrees from PCA's"),
        ("trained_code_misfit", misfit, 1e-3, f"    its code A times PCA's, off by {misfit:.0e}"),
    ]


def image_mosaic(rows):
    """Rows of 8x8 images as one array, blank (NaN) between tiles; tile i is centred at 3.5 + 9i."""
    mosaic = np.full((9 * len(rows) - 1, 9 * len(rows[0]) - 1), np.nan)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            mosaic[9 * i : 9 * i + 8, 9 * j : 9 * j + 8] = image.reshape(8, 8)
    return mosaic


def plot_ladder(X_train, X_test, y_test):
    """Ten test digits rebuilt by PCA from 0, 1, 2, 4, ... 64 numbers; the first ten directions."""
    full, _ = fit_pca(X_train, N_PIXELS)
    picks = [np.flatnonzero(y_test == digit)[0] for digit in range(10)]
    rows = [X_test[picks]]
    labels = ["original"]
    for k in LADDER:
        pca = LinearAutoencoder(full.mean, full.W_enc[:k], full.W_dec[:, :k])
        rebuilt = pca.decode(pca.encode(X_test))
        rows.append(rebuilt[picks])
        labels.append(f"K={k}: {mse(X_test, rebuilt):.4f}")
    fig = Figure(figsize=(8.3, 4.65), layout="compressed")
    ax_ladder, ax_directions = fig.subplots(1, 2, width_ratios=[10, 2])
    ax_ladder.imshow(image_mosaic(rows), cmap="gray_r", vmin=0, vmax=1)
    ax_ladder.set_yticks(3.5 + 9 * np.arange(len(rows)), labels)
    ax_ladder.set(xticks=[], title="Rebuilt from K numbers (K: test MSE)")
    directions = full.W_enc[:10]
    limit = np.abs(directions).max()
    mosaic = image_mosaic(list(zip(directions[:5], directions[5:], strict=True)))
    ax_directions.imshow(mosaic, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax_directions.set_xticks([3.5, 12.5], ["v1-v5", "v6-v10"])
    ax_directions.set(yticks=[], title="Directions", xlabel="red adds ink,\nblue takes it")
    fig.suptitle("PCA rebuilds a digit as the average (K=0) plus K directions; K=64 copies it")
    return fig


def plot_codes(pca_codes, trained_codes, A, digits):
    """(c) as a picture: the test digits in PCA's code and in the trained autoencoder's."""
    k = len(A)
    fig = Figure(figsize=(8.3, 4.65), layout="constrained")
    panels = [(pca_codes, np.eye(k), "PCA"), (trained_codes, A, "trained autoencoder")]
    reach = 1.05 * max(np.abs(pca_codes).max(), np.abs(trained_codes).max())
    for ax, (codes, axes_map, name) in zip(fig.subplots(1, 2), panels, strict=True):
        if k > 1:  # the same scale on both axes of both panels, so a turned code looks turned
            ax.set(aspect="equal", xlim=(-reach, reach), ylim=(-reach, reach))
        if k == 2:  # where PCA's axes go (with more code numbers, these are only 2 of K)
            ax.axline((0, 0), axes_map[:, 0], color="black", lw=2, label="PCA's z1 axis")
            ax.axline((0, 0), axes_map[:, 1], color="black", lw=2, ls="--", label="PCA's z2 axis")
        for digit in range(10):  # each digit drawn as its numeral: colour is a second cue
            z = codes[digits == digit]
            y = z[:, 1] if k > 1 else np.full(len(z), digit)  # K=1: a row for each digit
            ax.scatter(z[:, 0], y, marker=f"${digit}$", color=DIGIT_COLOURS[digit], s=80, lw=0)
        ylabel = "z2, the second code number" if k > 1 else "the digit (not in the code)"
        ax.set(title=f"{name}'s code", xlabel="z1, the first code number", ylabel=ylabel)
    if k == 2:
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    fig.suptitle(f"The test digits in two linear codes, K={k}: the same cloud, up to A")
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description="A linear autoencoder, trained, is PCA.")
    k_help = "code size, 1 to 32 (past 32, training grows slow)"
    parser.add_argument(
        "--latent-dim", type=int, choices=range(1, 33), default=2, metavar="K", help=k_help
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random start")
    parser.add_argument("--out", type=Path, default=ASSETS, help="folder for the files")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error("--seed: at least 0")
    k = args.latent_dim
    X_train, X_test, _, y_test = load_data()
    print(f"A linear autoencoder, 64 pixels -> {k} -> 64, trained on {len(X_train)} digits:")
    trained, steps = train(X_train, k, args.seed)
    pca, variances = fit_pca(X_train, k)
    A = trained.W_enc @ pca.W_dec  # if W_enc = A V_K^T, then W_enc V_K = A (V_K: PCA's W_dec)
    print("Is it PCA? PCA from the SVD, compared with")
    comparisons = compare(X_train, X_test, pca, variances, trained, A)
    for _, _, limit, sentence in comparisons:
        print(f"{sentence} (at most {limit:g})")
    failed = [name for name, value, limit, _ in comparisons if not value <= limit]  # NaN: not <=
    if failed:
        sys.exit(f"00_scratch.py: comparison failed: {', '.join(failed)}; no files were written")
    singular_values = np.linalg.svd(A, compute_uv=False)
    stretch = f"{singular_values.min():.3f} to {singular_values.max():.3f}"
    print(f"    A stretches codes by {stretch}, never by 0, so A is invertible.")
    print("The trained linear autoencoder is PCA, up to A in its code.")
    metrics = {"latent_dim": k, "seed": args.seed, "n_train": len(X_train), "n_test": len(X_test)}
    for name, model in [("pca", pca), ("trained", trained)]:
        train_mse, test_mse = (mse(X, model.decode(model.encode(X))) for X in (X_train, X_test))
        metrics[name] = {"train_mse": train_mse, "test_mse": test_mse}
    metrics["trained"] |= {"steps": steps, "code_map_singular_values": singular_values.tolist()}
    metrics["comparisons"] = {name: [float(value), limit] for name, value, limit, _ in comparisons}
    ladder = plot_ladder(X_train, X_test, y_test)
    codes = plot_codes(pca.encode(X_test), trained.encode(X_test), A, y_test)
    args.out.mkdir(parents=True, exist_ok=True)
    ladder.savefig(args.out / "scratch_reconstruction.png", dpi=150)
    codes.savefig(args.out / "scratch_latent_space.png", dpi=150)
    (args.out / "scratch_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"Wrote scratch_reconstruction.png, scratch_latent_space.png, the JSON to {args.out}")


if __name__ == "__main__":
    main()
