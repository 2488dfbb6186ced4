"""The best linear autoencoder is PCA: built from the SVD in NumPy, then checked three ways.

(a) Its codes and reconstructions are scikit-learn's PCA's; (b) its train MSE is the variance it
throws away, per pixel; (c) plain gradient descent with hand-derived gradients finds the same plane,
its code PCA's times an invertible matrix A. A failed check exits 1 and writes nothing.

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
GD_INIT_SCALE = 1e-2  # a small random start: the fit is learnt, not given
GD_GRADIENT_TOL = 1e-7  # stop where the gradient has all but vanished
GD_MAX_STEPS = 100_000  # enough for every K to 32; the slowest, K=28, takes about 40,000
LADDER = (0, 1, 2, 4, 8, 16, 32)  # the code sizes drawn one above the other
ASSETS = Path(__file__).parent / "assets"  # the README's pictures and numbers


def load_data():
    """The 8x8 digits, pixels in [0, 1], split 80/20 exactly as 01_pytorch.py splits them."""
    digits = load_digits()
    return train_test_split(digits.data / 16.0, digits.target, test_size=0.2, random_state=42)


# ------------------------------------------------------------------ the SVD autoencoder
class LinearAutoencoder(NamedTuple):  # z = W_enc (x - mean), then x_hat = mean + W_dec z
    mean: np.ndarray  # the average train digit: a code says how a digit differs from it
    W_enc: np.ndarray  # K x 64
    W_dec: np.ndarray  # 64 x K

    def encode(self, X):
        return (X - self.mean) @ self.W_enc.T

    def decode(self, Z):
        return self.mean + Z @ self.W_dec.T


def fit_svd_autoencoder(X_train, latent_dim):
    """The best linear autoencoder with a K-number code, from the SVD; and the variances.

    Centre the digits and take the SVD, X - mean = U S V^T. The rows of V^T are the principal
    directions, most variance first; the variance along row i (an eigenvalue) is S_i^2 / n.
    Encoder z = V_K^T (x - mean); decoder x_hat = mean + V_K z = mean + z_1 v_1 + ... + z_K v_K."""
    mean = X_train.mean(axis=0)
    _, singular_values, Vt = np.linalg.svd(X_train - mean, full_matrices=False)
    # Either sign of a direction fits as well: take sklearn's, so check a can compare the codes.
    for i in range(len(Vt)):
        if Vt[i, np.abs(Vt[i]).argmax()] < 0:
            Vt[i] = -Vt[i]
    model = LinearAutoencoder(mean, W_enc=Vt[:latent_dim], W_dec=Vt[:latent_dim].T)
    return model, singular_values**2 / len(X_train)


def mse(X, X_hat):  # the mean over digits and all 64 pixels of the squared error
    return float(np.mean((X - X_hat) ** 2))


# ------------------------------------------------------------------ gradient descent
def loss_and_gradients(W_enc, W_dec, cov):
    """The MSE of the linear autoencoder x_hat = W_dec W_enc x on centred digits, and its gradients.

    A digit's error is x_hat - x = E x, with E = W_dec W_enc - I. Averaged over the n digits (the
    rows of X) and d = 64 pixels, the squared error is L = trace(E C E^T) / d, C = X^T X / n being
    their covariance: the digits enter only through C, so a step costs the same however many
    there are. By hand (the tests check them against finite differences), the gradients are

        dL/dW_dec = (2/d) E C W_enc^T,        dL/dW_enc = (2/d) W_dec^T E C."""
    d = len(cov)
    error_map = W_dec @ W_enc - np.eye(d)
    error_cov = W_dec @ (W_enc @ cov) - cov  # E C, without a 64 x 64 x 64 product
    loss = np.sum(error_cov * error_map) / d  # trace(P Q^T) is the sum of P * Q
    grad_dec = 2 / d * error_cov @ W_enc.T
    grad_enc = 2 / d * W_dec.T @ error_cov
    return loss, grad_enc, grad_dec


def gradient_descent(cov, latent_dim, seed):
    """Train a linear autoencoder by plain gradient descent; returns W_enc, W_dec and the steps.

    The start is balanced (W_enc = W_dec^T) and stays nearly so: A comes out nearly a rotation or
    a mirror. The step is 1/c, c = 4 lambda_max / d being the loss's largest curvature. Each
    direction is learnt at a speed set by its variance: close variances take long to tell apart."""
    W_dec = GD_INIT_SCALE * np.random.default_rng(seed).standard_normal((len(cov), latent_dim))
    W_enc = W_dec.T.copy()
    step_size = len(cov) / (4 * np.linalg.eigvalsh(cov)[-1])
    for step in range(GD_MAX_STEPS):
        _, grad_enc, grad_dec = loss_and_gradients(W_enc, W_dec, cov)
        if np.sqrt(np.sum(grad_enc**2) + np.sum(grad_dec**2)) < GD_GRADIENT_TOL:
            return W_enc, W_dec, step  # a critical point: for this loss, the optimum or a saddle
        W_enc -= step_size * grad_enc
        W_dec -= step_size * grad_dec
    return W_enc, W_dec, GD_MAX_STEPS


# ------------------------------------------------------------------ the three checks
CHECKS = {  # each check's name in scratch_metrics.json: (what it measures, its limit)
    "pca_code_max_diff": ("a. its codes: largest difference from PCA's", 1e-8),
    "pca_pixel_max_diff": ("a. its rebuilt digits: largest pixel difference", 1e-8),
    "discarded_variance_gap": ("b. train MSE vs dropped directions' variance: rel. gap", 1e-10),
    "gd_mse_excess": ("c. gradient descent's train MSE vs SVD's: rel. excess", 1e-3),
    "gd_subspace_angle_deg": ("c. largest angle between its plane and PCA's, degrees", 1.0),
    "gd_code_map_residual": ("c. its codes vs A times PCA's codes: rel. distance", 1e-3),
}


def run_checks(X_train, X_test, model, train_mse, eigenvalues, gd, A):
    """Checks a, b and c of the SVD autoencoder `model` and gradient descent's `gd`."""
    k = len(model.W_enc)
    pca = PCA(n_components=k, svd_solver="full").fit(X_train)
    pca_codes = pca.transform(X_test)
    pca_recon = pca.inverse_transform(pca_codes)
    codes = model.encode(X_test)
    discarded_variance = eigenvalues[k:].sum() / N_PIXELS
    gd_codes = gd.encode(X_test)
    code_misfit = np.linalg.norm(gd_codes - codes @ A.T)
    angle = np.degrees(subspace_angles(gd.W_dec, model.W_dec).max())  # planes: decoders' spans
    return {
        "pca_code_max_diff": np.max(np.abs(pca_codes - codes)),
        "pca_pixel_max_diff": np.max(np.abs(pca_recon - model.decode(codes))),
        "discarded_variance_gap": abs(train_mse - discarded_variance) / train_mse,
        "gd_mse_excess": mse(X_train, gd.decode(gd.encode(X_train))) / train_mse - 1,
        "gd_subspace_angle_deg": angle,
        "gd_code_map_residual": code_misfit / np.linalg.norm(gd_codes),
    }


