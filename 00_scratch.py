"""A linear autoencoder is PCA: built from the SVD in NumPy, then checked four ways.

An autoencoder squeezes each input x through a narrow code and rebuilds it:

    z = f(x)        (encoder: 64 pixels -> K numbers, the latent code)
    x_hat = g(z)    (decoder: K numbers -> 64 pixels)

and is trained to make the reconstruction error |x - x_hat|^2 small. When f and g are linear
the best possible autoencoder is known in closed form: centre the data, project it onto the K
directions of largest variance (the top K principal directions, from the SVD), and map back.
That is PCA. This script builds that autoencoder directly and then *checks* the claim:

  a. its reconstructions are those of scikit-learn's PCA, to rounding error;
  b. its train error equals the variance PCA throws away (the Eckart-Young theorem);
  c. a linear autoencoder trained by gradient descent from a random start, with gradients
     derived by hand, reaches the same error and the same subspace (Baldi & Hornik, 1989);
  d. ... but not the same axes: any rotation of the code works equally well, so plain gradient
     descent lands on an arbitrary mix of the principal directions. A small L2 penalty breaks
     the tie and recovers the principal directions themselves (Kunin et al., 2019).

Each check prints its number and PASS or FAIL. The script writes three plots and a metrics JSON.

Run it:

    python 00_scratch.py                     # K=2; writes assets/scratch_*.png and *.json
    python 00_scratch.py --latent-dim 8      # any K from 1 to 64
    python 00_scratch.py --out /tmp/ae       # write somewhere else

Data: the 8x8 digits that ship with scikit-learn, pixels scaled to [0, 1], 1437 train / 360
test. The model is NumPy only; scikit-learn loads the data and provides the PCA to compare with.
"""

import argparse
import io
import json
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
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

# ----------------------------------------------------------------------------- configuration
DEFAULT_OUT = Path(__file__).resolve().parent / "assets"
N_PIXELS = 64  # d: an 8x8 image is a vector of 64 numbers

PCA_MATCH_TOL = 1e-8  # check a: max |SVD-AE recon - sklearn recon|
ECKART_YOUNG_TOL = 1e-10  # check b: relative gap between train MSE and discarded variance
GD_MSE_RATIO_TOL = 1.001  # check c: GD train MSE within 0.1% of the optimum
ANGLE_TOL_DEG = 1.0  # checks c and d: angles between subspaces / axes

GD_MAX_STEPS = 20_000
GD_GRAD_TOL = 1e-10  # stop at a critical point: gradient norm below this
GD_INIT_SCALE = 1e-2  # small random start, near the (unstable) all-zero saddle
L2_PENALTY = 1e-3  # in eigenvalue units: components with variance below it are switched off
# Steps at which to keep a snapshot of the weights for the plot: evenly spaced on a log axis.
RECORD_STEPS = set(np.unique(np.geomspace(1, GD_MAX_STEPS, 100).astype(int) - 1).tolist())


# ----------------------------------------------------------------------------- data
def load_data():
    """The 8x8 digits, pixels in [0, 1], split 80/20 exactly as 01_pytorch.py splits them."""
    digits = load_digits()
    X = digits.data / 16.0
    return train_test_split(X, digits.target, test_size=0.2, random_state=42)


# ----------------------------------------------------------------------------- model
def fit_svd_autoencoder(X_train, latent_dim):
    """The optimal linear autoencoder, in closed form.

    Centre with the train mean mu, take the SVD X - mu = U S V^T. The columns of V are the
    principal directions; the eigenvalues of the covariance (1/n)(X - mu)^T (X - mu) are S^2 / n.
    The encoder keeps the top-K directions, V_k, and the decoder is its transpose.
    """
    mean = X_train.mean(axis=0)
    _, singular_values, Vt = np.linalg.svd(X_train - mean, full_matrices=False)
    eigenvalues = singular_values**2 / len(X_train)
    return mean, Vt[:latent_dim].T, eigenvalues


def encode(X, mean, components):
    """z = V_k^T (x - mu): the coordinates of x along the top-K principal directions."""
    return (X - mean) @ components


def decode(Z, mean, components):
    """x_hat = V_k z + mu: back to pixel space, in the K-dimensional subspace through mu."""
    return Z @ components.T + mean


