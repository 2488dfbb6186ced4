"""A linear autoencoder is PCA: built from the SVD in NumPy, then checked four ways.

An autoencoder squeezes each input x through a narrow code and rebuilds it:

    z = f(x)        (encoder: 64 pixels -> K numbers, the latent code)
    x_hat = g(z)    (decoder: K numbers -> 64 pixels)

and is trained to make the reconstruction error |x - x_hat|^2 small. When f and g are linear
the best possible autoencoder is known in closed form: centre the data, project it onto the K
directions of largest variance (the top K principal directions, from the SVD), and map back.
That is PCA. This script builds that autoencoder directly and then *checks* the claim:

  a. its codes and reconstructions are those of scikit-learn's PCA, to rounding error;
  b. its train error equals the variance PCA throws away (the Eckart-Young theorem);
  c. a linear autoencoder trained by gradient descent from a small random start, with gradients
     derived by hand, reaches the same error and the same subspace. Baldi & Hornik (1989)
     proved that this loss has no local minima other than the global ones (every other
     critical point is a saddle); that gradient descent from a random start then gets there is
     what this check shows;
  d. ... but not the same axes: any invertible change of coordinates of the code fits equally
     well, so plain gradient descent lands on an arbitrary mix of the principal directions.
     A small L2 penalty removes the stretching and shearing, but not the rotation: its optimum
     is W_dec = V_K diag(sqrt(1 - p/lambda_i)) O for any orthogonal O (Kunin et al., 2019).
     What it identifies is the decoder's left singular vectors, which are the principal
     directions; its code is still PCA's code turned by O. The script measures both.

Each check prints its number and PASS or FAIL; if any fails, the script says so and exits 1
without writing anything. Otherwise it writes three plots and a metrics JSON.

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
import signal
import sys
import time
from pathlib import Path


def exit_quietly_on_ctrl_c(exc_type, exc, tb):
    # Ctrl-C anywhere, even during the slow imports below, ends with one line and exit code 130.
    # Files are only written at the very end (see write_files), so nothing is half-written.
    if issubclass(exc_type, KeyboardInterrupt):
        print("interrupted; no files were written", file=sys.stderr, flush=True)
        os._exit(130)
    sys.__excepthook__(exc_type, exc, tb)


sys.excepthook = exit_quietly_on_ctrl_c
if hasattr(signal, "SIGPIPE"):  # a reader that went away (`| head`) ends the run quietly
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

# ----------------------------------------------------------------------------- configuration
SCRIPT = "00_scratch.py"
DEFAULT_OUT = Path(__file__).resolve().parent / "assets"
N_PIXELS = 64  # d: an 8x8 image is a vector of 64 numbers

# The limit each check must meet, by its name in scratch_metrics.json.
LIMITS = {
    "pca_max_abs_diff": 1e-8,  # a: max |SVD-AE recon - sklearn recon|
    "eckart_young_rel_gap": 1e-10,  # b: relative gap between train MSE and discarded variance
    "gd_mse_ratio": 1.001,  # c: GD train MSE within 0.1% of the optimum
    "gd_max_subspace_angle_deg": 1.0,  # c: GD decoder's span vs the top-K principal directions
    "l2_max_axis_angle_deg": 1.0,  # d: L2 decoder's left singular vectors vs the directions
}

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
    # A direction and its negative fit equally well, so the SVD picks either. Fix each sign as
    # scikit-learn's PCA does (largest entry positive), so that our codes equal PCA.transform
    # and both scripts draw the same picture, not its mirror image.
    Vt *= np.sign(Vt[np.arange(len(Vt)), np.abs(Vt).argmax(axis=1)])[:, np.newaxis]
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


# ----------------------------------------------------------------------------- measuring angles
def largest_principal_angle_deg(basis, directions):
    """Largest angle (degrees) between span(directions) and its projection on span(basis).

    `directions` has orthonormal columns. The sine of the largest principal angle is the
    largest singular value of the part of `directions` that span(basis) cannot reach; using
    sines keeps tiny angles accurate (arccos of a cosine near 1 would round them to ~1e-6 deg).
    """
    q, _ = np.linalg.qr(basis)
    residual = directions - q @ (q.T @ directions)
    return float(np.degrees(np.arcsin(min(1.0, np.linalg.norm(residual, 2)))))


def axis_angles_deg(W_dec, principal_directions):
    """For each principal direction, the angle to the closest left singular vector of W_dec.

    Closest rather than same-numbered: while two singular values are still nearly equal, their
    vectors can trade places, and an angle to the wrong one would jump to 90 degrees. (Below
    45 degrees the closest vector is necessarily a different one for each direction.)
    """
    left_singular_vectors, _, _ = np.linalg.svd(W_dec, full_matrices=False)
    closest = np.abs(principal_directions.T @ left_singular_vectors).argmax(axis=1)
    return [
        largest_principal_angle_deg(left_singular_vectors[:, [j]], principal_directions[:, [i]])
        for i, j in enumerate(closest)
    ]


def code_axis_angles_deg(W_enc, principal_directions):
    """Angle between what code number i reads (row i of W_enc) and principal direction i.

    Zero for PCA's own encoder. A code that is PCA's code turned by a rotation reads a mix of
    the principal directions, and this is the angle of that turn, axis by axis.
    """
    return [
        largest_principal_angle_deg(W_enc[[i]].T, principal_directions[:, [i]])
        for i in range(principal_directions.shape[1])
    ]


def gd_reconstruction_mse(X, mean, W_enc, W_dec):
    return reconstruction_mse(X, (X - mean) @ W_enc.T @ W_dec.T + mean)


# ----------------------------------------------------------------------------- fitting
def fit_and_train(X_train, X_test, latent_dim, seed):
    """The SVD autoencoder and the two gradient-descent runs that checks c and d look at."""
    mean, components, eigenvalues = fit_svd_autoencoder(X_train, latent_dim)
    test_codes = encode(X_test, mean, components)
    # The rank of the centred train data: beyond it the eigenvalues are rounding noise (~1e-33),
    # the reconstruction is exact, and directions of zero variance are not identified at all.
    rank = int(np.sum(eigenvalues > eigenvalues[0] * 1e-12))
    svd = {
        "latent_dim": latent_dim,
        "mean": mean,
        "components": components,
        "eigenvalues": eigenvalues,
        "rank": rank,
        "identified": components[:, : min(latent_dim, rank)],
        "train_mse": reconstruction_mse(
            X_train, decode(encode(X_train, mean, components), mean, components)
        ),
        "test_codes": test_codes,
        "test_recon": decode(test_codes, mean, components),
    }
    svd["test_mse"] = reconstruction_mse(X_test, svd["test_recon"])
    X_centred = X_train - mean
    svd["cov"] = X_centred.T @ X_centred / len(X_train)
    runs = {}
    for name, penalty in [("gd", 0.0), ("l2", L2_PENALTY)]:
        started = time.perf_counter()
        W_enc, W_dec, steps, snapshots = train_linear_autoencoder(
            svd["cov"], latent_dim, seed, penalty
        )
        runs[name] = {
            "W_enc": W_enc,
            "W_dec": W_dec,
            "steps": steps,
            "seconds": time.perf_counter() - started,
            "snapshots": snapshots,
            "train_mse": gd_reconstruction_mse(X_train, mean, W_enc, W_dec),
            "test_mse": gd_reconstruction_mse(X_test, mean, W_enc, W_dec),
        }
    runs["l2"]["n_axes"] = int(np.sum(eigenvalues[: min(latent_dim, rank)] > L2_PENALTY))
    return svd, runs["gd"], runs["l2"]


# ----------------------------------------------------------------------------- the four checks
def verdict(name, value):
    return "PASS" if value <= LIMITS[name] else "FAIL"


def check_a_same_as_sklearn(X_train, X_test, svd):
    """a. scikit-learn's PCA, fit on the same train set: same codes, same reconstructions."""
    pca = PCA(n_components=svd["latent_dim"], svd_solver="full").fit(X_train)
    recon_diff = float(
        np.max(np.abs(pca.inverse_transform(pca.transform(X_test)) - svd["test_recon"]))
    )
    code_diff = float(np.max(np.abs(pca.transform(X_test) - svd["test_codes"])))
    print(f"a. same test codes and reconstructions as scikit-learn's PCA({svd['latent_dim']}):")
    print(
        f"     max |difference|: reconstructions {recon_diff:.1e}  (limit"
        f" {LIMITS['pca_max_abs_diff']:g})  {verdict('pca_max_abs_diff', recon_diff)};"
        f" codes {code_diff:.1e}"
    )
    return {"pca_max_abs_diff": recon_diff}