# ------------------------------------------------------------------ pictures
def image_mosaic(rows):
    """Rows of 8x8 images as one array, blank (NaN) between tiles; tile i is centred at 3.5 + 9i."""
    mosaic = np.full((9 * len(rows) - 1, 9 * len(rows[0]) - 1), np.nan)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            mosaic[9 * i : 9 * i + 8, 9 * j : 9 * j + 8] = image.reshape(8, 8)
    return mosaic


def plot_ladder(X_train, X_test, y_test, k):
    """Ten test digits rebuilt from 0, 1, 2, 4, ... 32 principal directions; the first ten."""
    full, _ = fit_svd_autoencoder(X_train, N_PIXELS)
    picks = [np.flatnonzero(y_test == digit)[0] for digit in range(10)]
    rows = [X_test[picks]]
    labels = ["original"]
    for size in sorted(set(LADDER) | {k}):
        model = LinearAutoencoder(full.mean, full.W_enc[:size], full.W_dec[:, :size])
        recon = model.decode(model.encode(X_test))
        rows.append(recon[picks])
        name = f"K={size}" if size else "K=0: the average"
        labels.append(f"{name}\ntest MSE {mse(X_test, recon):.4f}")
    fig = Figure(figsize=(7, 1.3 + 0.6 * len(rows)), layout="compressed")
    ax_ladder, ax_directions = fig.subplots(2, 1, height_ratios=[len(rows), 1.8])
    ax_ladder.imshow(image_mosaic(rows), cmap="gray_r", vmin=0, vmax=1)
    ax_ladder.set(xticks=[], title="Ten test digits rebuilt by PCA from K numbers, one K a row")
    ax_ladder.set_yticks(3.5 + 9 * np.arange(len(rows)), labels)
    directions = full.W_enc[:10]
    limit = np.abs(directions).max()
    ax_directions.imshow(image_mosaic([directions]), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax_directions.set_xticks(3.5 + 9 * np.arange(10), [f"v{i}" for i in range(1, 11)])
    title = "The first ten principal directions:\nthe decoder draws mean + z1 v1 + ... + zK vK"
    ax_directions.set(yticks=[], title=f"{title}\n(red adds ink where its code number is positive)")
    return fig


def plot_codes(pca_codes, gd_codes, A, digits):
    """Check c as a picture: the test digits in PCA's code and in gradient descent's."""
    k = len(A)
    fig = Figure(figsize=(8.8, 4.8), layout="constrained")
    panels = [(pca_codes, np.eye(k), "PCA"), (gd_codes, A, "gradient descent")]
    reach = 1.05 * max(np.abs(pca_codes).max(), np.abs(gd_codes).max())
    for ax, (codes, axes_map, title) in zip(fig.subplots(1, 2), panels, strict=True):
        # The same scale on both axes of both panels, so that a turned code looks turned.
        ax.set(aspect="equal", xlim=(-reach, reach), ylim=(-reach, reach))
        if k == 2:  # where PCA's axes go (with more code numbers, these are only 2 of K)
            ax.axline((0, 0), axes_map[:, 0], color="black", lw=1, label="PCA's z1 axis")
            ax.axline((0, 0), axes_map[:, 1], color="black", lw=1, ls="--", label="PCA's z2 axis")
            ax.legend(loc="best")
        for digit in range(10):  # each digit drawn as its numeral: no colour needed to tell them
            z = codes[digits == digit]
            ax.scatter(z[:, 0], z[:, 1], marker=f"${digit}$", color=f"C{digit}", s=45, lw=0)
        ax.set(title=f"{title}'s code", xlabel="z1, the first code number")
        ax.set_ylabel("z2, the second code number")
    shown = "the same code, turned or mirrored" if k == 2 else f"their first 2 of {k} numbers"
    fig.suptitle(f"The {len(digits)} test digits in two linear codes, K={k}: {shown}")
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description="A linear autoencoder from the SVD is PCA.")
    k_help = "code size, 2 to 32: the picture draws 2 code numbers; past 32 check c grows slow"
    parser.add_argument(
        "--latent-dim", type=int, choices=range(2, 33), default=2, metavar="K", help=k_help
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of gradient descent's start")
    parser.add_argument("--out", type=Path, default=ASSETS, help="folder for the files")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error("--seed: at least 0")
    k = args.latent_dim
    X_train, X_test, _, y_test = load_data()
    model, eigenvalues = fit_svd_autoencoder(X_train, k)
    train_mse = mse(X_train, model.decode(model.encode(X_train)))
    test_mse = mse(X_test, model.decode(model.encode(X_test)))
    print(f"Linear autoencoder from the SVD, K={k}: train MSE {train_mse:.6f}, test {test_mse:.6f}")
    cov = np.cov(X_train, rowvar=False, bias=True)  # (X - mean)^T (X - mean) / n
    W_enc, W_dec, steps = gradient_descent(cov, k, args.seed)
    gd = LinearAutoencoder(model.mean, W_enc, W_dec)
    print(f"Gradient descent from a random start: {steps} steps.\n\nIs it PCA? Three checks:")
    A = W_enc @ model.W_dec  # if W_enc = A V_K^T, then W_enc V_K = A (V_K: PCA's W_dec)
    checks = run_checks(X_train, X_test, model, train_mse, eigenvalues, gd, A)
    failed = []
    for name, value in checks.items():
        label, limit = CHECKS[name]
        passed = value <= limit  # NaN fails: any comparison with NaN is False
        print(f"  {label:55s}{value:8.1e}  limit {limit:g}  {'PASS' if passed else 'FAIL'}")
        if not passed:
            failed.append(name)
    if failed:
        sys.exit(f"00_scratch.py: check failed: {', '.join(failed)}; no files were written")
    singular_values = np.linalg.svd(A, compute_uv=False)
    print(f"  c. A's singular values, none near 0 (A is invertible): {singular_values.round(4)}")
    print("All three checks passed: the best linear autoencoder is PCA, up to A in its code.")
    metrics = {"latent_dim": k, "seed": args.seed, "n_train": len(X_train), "n_test": len(X_test)}
    metrics["svd_autoencoder"] = {"train_mse": train_mse, "test_mse": test_mse}
    metrics["checks"] = {name: [float(value), CHECKS[name][1]] for name, value in checks.items()}
    gd_mse = [mse(X, gd.decode(gd.encode(X))) for X in (X_train, X_test)]
    metrics["gradient_descent"] = {"steps": steps, "train_mse": gd_mse[0], "test_mse": gd_mse[1]}
    metrics["gradient_descent"]["code_map_singular_values"] = singular_values.tolist()
    ladder = plot_ladder(X_train, X_test, y_test, k)
    codes = plot_codes(model.encode(X_test), gd.encode(X_test), A, y_test)
    args.out.mkdir(parents=True, exist_ok=True)
    ladder.savefig(args.out / "scratch_reconstruction.png", dpi=150)
    codes.savefig(args.out / "scratch_latent_space.png", dpi=150)
    (args.out / "scratch_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"Wrote scratch_reconstruction.png, scratch_latent_space.png, the JSON to {args.out}")


if __name__ == "__main__":
    main()