def reconstruction_mse(X, X_hat):
    """Mean over samples and all 64 pixels of the squared error."""
    return float(np.mean((X - X_hat) ** 2))


# ----------------------------------------------------------------------------- gradient descent
def linear_ae_loss_and_gradients(W_enc, W_dec, cov, penalty=0.0):
    """MSE of the linear autoencoder x_hat = W_dec W_enc x on centred data, and its gradients.

    For centred x with covariance C = X^T X / n, the mean squared error over samples and d
    pixels is

        L = (1/d) tr[(W_dec W_enc - I) C (W_dec W_enc - I)^T]

    so the data enter only through the 64x64 matrix C, and a step costs the same whatever n.
    With E = W_dec W_enc - I, the gradients (derived by hand, checked by finite differences in
    tests/test_scratch.py) are

        dL/dW_dec = (2/d) E C W_enc^T,        dL/dW_enc = (2/d) W_dec^T E C.

    The optional L2 penalty adds (p/d)(|W_enc|^2 + |W_dec|^2), with gradient (2p/d) W.
    """
    d = cov.shape[0]
    error_map = W_dec @ W_enc - np.eye(d)
    error_cov = W_dec @ (W_enc @ cov) - cov  # = E C, without a 64x64x64 product
    loss = np.sum(error_cov * error_map) / d
    grad_dec = 2 / d * error_cov @ W_enc.T
    grad_enc = 2 / d * W_dec.T @ error_cov
    if penalty:
        loss += penalty / d * (np.sum(W_enc**2) + np.sum(W_dec**2))
        grad_dec += 2 * penalty / d * W_dec
        grad_enc += 2 * penalty / d * W_enc
    return loss, grad_enc, grad_dec


def train_linear_autoencoder(cov, latent_dim, seed, penalty=0.0):
    """Gradient descent from a small random start. Returns weights, steps taken and snapshots.

    Step size: near the optimum the loss curves by at most 4 * lambda_max / d along any
    direction, so a step of d / (4 * lambda_max) is the classic 1/L choice.

    Plain gradient descent moves along each principal direction at a speed proportional to its
    variance, and the digits' smallest variances are ~1e5 times smaller than the largest. So we
    use Nesterov's momentum, which turns that factor into roughly its square root, and restart the
    momentum whenever the loss goes up (O'Donoghue & Candes, 2015), which keeps it stable on this
    non-convex loss. The gradients are still only the hand-derived ones above.

    The encoder starts as the transpose of the decoder. Gradient descent (almost) preserves
    W_enc W_enc^T - W_dec^T W_dec, so a tied start stays balanced and never needs a smaller step.
    """
    rng = np.random.default_rng(seed)
    d = cov.shape[0]
    W_dec = GD_INIT_SCALE * rng.standard_normal((d, latent_dim))
    W_enc = W_dec.T.copy()
    step_size = d / (4 * np.linalg.norm(cov, 2))
    velocity_enc, velocity_dec = np.zeros_like(W_enc), np.zeros_like(W_dec)
    snapshots = []
    previous_loss, steps_since_restart, steps = np.inf, 0, GD_MAX_STEPS
    for step in range(GD_MAX_STEPS):
        if step in RECORD_STEPS:
            snapshots.append((step, W_enc.copy(), W_dec.copy()))
        momentum = steps_since_restart / (steps_since_restart + 3)
        loss, grad_enc, grad_dec = linear_ae_loss_and_gradients(
            W_enc + momentum * velocity_enc, W_dec + momentum * velocity_dec, cov, penalty
        )
        if np.sqrt(np.sum(grad_enc**2) + np.sum(grad_dec**2)) < GD_GRAD_TOL:
            steps = step
            break
        if loss > previous_loss:  # the momentum overshot: forget it and start again
            velocity_enc, velocity_dec = np.zeros_like(W_enc), np.zeros_like(W_dec)
            steps_since_restart = 0
        previous_loss, steps_since_restart = loss, steps_since_restart + 1
        velocity_enc = momentum * velocity_enc - step_size * grad_enc
        velocity_dec = momentum * velocity_dec - step_size * grad_dec
        W_enc, W_dec = W_enc + velocity_enc, W_dec + velocity_dec
    snapshots.append((steps, W_enc.copy(), W_dec.copy()))
    return W_enc, W_dec, steps, snapshots