def check_b_eckart_young(svd):
    """b. The best rank-K fit leaves exactly the discarded variance as its error."""
    k, rank = svd["latent_dim"], svd["rank"]
    discarded = float(svd["eigenvalues"][k:].sum() / N_PIXELS)
    print(f"b. Eckart-Young: train MSE = sum of discarded eigenvalues / {N_PIXELS}:")
    if k >= rank:
        print(
            f"     n/a: the centred train data have rank {rank} <= K, so nothing is discarded and"
            f" the reconstruction is exact (train MSE {svd['train_mse']:.1e}); a relative gap"
            " would be 0/0."
        )
        return {"eckart_young_rel_gap": None}
    gap = abs(svd["train_mse"] - discarded) / svd["train_mse"]
    print(
        f"     {svd['train_mse']:.10f} vs {discarded:.10f}: relative gap {gap:.1e}"
        f"  (limit {LIMITS['eckart_young_rel_gap']:g})  {verdict('eckart_young_rel_gap', gap)}"
    )
    return {"eckart_young_rel_gap": gap}


def check_c_gradient_descent(svd, gd):
    """c. Gradient descent from a random start reaches the SVD's error and its subspace."""
    k, rank, identified = svd["latent_dim"], svd["rank"], svd["identified"]
    print(
        f"c. gradient descent from a random start, hand-derived gradients"
        f" ({gd['steps']} steps, {gd['seconds']:.2f} s):"
    )
    ratio = None
    if k >= rank:
        print(
            f"     train MSE {gd['train_mse']:.1e}: n/a as a ratio, the optimum is 0"
            f" (rank {rank} <= K)."
        )
    else:
        ratio = gd["train_mse"] / svd["train_mse"]
        print(
            f"     train MSE GD / SVD = {ratio:.6f}  (limit {LIMITS['gd_mse_ratio']})"
            f"  {verdict('gd_mse_ratio', ratio)}"
        )
    angle = largest_principal_angle_deg(gd["W_dec"], identified)
    m = identified.shape[1]
    note = "" if m == k else f" (only {m} have non-zero variance; the rest are arbitrary)"
    print(
        f"     largest principal angle, decoder span vs top-{m} PCs{note}: {angle:.1e} deg"
        f"  (limit {LIMITS['gd_max_subspace_angle_deg']:g})"
        f"  {verdict('gd_max_subspace_angle_deg', angle)}"
    )
    return {"gd_mse_ratio": ratio, "gd_max_subspace_angle_deg": angle}