# ----------------------------------------------------------------------------- evaluation
def largest_principal_angle_deg(basis, directions):
    """Largest angle (degrees) between span(directions) and its projection on span(basis).

    `directions` has orthonormal columns. The sine of the largest principal angle is the
    largest singular value of the part of `directions` that span(basis) cannot reach; using
    sines keeps tiny angles accurate (arccos of a cosine near 1 would round them to ~1e-6 deg).
    """
    q, _ = np.linalg.qr(basis)
    residual = directions - q @ (q.T @ directions)
    return float(np.degrees(np.arcsin(min(1.0, np.linalg.norm(residual, 2)))))


def component_angles_deg(W_dec, principal_directions):
    """Angle between each left singular vector of the decoder and the matching principal axis."""
    left_singular_vectors, _, _ = np.linalg.svd(W_dec, full_matrices=False)
    return [
        largest_principal_angle_deg(left_singular_vectors[:, [i]], principal_directions[:, [i]])
        for i in range(principal_directions.shape[1])
    ]


def gd_reconstruction_mse(X, mean, W_enc, W_dec):
    return reconstruction_mse(X, (X - mean) @ W_enc.T @ W_dec.T + mean)


def run_checks(X_train, X_test, latent_dim, seed):
    """Fit the SVD autoencoder, run checks a-d, and return everything the report and plots use."""
    d = X_train.shape[1]
    mean, components, eigenvalues = fit_svd_autoencoder(X_train, latent_dim)
    train_mse = reconstruction_mse(
        X_train, decode(encode(X_train, mean, components), mean, components)
    )
    test_recon = decode(encode(X_test, mean, components), mean, components)
    test_mse = reconstruction_mse(X_test, test_recon)
    # The rank of the centred train data: beyond it the eigenvalues are rounding noise (~1e-33),
    # the reconstruction is exact, and directions of zero variance are not identified at all.
    rank = int(np.sum(eigenvalues > eigenvalues[0] * 1e-12))
    identified = components[:, : min(latent_dim, rank)]

    # a. scikit-learn's PCA, fit on the same train set.
    pca = PCA(n_components=latent_dim, svd_solver="full").fit(X_train)
    pca_max_abs_diff = float(
        np.max(np.abs(pca.inverse_transform(pca.transform(X_test)) - test_recon))
    )

    # b. Eckart-Young: the best rank-K fit leaves exactly the discarded variance as error.
    discarded_variance = float(eigenvalues[latent_dim:].sum() / d)
    exact = latent_dim >= rank
    eckart_young_rel_gap = None if exact else abs(train_mse - discarded_variance) / train_mse

    # c. Gradient descent from a random start, on the train covariance.
    X_centred = X_train - mean
    cov = X_centred.T @ X_centred / len(X_train)
    started = time.perf_counter()
    gd_enc, gd_dec, gd_steps, gd_snapshots = train_linear_autoencoder(cov, latent_dim, seed)
    gd_seconds = time.perf_counter() - started
    gd_train_mse = gd_reconstruction_mse(X_train, mean, gd_enc, gd_dec)
    gd_mse_ratio = None if exact else gd_train_mse / train_mse
    gd_subspace_angle = largest_principal_angle_deg(gd_dec, identified)
    plain_component_angle = max(component_angles_deg(gd_dec, identified))

    # d. The same model with an L2 penalty: its decoder's left singular vectors are the axes.
    # A component survives the penalty only if its eigenvalue exceeds it (its weight is
    # sqrt(1 - penalty / eigenvalue)); weaker components are switched off, so they are excluded.
    started = time.perf_counter()
    l2_enc, l2_dec, l2_steps, l2_snapshots = train_linear_autoencoder(
        cov, latent_dim, seed, penalty=L2_PENALTY
    )
    l2_seconds = time.perf_counter() - started
    n_axes = int(np.sum(eigenvalues[: min(latent_dim, rank)] > L2_PENALTY))
    l2_component_angles = component_angles_deg(l2_dec, components[:, :n_axes])

    return {
        "latent_dim": latent_dim,
        "rank": rank,
        "eigenvalues": eigenvalues,
        "mean": mean,
        "components": components,
        "train_mse": train_mse,
        "test_mse": test_mse,
        "test_recon": test_recon,
        "pca_max_abs_diff": pca_max_abs_diff,
        "discarded_variance": discarded_variance,
        "eckart_young_rel_gap": eckart_young_rel_gap,
        "gd": {
            "steps": gd_steps,
            "seconds": gd_seconds,
            "train_mse": gd_train_mse,
            "test_mse": gd_reconstruction_mse(X_test, mean, gd_enc, gd_dec),
            "mse_ratio": gd_mse_ratio,
            "subspace_angle": gd_subspace_angle,
            "component_angle": plain_component_angle,
            "snapshots": gd_snapshots,
        },
        "l2": {
            "steps": l2_steps,
            "seconds": l2_seconds,
            "n_axes": n_axes,
            "component_angle": max(l2_component_angles, default=0.0),
            "snapshots": l2_snapshots,
        },
        "identified": identified,
        "cov": cov,
    }


# ----------------------------------------------------------------------------- report
def print_report(r, n_train, n_test):
    """Print the four checks, each with its number, its limit and PASS or FAIL."""
    k, d, gd, l2 = r["latent_dim"], N_PIXELS, r["gd"], r["l2"]
    failed = []

    def check(name, value, limit):
        if value > limit:
            failed.append(name)
            return "FAIL"
        return "PASS"

    print(
        f"Linear autoencoder from the SVD, K={k} ({n_train} train / {n_test} test digits, {d} px)"
    )
    print(f"  train MSE {r['train_mse']:.6f}   test MSE {r['test_mse']:.6f}")
    print("\nIs it PCA? Four checks.")
    a = check("a", r["pca_max_abs_diff"], PCA_MATCH_TOL)
    print(f"a. same test reconstructions as sklearn PCA({k}):")
    print(f"     max |difference| = {r['pca_max_abs_diff']:.1e}  (limit {PCA_MATCH_TOL:g})  {a}")
    print(f"b. Eckart-Young: train MSE = sum of discarded eigenvalues / {d}:")
    if r["eckart_young_rel_gap"] is None:
        print(
            f"     n/a: the centred train data have rank {r['rank']} <= K, so nothing is"
            f" discarded and the reconstruction is exact (train MSE {r['train_mse']:.1e});"
            " a relative gap would be 0/0."
        )
    else:
        b = check("b", r["eckart_young_rel_gap"], ECKART_YOUNG_TOL)
        print(
            f"     {r['train_mse']:.10f} vs {r['discarded_variance']:.10f}:"
            f" relative gap {r['eckart_young_rel_gap']:.1e}  (limit {ECKART_YOUNG_TOL:g})  {b}"
        )
    print(
        f"c. gradient descent from a random start, hand-derived gradients"
        f" ({gd['steps']} steps, {gd['seconds']:.2f} s):"
    )
    if gd["mse_ratio"] is None:
        print(
            f"     train MSE {gd['train_mse']:.1e}: n/a as a ratio, the optimum is 0"
            f" (rank {r['rank']} <= K)."
        )
    else:
        c1 = check("c (MSE)", gd["mse_ratio"], GD_MSE_RATIO_TOL)
        print(f"     train MSE GD / SVD = {gd['mse_ratio']:.6f}  (limit {GD_MSE_RATIO_TOL})  {c1}")
    m = r["identified"].shape[1]
    c2 = check("c (angle)", gd["subspace_angle"], ANGLE_TOL_DEG)
    span_note = "" if m == k else f" (only {m} have non-zero variance; the rest are arbitrary)"
    print(
        f"     largest principal angle, decoder span vs top-{m} PCs{span_note}:"
        f" {gd['subspace_angle']:.1e} deg  (limit {ANGLE_TOL_DEG:g})  {c2}"
    )
    print("d. the subspace, not the axes:")
    if k == 1:
        print("     with K=1 the subspace is a single axis: there is nothing to mix.")
    else:
        print(
            f"     plain GD decoder's own directions vs the PCs: largest angle"
            f" {gd['component_angle']:.1f} deg (any rotation of the code fits equally well)"
        )
    d_ok = check("d", l2["component_angle"], ANGLE_TOL_DEG)
    print(
        f"     with L2 penalty {L2_PENALTY:g} ({l2['steps']} steps, {l2['seconds']:.2f} s):"
        f" decoder's left singular vectors vs PCs 1-{l2['n_axes']}: largest angle"
        f" {l2['component_angle']:.1e} deg  (limit {ANGLE_TOL_DEG:g})  {d_ok}"
    )
    if l2["n_axes"] < m:
        print(
            f"     PCs {l2['n_axes'] + 1}-{m} are excluded: their eigenvalues"
            f" (<= {r['eigenvalues'][l2['n_axes']]:.1e}) are below the penalty, so the optimum"
            " switches them off and they have no axis to recover."
        )
    if failed:
        print(f"\n{len(failed)} check(s) FAILED: {', '.join(failed)}")
    else:
        print("\nAll checks passed: this linear autoencoder is PCA.")