def check_d_axes(svd, gd, l2):
    """d. Plain GD's axes are arbitrary; an L2 penalty pins the decoder's axes, not the code."""
    k, identified, n_axes = svd["latent_dim"], svd["identified"], l2["n_axes"]
    plain = max(axis_angles_deg(gd["W_dec"], identified))
    l2_axes = max(axis_angles_deg(l2["W_dec"], svd["components"][:, :n_axes]), default=0.0)
    # The code's rotation is one-to-one only when no code number is switched off (see below).
    rotation = max(code_axis_angles_deg(l2["W_enc"], identified)) if n_axes == k else None
    singular_values = np.linalg.svd(l2["W_dec"], compute_uv=False)[:n_axes]
    predicted = np.sqrt(1 - L2_PENALTY / svd["eigenvalues"][:n_axes])
    pcs = "PC 1" if n_axes == 1 else f"PCs 1-{n_axes}"
    if k == 1:
        print("d. the axes: with K=1 the subspace is a single axis, so there is nothing to mix.")
    else:
        print("d. the subspace, not the axes:")
        print(
            "     plain GD: the loss fixes only the product W_dec W_enc, so the decoder's axes"
            " (its left singular vectors) are whatever the path left: largest angle to the PCs"
            f" {plain:.1f} deg"
        )
    print(
        f"     with L2 penalty {L2_PENALTY:g} ({l2['steps']} steps, {l2['seconds']:.2f} s): its"
        " singular values are sqrt(1 - penalty/eigenvalue) to"
        f" {np.max(np.abs(singular_values - predicted)):.0e}, and its axes are {pcs}: largest"
        f" angle {l2_axes:.1e} deg  (limit {LIMITS['l2_max_axis_angle_deg']:g})"
        f"  {verdict('l2_max_axis_angle_deg', l2_axes)}"
    )
    if rotation is not None and k > 1:
        print(
            "     ... but its code is still PCA's code turned by a rotation, which the penalty"
            f" cannot see: code number i vs PC i, largest angle {rotation:.1f} deg"
        )
    if n_axes < identified.shape[1]:
        # A component survives the penalty only if its eigenvalue exceeds it (its weight is
        # sqrt(1 - penalty / eigenvalue)); weaker ones are switched off: no axis to recover.
        print(
            f"     PCs {n_axes + 1}-{identified.shape[1]} are excluded: their eigenvalues"
            f" (<= {svd['eigenvalues'][n_axes]:.1e}) are below the penalty, so the optimum"
            " switches them off and they have no axis to recover (nor a rotation to measure)."
        )
    return {
        "plain_gd_max_axis_angle_deg": plain,
        "l2_max_axis_angle_deg": l2_axes,
        "l2_code_rotation_deg": rotation,
    }


def run_checks(X_train, X_test, svd, gd, l2):
    """Print the four checks with their numbers; return the values for scratch_metrics.json."""
    k = svd["latent_dim"]
    print(
        f"Linear autoencoder from the SVD, K={k} ({len(X_train)} train / {len(X_test)} test"
        f" digits, {N_PIXELS} px)"
    )
    print(f"  train MSE {svd['train_mse']:.6f}   test MSE {svd['test_mse']:.6f}")
    print("\nIs it PCA? Four checks.")
    return (
        check_a_same_as_sklearn(X_train, X_test, svd)
        | check_b_eckart_young(svd)
        | check_c_gradient_descent(svd, gd)
        | check_d_axes(svd, gd, l2)
    )


def failed_checks(checks):
    """The checks over their limit; a check that does not apply at this K (None) cannot fail."""
    return [
        name for name, limit in LIMITS.items() if checks[name] is not None and checks[name] > limit
    ]


# ----------------------------------------------------------------------------- plots
# Figures are built without pyplot (no GUI backend, nothing to close) and rendered to PNG by Agg.
# The same colour and line style for a run in every panel: plain GD blue, GD + L2 orange dashed.
PCA_AXIS_LABELS = ("z1: 1st principal direction", "z2: 2nd principal direction")
RUN_STYLES = {"gd": dict(color="C0", ls="-"), "l2": dict(color="C1", ls="--")}
RUN_LABELS = {"gd": "plain GD", "l2": f"GD + L2 penalty {L2_PENALTY:g}"}


def plot_latent_space(Z, labels, k):
    fig = Figure(figsize=(6.6, 5.2), layout="constrained")
    ax = fig.subplots()
    if k == 1:
        # One code number per digit: a strip per class shows which digits overlap.
        jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(labels))
        y, y_label = labels + jitter, "true digit (jittered)"
        ax.set_yticks(range(10))
    else:
        y, y_label = Z[:, 1], PCA_AXIS_LABELS[1]
    points = ax.scatter(Z[:, 0], y, c=labels, cmap="tab10", s=12, vmin=-0.5, vmax=9.5)
    ax.set_xlabel(PCA_AXIS_LABELS[0])
    ax.set_ylabel(y_label)
    handles, _ = points.legend_elements()
    ax.legend(handles, range(10), title="digit", loc="center left", bbox_to_anchor=(1.01, 0.5))
    dims = "its code" if k <= 2 else f"the first 2 of {k} code numbers"
    ax.set_title(f"Linear autoencoder (= PCA), K={k}:\n{dims} for each test digit")
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
    fig = Figure(figsize=(10, 3.0), layout="constrained")
    ax = fig.subplots()
    ax.imshow(image_mosaic([X_test[picks], recon[picks]]), cmap="gray", vmin=0, vmax=1)
    ax.set_yticks([3.5, 12.5], ["original", f"reconstructed\nfrom K={k} numbers"])
    ax.set_xticks([3.5 + 9 * j for j in range(10)], [str(y_test[p]) for p in picks])
    ax.set_frame_on(False)
    ax.tick_params(length=0)
    ax.set_title(
        f"Linear autoencoder, K={k}: ten test digits (top) and their reconstructions (bottom);"
        f" test MSE {test_mse:.4f}"
    )
    return fig


def plain_log_ticks(axis):
    """Label a log axis 1, 10, 0.01, 1e-06 instead of 10^k, without minor ticks.

    Typesetting exponents and drawing a dozen minor ticks per decade would double the time this
    script spends on its plots.
    """
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_locator(NullLocator())