# ----------------------------------------------------------------------------- plots
# Figures are built without pyplot (no GUI backend, nothing to close) and rendered to PNG by Agg.
# Margins are fixed by hand: automatic layout would measure every label and double the time.
def plot_latent_space(Z, labels, k):
    fig = Figure(figsize=(6.6, 5.2))
    fig.subplots_adjust(left=0.11, right=0.84, bottom=0.1, top=0.92)
    ax = fig.subplots()
    if k == 1:
        # One code number per digit: a strip per class shows which digits overlap.
        jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(labels))
        points = ax.scatter(
            Z[:, 0], labels + jitter, c=labels, cmap="tab10", s=12, vmin=-0.5, vmax=9.5
        )
        ax.set_yticks(range(10))
        ax.set_ylabel("true digit (jittered)")
        ax.set_xlabel("z1 (code along the 1st principal direction)")
    else:
        points = ax.scatter(Z[:, 0], Z[:, 1], c=labels, cmap="tab10", s=14, vmin=-0.5, vmax=9.5)
        ax.set_xlabel("z1 (1st principal direction)")
        ax.set_ylabel("z2 (2nd principal direction)")
    handles, _ = points.legend_elements()
    ax.legend(handles, range(10), title="digit", loc="center left", bbox_to_anchor=(1.01, 0.5))
    dims = "the code" if k <= 2 else f"first 2 of {k} code dims"
    ax.set_title(f"Linear autoencoder (= PCA), K={k}: {dims} of the test digits")
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


def plot_reconstructions(X_test, y_test, recon, k, test_mse):
    picks = [int(np.flatnonzero(y_test == digit)[0]) for digit in range(10)]
    fig = Figure(figsize=(8, 2.1))
    fig.subplots_adjust(left=0.15, right=0.98, bottom=0.2, top=0.86)
    ax = fig.subplots()
    ax.imshow(image_mosaic([X_test[picks], recon[picks]]), cmap="gray", vmin=0, vmax=1)
    ax.set_yticks([3.5, 12.5], ["original", f"reconstructed\n(K={k})"])
    ax.set_xticks([3.5 + 9 * j for j in range(10)], [str(y_test[p]) for p in picks])
    ax.set_xlabel("test digit")
    ax.set_frame_on(False)
    ax.tick_params(length=0)
    ax.set_title(f"Linear autoencoder reconstructions, K={k}: test MSE {test_mse:.4f}")
    return fig


def plain_log_ticks(axis):
    """Label a log axis 1, 10, 0.01, 1e-06 instead of 10^k, without minor ticks.

    Typesetting exponents and drawing a dozen minor ticks per decade would double the time this
    script spends on its plots.
    """
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_locator(NullLocator())


def training_curves(r, run):
    """Train MSE and angles of each recorded snapshot of a GD run."""
    n_axes = run.get("n_axes", r["identified"].shape[1])
    steps, mse, subspace, axes = [], [], [], []
    for step, W_enc, W_dec in run["snapshots"]:
        steps.append(step + 1)  # counted from 1, for the log axis
        mse.append(linear_ae_loss_and_gradients(W_enc, W_dec, r["cov"])[0])
        subspace.append(largest_principal_angle_deg(W_dec, r["identified"]))
        axes.append(max(component_angles_deg(W_dec, r["components"][:, :n_axes]), default=0.0))
    return steps, mse, subspace, axes