def training_curves(svd, run, n_axes):
    """Train MSE and the two angles at each recorded snapshot of a GD run."""
    steps, mse, span, axes = [], [], [], []
    for step, W_enc, W_dec in run["snapshots"]:
        steps.append(step + 1)  # counted from 1, for the log axis
        mse.append(linear_ae_loss_and_gradients(W_enc, W_dec, svd["cov"])[0])
        span.append(largest_principal_angle_deg(W_dec, svd["identified"]))
        axes.append(max(axis_angles_deg(W_dec, svd["components"][:, :n_axes]), default=0.0))
    return steps, mse, span, axes


def plot_pca_equivalence(svd, gd, l2):
    k = svd["latent_dim"]
    fig = Figure(figsize=(14, 4.6), layout="constrained")
    ax_mse, ax_span, ax_axes = fig.subplots(1, 3)
    floor = 1e-7  # smaller angles are rounding error; keep them on the log axis
    curves = {
        "gd": training_curves(svd, gd, svd["identified"].shape[1]),
        "l2": training_curves(svd, l2, l2["n_axes"]),
    }
    for name, (steps, mse, span, axes) in curves.items():
        style, label = RUN_STYLES[name], RUN_LABELS[name]
        ax_mse.plot(steps, mse, **style, label=label)
        ax_span.plot(steps, np.maximum(span, floor), **style, label=label)
        ax_axes.plot(steps, np.maximum(axes, floor), **style, label=label)
    # Compare the two runs' MSE at the steps both recorded (the L2 run stops sooner).
    plain_mse = dict(zip(curves["gd"][0], curves["gd"][1], strict=True))
    gap = max(
        abs(plain_mse[step] - mse) / mse
        for step, mse in zip(curves["l2"][0], curves["l2"][1], strict=True)
        if step in plain_mse
    )
    ax_mse.axhline(svd["train_mse"], color="black", lw=1, ls=":", label="SVD optimum")
    ax_mse.set_ylabel("train MSE")
    overlap = f"\n(the two runs differ by at most {gap:.2%}: their curves overlap)"
    ax_mse.set_title("Train MSE reaches the SVD optimum" + (overlap if gap < 0.01 else ""))
    for ax, title in [
        (ax_span, "Decoder's span vs the top-K PCs"),
        (ax_axes, "Decoder's axes (left singular vectors)\nvs the closest principal direction"),
    ]:
        ax.axhline(LIMITS["l2_max_axis_angle_deg"], color="grey", lw=1, ls=":", label="1 degree")
        ax.set_yscale("log")
        ax.set_ylim(floor / 2, 90)  # an angle between lines is at most 90 degrees
        plain_log_ticks(ax.yaxis)
        ax.set_ylabel("largest angle, degrees (log scale)")
        ax.set_title(title)
    for ax in (ax_mse, ax_span, ax_axes):
        ax.set_xscale("log")
        plain_log_ticks(ax.xaxis)
        ax.set_xlabel("gradient step (log scale)")
        ax.legend(fontsize="small", loc="upper right" if ax is ax_mse else "lower left")
    story = (
        "one axis: nothing to mix, both runs find it"
        if k == 1
        else "gradient descent finds PCA's subspace; only with the L2 penalty also its axes"
    )
    fig.suptitle(f"A linear autoencoder trained by gradient descent, K={k}: {story}")
    return fig


# ----------------------------------------------------------------------------- files and CLI
# Plumbing, kept short: what a careful command-line tool does so that a bad flag, a full disk,
# a closed pipe or Ctrl-C never ends in a traceback or a mix of old and new files.
FILES = [
    "scratch_latent_space.png",
    "scratch_reconstruction.png",
    "scratch_pca_equivalence.png",
    "scratch_metrics.json",
]


def fail(message):
    """A failure at run time: one line on stderr, exit status 1."""
    sys.exit(f"{SCRIPT}: error: {message}")


def figure_png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def metrics_json(svd, gd, checks, seed, n_train, n_test):
    metrics = {
        "latent_dim": svd["latent_dim"],
        "seed": seed,
        "n_train": n_train,
        "n_test": n_test,
        "svd_ae": {"train_mse": svd["train_mse"], "test_mse": svd["test_mse"]},
        "checks": checks,
        "gd_ae": {
            "iterations": gd["steps"],
            "seconds": round(gd["seconds"], 4),
            "train_mse": gd["train_mse"],
            "test_mse": gd["test_mse"],
        },
    }
    return (json.dumps(metrics, indent=2) + "\n").encode()


def check_out_dir(out_dir, names):
    """Fail now, before the work, if out_dir cannot take every file this run will write."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        fail(f"--out {out_dir} is a file, not a folder; name a folder")
    except OSError as err:
        fail(f"cannot make --out {out_dir}: {err.strerror}; try another --out")
    for name in names:
        if (out_dir / name).is_dir():
            fail(
                f"{out_dir / name} is a folder, in the way of a file; move it or use another --out"
            )
    probe = out_dir / f".{SCRIPT}.{os.getpid()}.probe"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        fail(f"cannot write to --out {out_dir}: {err.strerror}; try another --out")


def write_files(out_dir, files):
    """All or nothing: write every file under a temporary name, then rename each over its target.

    os.replace is atomic on one file system, so a reader sees the old file or the new one, never
    half of one. Once the renames start, Ctrl-C is ignored: they take microseconds, and finishing
    them beats leaving a mix. What remains possible is a crash or power cut between two renames,
    or a rename that fails although check_out_dir passed; the error then says how many files
    were already replaced. Temporary files are written with open(), so the new files get the
    mode that the user's umask gives, like any other file they make.
    """
    temp_paths = {name: out_dir / f".{name}.{os.getpid()}.tmp" for name in files}
    replaced = 0
    try:
        for name, content in files.items():
            temp_paths[name].write_bytes(content)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for name, temp_path in temp_paths.items():
            os.replace(temp_path, out_dir / name)
            replaced += 1
    except OSError as err:
        fail(
            f"cannot write to {out_dir}: {err.strerror}; {replaced} of {len(files)} files"
            " were replaced; try another --out"
        )
    finally:
        for temp_path in temp_paths.values():
            temp_path.unlink(missing_ok=True)


def int_in_range(low, high):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer from {low} to {high}")
        return value

    return parse


def folder(text):
    if not text:
        raise argparse.ArgumentTypeError("must name a folder (an empty name would mean here)")
    return Path(text)


def prepare_stdout():
    if sys.stdout is None:  # started with stdout closed (`>&-`): print into nothing
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (open for the whole run)
    # Progress shows up live even in a pipe, and a folder name the terminal cannot encode is
    # printed with escapes instead of failing after the work is done.
    sys.stdout.reconfigure(line_buffering=True, errors="backslashreplace")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog=SCRIPT,
        description="A linear autoencoder from the SVD, and four checks that it is PCA.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--latent-dim", type=int_in_range(1, N_PIXELS), default=2, metavar="K",
        help="code size K, 1 to 64",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=int_in_range(0, 2**32 - 1), default=0, metavar="S",
        help="seed of the random start of the gradient-descent runs",
    )  # fmt: skip
    parser.add_argument(
        "--out", type=folder, default=DEFAULT_OUT, metavar="DIR",
        help="folder for the PNGs and the JSON",
    )  # fmt: skip
    return parser.parse_args(argv)


# ----------------------------------------------------------------------------- main
def main(argv=None):
    args = parse_args(argv)
    prepare_stdout()
    check_out_dir(args.out, FILES)
    X_train, X_test, y_train, y_test = load_data()
    svd, gd, l2 = fit_and_train(X_train, X_test, args.latent_dim, args.seed)
    checks = run_checks(X_train, X_test, svd, gd, l2)
    failed = failed_checks(checks)
    if failed:
        fail(
            f"{len(failed)} check(s) FAILED ({', '.join(failed)}), so this run does not show that"
            " the linear autoencoder is PCA. No files were written."
        )
    print("\nAll checks passed: this linear autoencoder is PCA.")

    k = args.latent_dim
    figures = {
        "scratch_latent_space.png": plot_latent_space(svd["test_codes"], y_test, k),
        "scratch_reconstruction.png": plot_reconstructions(
            X_test, y_test, svd["test_recon"], k, svd["test_mse"]
        ),
        "scratch_pca_equivalence.png": plot_pca_equivalence(svd, gd, l2),
    }
    files = {name: figure_png(fig) for name, fig in figures.items()}
    files["scratch_metrics.json"] = metrics_json(
        svd, gd, checks, args.seed, len(X_train), len(X_test)
    )
    write_files(args.out, files)
    print(f"\nwrote {', '.join(files)} to {args.out}")


if __name__ == "__main__":
    main()