def plot_pca_equivalence(r):
    k = r["latent_dim"]
    steps, mse, subspace, plain_axes = training_curves(r, r["gd"])
    l2_steps, l2_mse, _, l2_axes = training_curves(r, r["l2"])
    fig = Figure(figsize=(11, 4.4))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.25)
    ax_mse, ax_angle = fig.subplots(1, 2)
    ax_mse.plot(steps, mse, label="GD linear autoencoder")
    ax_mse.plot(l2_steps, l2_mse, "--", label=f"GD with L2 penalty {L2_PENALTY:g}")
    ax_mse.axhline(
        r["train_mse"], color="black", lw=1, ls=":", label=f"SVD optimum {r['train_mse']:.4f}"
    )
    ax_mse.set_xscale("log")
    plain_log_ticks(ax_mse.xaxis)
    ax_mse.set_xlabel("gradient step (log scale)")
    ax_mse.set_ylabel("train MSE")
    ax_mse.set_title(f"Gradient descent reaches the PCA error (K={k})")
    ax_mse.legend()
    floor = 1e-7  # smaller angles are rounding error; keep them on the log axis
    ax_angle.plot(steps, np.maximum(subspace, floor), label="GD: decoder's span vs top-K PCs")
    ax_angle.plot(steps, np.maximum(plain_axes, floor), label="GD: decoder's axes vs PCs")
    ax_angle.plot(
        l2_steps, np.maximum(l2_axes, floor), "--", label="GD + L2: decoder's axes vs PCs"
    )
    ax_angle.axhline(ANGLE_TOL_DEG, color="black", lw=1, ls=":", label="1 degree")
    ax_angle.set_xscale("log")
    ax_angle.set_yscale("log")
    plain_log_ticks(ax_angle.xaxis)
    plain_log_ticks(ax_angle.yaxis)
    ax_angle.set_xlabel("gradient step (log scale)")
    ax_angle.set_ylabel("largest angle, degrees (log scale)")
    ax_angle.set_title("Same subspace; the axes only with a penalty")
    ax_angle.legend(fontsize="small", loc="lower left")
    return fig


# ----------------------------------------------------------------------------- files
def figure_png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def metrics_json(r, seed, n_train, n_test):
    gd = r["gd"]
    metrics = {
        "latent_dim": r["latent_dim"],
        "seed": seed,
        "n_train": n_train,
        "n_test": n_test,
        "svd_ae": {"train_mse": r["train_mse"], "test_mse": r["test_mse"]},
        "checks": {
            "pca_max_abs_diff": r["pca_max_abs_diff"],
            "eckart_young_rel_gap": r["eckart_young_rel_gap"],
            "gd_mse_ratio": gd["mse_ratio"],
            "gd_max_subspace_angle_deg": gd["subspace_angle"],
            "gd_max_component_angle_deg": r["l2"]["component_angle"],
        },
        "gd_ae": {
            "iterations": gd["steps"],
            "seconds": round(gd["seconds"], 4),
            "train_mse": gd["train_mse"],
            "test_mse": gd["test_mse"],
        },
    }
    return json.dumps(metrics, indent=2) + "\n"


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
            f"00_scratch.py: error: cannot write to {out_dir}: {err.strerror}; try another --out"
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


def parse_args(argv=None):
    parser = OneLineErrorParser(
        prog="00_scratch.py",
        description="A linear autoencoder from the SVD, and four checks that it is PCA.",
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
        "--seed",
        type=int_in_range(0, 2**32 - 1),
        default=0,
        metavar="S",
        help="seed of the random GD start",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="folder for the PNGs and JSON"
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:  # fail now, not after the work, if the output folder cannot be made
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        sys.exit(
            f"00_scratch.py: error: cannot use --out {args.out}: {err.strerror}; try another --out"
        )
    X_train, X_test, y_train, y_test = load_data()
    results = run_checks(X_train, X_test, args.latent_dim, args.seed)
    print_report(results, len(X_train), len(X_test))

    codes = encode(X_test, results["mean"], results["components"])
    k = args.latent_dim
    files = {
        "scratch_latent_space.png": figure_png(plot_latent_space(codes, y_test, k)),
        "scratch_reconstruction.png": figure_png(
            plot_reconstructions(X_test, y_test, results["test_recon"], k, results["test_mse"])
        ),
        "scratch_pca_equivalence.png": figure_png(plot_pca_equivalence(results)),
        "scratch_metrics.json": metrics_json(results, args.seed, len(X_train), len(X_test)),
    }
    write_atomically(args.out, files)
    print(f"\nwrote {', '.join(files)} to {args.out}")


if __name__ == "__main__":
    main()
