"""A linear autoencoder is PCA: built from the SVD in NumPy, then checked four ways.

An autoencoder squeezes each input x (here an 8x8 digit from scikit-learn, pixels in [0, 1])
through a narrow code and rebuilds it: an encoder maps the 64 pixels to a code z of K numbers, a
decoder maps z back to an image x_hat, and training makes |x - x_hat|^2 small. When both are
linear the best one is known in closed form: centre the data, project it onto the K directions
of largest variance (the top K principal directions, from the SVD), and map back. That is PCA.
This script builds it directly and *checks* the claim:

  a. its codes and reconstructions (NumPy only) are scikit-learn's PCA's, to rounding error;
  b. its train error equals the variance PCA throws away (the Eckart-Young theorem);
  c. gradient descent from a small random start, with gradients derived by hand, reaches the
     same error and subspace (Baldi & Hornik, 1989: no local minima but the global ones);
  d. ... but not the same axes: what gradient descent leaves free, with and without L2.

Each check prints its number and PASS or FAIL; if one fails, the script exits 1 and writes
nothing. Otherwise it writes three pictures and scratch_metrics.json to --out:

    python 00_scratch.py                     # K=2, into assets/ (the pictures the README shows)
    python 00_scratch.py --latent-dim 8 --out /tmp/k8     # any K from 1 to 64, elsewhere
"""

import argparse
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

N_PIXELS = 64  # d: an 8x8 image is a vector of 64 numbers
LIMITS = {  # the limit each check must meet, by its name in scratch_metrics.json
    "pca_max_abs_diff": 1e-8,  # a: max |SVD-AE recon - sklearn recon|
    "pca_code_max_abs_diff": 1e-8,  # a: max |SVD-AE code - sklearn code|, signs included
    "eckart_young_rel_gap": 1e-10,  # b: relative gap between train MSE and discarded variance
    "gd_mse_ratio": 1.001,  # c: GD train MSE within 0.1% of the optimum
    "gd_max_subspace_angle_deg": 1.0,  # c: GD decoder's span vs the top-K principal directions
    "l2_max_axis_angle_deg": 1.0,  # d: L2 decoder's left singular vectors vs the directions
}
GD_MAX_STEPS = 20_000
GD_GRAD_TOL = 1e-10  # stop at a critical point: gradient norm below this
GD_INIT_SCALE = 1e-2  # small random start, near the (unstable) all-zero saddle
L2_PENALTY = 1e-3  # in eigenvalue units: a component with less variance is switched off
RUNS = {  # the two gradient-descent runs: name in the output, penalty, line style in the plots
    "gd": ("GD, no penalty", 0.0, {"color": "C0"}),
    "l2": (f"GD + L2 {L2_PENALTY:g}", L2_PENALTY, {"color": "C1", "ls": "--"}),
}
# Steps at which to keep a snapshot of the weights for the plot: evenly spaced on a log axis.
RECORD_STEPS = set(np.unique(np.geomspace(1, GD_MAX_STEPS, 100).astype(int) - 1).tolist())
LADDER = (1, 2, 4, 8, 16, 32)  # code sizes drawn side by side in scratch_reconstruction.png


# ----------------------------------------------------------------------------- data
def load_data():
    """The 8x8 digits, pixels in [0, 1], split 80/20 exactly as 01_pytorch.py splits them."""
    digits = load_digits()
    return train_test_split(digits.data / 16.0, digits.target, test_size=0.2, random_state=42)


# ----------------------------------------------------------------------------- the model
def fit_svd_autoencoder(X_train, latent_dim):
    """The optimal linear autoencoder, in closed form.

    Centre with the train mean mu, take the SVD X - mu = U S V^T: the columns of V are the
    principal directions, the covariance's eigenvalues are S^2 / n. The encoder projects onto the
    top-K directions (W_enc = V_K^T) and the decoder maps back along them (W_dec = V_K)."""
    mean = X_train.mean(axis=0)
    _, singular_values, Vt = np.linalg.svd(X_train - mean, full_matrices=False)
    # A direction and its negative fit equally well, so the SVD picks either. Fix each sign as
    # scikit-learn's PCA does (largest entry positive), so that our codes equal PCA.transform.
    Vt *= np.sign(Vt[np.arange(len(Vt)), np.abs(Vt).argmax(axis=1)])[:, np.newaxis]
    return mean, Vt[:latent_dim].T, singular_values**2 / len(X_train)


def encode(X, mean, components):
    """z = V_K^T (x - mu): the coordinates of x along the top-K principal directions."""
    return (X - mean) @ components


def decode(Z, mean, components):
    """x_hat = V_K z + mu: back to pixel space, in the K-dimensional subspace through mu."""
    return Z @ components.T + mean


def reconstruction_mse(X, X_hat):
    """Mean over samples and all 64 pixels of the squared error."""
    return float(np.mean((X - X_hat) ** 2))


# ----------------------------------------------------------------------------- gradient descent
# The same linear autoencoder trained by gradient descent, and the angles that say what it found.
def linear_ae_loss_and_gradients(W_enc, W_dec, cov, penalty=0.0):
    """MSE of the linear autoencoder x_hat = W_dec W_enc x on centred data, and its gradients.

    For centred x with covariance C = X^T X / n, the MSE over samples and d pixels is

        L = (1/d) tr[(W_dec W_enc - I) C (W_dec W_enc - I)^T]

    so the data enter only through the 64x64 matrix C, and a step costs the same whatever n.
    With E = W_dec W_enc - I, the hand-derived gradients (the tests check them) are

        dL/dW_dec = (2/d) E C W_enc^T,        dL/dW_enc = (2/d) W_dec^T E C.

    The optional L2 penalty adds (p/d)(|W_enc|^2 + |W_dec|^2), with gradient (2p/d) W."""
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
    The step is the classic 1/L, with L = 4 lambda_max / d the loss's largest curvature.

    Plain gradient descent (no momentum) moves along each principal direction at a speed
    proportional to its variance, and the digits' variances span five orders of magnitude. So we
    use Nesterov's momentum, which turns that factor into roughly its square root, restarted
    whenever the loss goes up (O'Donoghue & Candes, 2015) to stay stable on this non-convex loss.

    The encoder starts as the transpose of the decoder. Gradient descent (almost) preserves
    W_enc W_enc^T - W_dec^T W_dec, so a tied start stays balanced and never needs a smaller step.
    """
    rng = np.random.default_rng(seed)
    W_dec = GD_INIT_SCALE * rng.standard_normal((cov.shape[0], latent_dim))
    W_enc = W_dec.T.copy()
    step_size = cov.shape[0] / (4 * np.linalg.norm(cov, 2))
    velocity_enc, velocity_dec = np.zeros_like(W_enc), np.zeros_like(W_dec)
    snapshots, previous_loss, since_restart, step = [], np.inf, 0, 0
    for step in range(GD_MAX_STEPS):  # noqa: B007 (`step` is the number of steps taken)
        if step in RECORD_STEPS:
            snapshots.append((step, W_enc.copy(), W_dec.copy()))
        momentum = since_restart / (since_restart + 3)
        ahead_enc, ahead_dec = W_enc + momentum * velocity_enc, W_dec + momentum * velocity_dec
        loss, grad_enc, grad_dec = linear_ae_loss_and_gradients(ahead_enc, ahead_dec, cov, penalty)
        if np.sqrt(np.sum(grad_enc**2) + np.sum(grad_dec**2)) < GD_GRAD_TOL:
            break
        if loss > previous_loss:  # the momentum overshot: forget it and start again
            velocity_enc, velocity_dec, since_restart = 0 * W_enc, 0 * W_dec, 0
        previous_loss, since_restart = loss, since_restart + 1
        velocity_enc = momentum * velocity_enc - step_size * grad_enc
        velocity_dec = momentum * velocity_dec - step_size * grad_dec
        W_enc, W_dec = W_enc + velocity_enc, W_dec + velocity_dec
    snapshots.append((step, W_enc, W_dec))
    return W_enc, W_dec, step, snapshots


def largest_principal_angle_deg(basis, directions):
    """Largest angle (degrees) between span(directions), orthonormal columns, and span(basis).

    Its sine is the largest singular value of the part of `directions` that span(basis) cannot
    reach: sines keep tiny angles accurate, where arccos would round them to ~1e-6 deg."""
    q, _ = np.linalg.qr(basis)
    residual = directions - q @ (q.T @ directions)
    return float(np.degrees(np.arcsin(min(1.0, np.linalg.norm(residual, 2)))))


def axis_angles_deg(W_dec, principal_directions):
    """For each principal direction, the angle to the closest left singular vector of W_dec.

    Closest, not same-numbered: while two singular values are nearly equal their vectors can
    trade places, and an angle to the wrong one would jump to 90 degrees."""
    left_singular_vectors = np.linalg.svd(W_dec, full_matrices=False)[0]
    closest = np.abs(principal_directions.T @ left_singular_vectors).argmax(axis=1)
    return [
        largest_principal_angle_deg(left_singular_vectors[:, [j]], principal_directions[:, [i]])
        for i, j in enumerate(closest)
    ]


def listed(values, shown=3):
    """The first few numbers, with the decimals where the L2 run's differ from each other."""
    return ", ".join(f"{v:.5f}" for v in values[:shown]) + (", ..." if len(values) > shown else "")


def code_rotation_deg(W_enc, principal_directions):
    """Largest angle between what code number i reads (row i of W_enc) and principal direction i:
    zero for PCA's own encoder; for PCA's code turned by a rotation, the angle of that turn."""
    return max(
        largest_principal_angle_deg(W_enc[[i]].T, principal_directions[:, [i]])
        for i in range(principal_directions.shape[1])
    )


# ----------------------------------------------------------------------------- the proof
def fit_and_train(X_train, X_test, latent_dim, seed):
    """The SVD autoencoder, and the two gradient-descent runs that checks c and d look at."""
    mean, components, eigenvalues = fit_svd_autoencoder(X_train, latent_dim)
    # Past the centred data's rank, eigenvalues are rounding noise and directions unidentified.
    rank = int(np.sum(eigenvalues > eigenvalues[0] * 1e-12))
    svd = {"k": latent_dim, "mean": mean, "components": components, "eigenvalues": eigenvalues}
    svd["rank"], svd["identified"] = rank, components[:, : min(latent_dim, rank)]
    svd["n_l2_axes"] = int(np.sum(eigenvalues[: min(latent_dim, rank)] > L2_PENALTY))
    svd["cov"] = cov = np.cov(X_train, rowvar=False, bias=True)  # (X - mu)^T (X - mu) / n
    train_recon = decode(encode(X_train, mean, components), mean, components)
    svd["train_mse"] = reconstruction_mse(X_train, train_recon)
    svd["test_codes"] = encode(X_test, mean, components)
    svd["test_recon"] = decode(svd["test_codes"], mean, components)
    svd["test_mse"] = reconstruction_mse(X_test, svd["test_recon"])
    runs = {}
    for name, (_, penalty, _) in RUNS.items():
        W_enc, W_dec, steps, snapshots = train_linear_autoencoder(cov, latent_dim, seed, penalty)
        test_recon = decode(encode(X_test, mean, W_enc.T), mean, W_dec)
        runs[name] = {"W_enc": W_enc, "W_dec": W_dec, "iterations": steps, "snapshots": snapshots}
        runs[name]["train_mse"] = linear_ae_loss_and_gradients(W_enc, W_dec, cov)[0]  # the MSE
        runs[name]["test_mse"] = reconstruction_mse(X_test, test_recon)
        runs[name]["singular_values"] = np.linalg.svd(W_dec, compute_uv=False).tolist()
    return svd, runs


def verdict(name, value):
    return f"(limit {LIMITS[name]:g})  {'PASS' if value <= LIMITS[name] else 'FAIL'}"


def run_checks(X_train, X_test, svd, gd, l2):
    """The four checks, each printed with its number; returns the numbers for the JSON."""
    k, rank, identified, n_axes = svd["k"], svd["rank"], svd["identified"], svd["n_l2_axes"]
    m, gap, ratio = identified.shape[1], None, None  # None: does not apply at this K
    print("\nIs it PCA? Four checks.")
    # a. scikit-learn's PCA, fit on the same train set: same codes, same reconstructions.
    pca = PCA(n_components=k, svd_solver="full").fit(X_train)
    codes = pca.transform(X_test)
    diff = float(np.max(np.abs(pca.inverse_transform(codes) - svd["test_recon"])))
    code_diff = float(np.max(np.abs(codes - svd["test_codes"])))
    print(f"a. the same as scikit-learn's PCA({k})? Largest difference on the test digits:")
    print(f"     reconstructions {diff:.1e}  {verdict('pca_max_abs_diff', diff)}")
    print(f"     codes, signs included, {code_diff:.1e}", end="  ")
    print(verdict("pca_code_max_abs_diff", code_diff))
    # b. Eckart-Young: the best rank-K fit leaves exactly the discarded variance as its error.
    train_mse, discarded = svd["train_mse"], svd["eigenvalues"][k:].sum() / N_PIXELS
    print(f"b. Eckart-Young: train MSE = sum of the discarded eigenvalues / {N_PIXELS}?")
    if k >= rank:
        print(f"     n/a: the centred train data have rank {rank} <= K, so nothing is discarded")
    else:
        gap = float(abs(train_mse - discarded) / train_mse)
        print(f"     {train_mse:.10f} vs {discarded:.10f}, relative gap {gap:.1e}", end="  ")
        print(verdict("eckart_young_rel_gap", gap))
    print(f"c. does gradient descent reach PCA's fit? {gd['iterations']} steps, gradients by hand")
    if k >= rank:
        print(f"     train MSE, GD / SVD: n/a, the optimum is 0 (see b); GD: {gd['train_mse']:.0e}")
    else:
        ratio = float(gd["train_mse"] / train_mse)
        print(f"     train MSE, GD / SVD: {ratio:.6f}  {verdict('gd_mse_ratio', ratio)}")
    span = largest_principal_angle_deg(gd["W_dec"], identified)
    print(f"     decoder's span vs the top-{m} PCs, largest angle {span:.1e} deg", end="  ")
    print(verdict("gd_max_subspace_angle_deg", span))
    # d. The subspace, not the axes: the loss alone sets neither the decoder's singular values
    # nor its axes. The penalty sets both, its axes as long as its singular values are distinct.
    gd_values, l2_values = gd["singular_values"], l2["singular_values"]
    # The L2 optimum's singular values: sqrt(1 - p/lambda_i), and 0 where lambda_i <= p.
    l2_optimum = np.sqrt(1 - L2_PENALTY / np.maximum(svd["eigenvalues"][:k], L2_PENALTY))
    l2_gap = float(np.max(np.abs(np.array(l2_values) - l2_optimum)))
    gd_axes = max(axis_angles_deg(gd["W_dec"], identified))
    gd_turn = code_rotation_deg(gd["W_enc"], identified)
    l2_axes = max(axis_angles_deg(l2["W_dec"], svd["components"][:, :n_axes]), default=0.0)
    l2_turn = code_rotation_deg(l2["W_enc"], identified) if n_axes == k else None  # see below
    print("d. the same axes? W_enc = A V_K^T, W_dec = V_K A^-1 fits as well, for any invertible A.")
    gd_run, l2_run = RUNS["gd"][0], RUNS["l2"][0]
    print(f"     {gd_run}: decoder's singular values {listed(gd_values)}: not set by the loss")
    print(f"     {gd_run}: decoder's axes vs the PCs {gd_axes:.1f} deg: not set either")
    print(f"     {gd_run}: code i vs PC i, largest angle {gd_turn:.1f} deg: PCA's code turned")
    print(f"     {l2_run}, {l2['iterations']} steps: decoder's singular values {listed(l2_values)}")
    print(f"       = sqrt(1 - p/lambda_i) within {l2_gap:.1e}: set by the loss, and distinct")
    print(f"     {l2_run}: so its axes are the PCs': largest angle {l2_axes:.2g} deg", end="  ")
    print(verdict("l2_max_axis_angle_deg", l2_axes))
    if l2_turn is not None:
        print(f"     {l2_run}: code i vs PC i, largest angle {l2_turn:.1f} deg: a turn is free")
    if n_axes < m:
        print(f"     PCs {n_axes + 1}-{m}: less variance than the penalty, which switches them off")
    return {
        "pca_max_abs_diff": diff,
        "pca_code_max_abs_diff": code_diff,
        "eckart_young_rel_gap": gap,
        "gd_mse_ratio": ratio,
        "gd_max_subspace_angle_deg": span,
        "plain_gd_max_axis_angle_deg": gd_axes,
        "plain_gd_code_rotation_deg": gd_turn,
        "l2_max_axis_angle_deg": l2_axes,
        "l2_code_rotation_deg": l2_turn,
        "l2_singular_values_vs_optimum": l2_gap,
    }


# ----------------------------------------------------------------------------- plots
# Figures are built without pyplot (no GUI backend, nothing to close) and drawn to PNG by Agg.
def plot_code_turned(svd, gd, checks, X_test, y_test):
    """Check d as a picture: the test digits in PCA's code beside the code that GD found."""
    k = svd["k"]
    dims = "" if k <= 2 else f" (first 2 of {k} code numbers)"
    gd_codes = encode(X_test, svd["mean"], gd["W_enc"].T)
    panels = [  # (codes, title, what the code's axes are)
        (svd["test_codes"], f"PCA's code{dims}", "principal direction"),
        (gd_codes, f"{RUNS['gd'][0]}: its code{dims}\ncode number i vs PC i: largest"
                   f" angle {checks['plain_gd_code_rotation_deg']:.1f} deg", "code number"),
    ]  # fmt: skip
    fig = Figure(figsize=(12, 5.6), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    for ax, (codes, title, axis) in zip(axes, panels, strict=True):
        if k == 1:  # one number per digit: a strip per digit shows which digits overlap
            y, y_label = y_test + np.random.default_rng(0).uniform(-0.3, 0.3, len(y_test)), "digit"
        else:
            y, y_label = codes[:, 1], f"z2: 2nd {axis}"
            ax.set_aspect("equal")  # so that a turned code looks turned
        points = ax.scatter(codes[:, 0], y, c=y_test, cmap="tab10", s=12, vmin=-0.5, vmax=9.5)
        ax.set(title=title, xlabel=f"z1: 1st {axis}", ylabel=y_label)
    fig.legend(points.legend_elements()[0], range(10), title="digit", loc="outside right")
    fig.suptitle(f"The same test digits in two linear codes, K={k}: the same subspace (largest"
                 f" angle {checks['gd_max_subspace_angle_deg']:.1e} deg), other axes")  # fmt: skip
    return fig


def image_mosaic(rows, pad=1):
    """Rows of 8x8 images as one array, NaN (blank) between them; tile i is centred at 3.5 + 9i."""
    mosaic = np.full((len(rows) * (8 + pad) - pad, len(rows[0]) * (8 + pad) - pad), np.nan)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            top, left = i * (8 + pad), j * (8 + pad)
            mosaic[top : top + 8, left : left + 8] = image.reshape(8, 8)
    return mosaic


def plot_reconstruction_ladder(X_train, X_test, y_test, k):
    """What each principal direction adds: the same digits rebuilt from K = 1, 2, 4, ... 32."""
    mean, directions, _ = fit_svd_autoencoder(X_train, N_PIXELS)
    picks = [int(np.flatnonzero(y_test == digit)[0]) for digit in range(10)]
    rows, labels = [X_test[picks]], ["original"]
    for size in sorted({*LADDER, k}):
        recon = decode(encode(X_test, mean, directions[:, :size]), mean, directions[:, :size])
        rows.append(recon[picks])
        test_mse = reconstruction_mse(X_test, recon)
        labels.append(f"K={size}{' (this run)' if size == k else ''}\ntest MSE {test_mse:.4f}")
    # Tall enough for every row at the mosaic's own aspect, so no band is left empty.
    fig = Figure(figsize=(9, 2.1 + 0.72 * len(rows)), layout="compressed")
    ax_rows, ax_pcs = fig.subplots(2, 1, height_ratios=[len(rows), 1.6])
    ax_rows.imshow(image_mosaic(rows), cmap="gray", vmin=0, vmax=1)
    ax_rows.set_yticks(3.5 + 9 * np.arange(len(rows)), labels)
    ax_rows.set_xticks(3.5 + 9 * np.arange(10), range(10))
    ax_rows.set_title("Ten test digits rebuilt from their top K principal directions")
    pcs, limit = directions[:, :10].T, np.abs(directions[:, :10]).max()
    ax_pcs.imshow(image_mosaic([pcs]), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax_pcs.set_xticks(3.5 + 9 * np.arange(10), [f"v{i}" for i in range(1, 11)])
    ax_pcs.set_yticks([])
    ax_pcs.set_title("The first 10 principal directions, the decoder's columns (red +, blue -):"
                     "\nx_hat = mean digit + z1 v1 + z2 v2 + ... + zK vK")  # fmt: skip
    for ax in (ax_rows, ax_pcs):
        ax.set_frame_on(False)
        ax.tick_params(length=0)
    return fig


def plot_pca_equivalence(svd, runs):
    """Train MSE, the decoder's span and its axes, step by step, for both gradient-descent runs."""
    fig = Figure(figsize=(14, 4.6), layout="constrained")
    ax_mse, ax_span, ax_axes = fig.subplots(1, 3)
    mse_floor, angle_floor = 1e-16, 1e-10  # keep exact zeros (rounding) on the log axes
    axes_to_find = {"gd": svd["identified"], "l2": svd["components"][:, : svd["n_l2_axes"]]}
    for name, run in runs.items():
        series = {ax_mse: [], ax_span: [], ax_axes: []}
        for _, W_enc, W_dec in run["snapshots"]:
            mse = linear_ae_loss_and_gradients(W_enc, W_dec, svd["cov"])[0]
            series[ax_mse].append(max(mse_floor, mse - svd["train_mse"]))
            span = largest_principal_angle_deg(W_dec, svd["identified"])
            series[ax_span].append(max(angle_floor, span))
            series[ax_axes].append(max([angle_floor, *axis_angles_deg(W_dec, axes_to_find[name])]))
        steps = [step + 1 for step, _, _ in run["snapshots"]]  # counted from 1, for the log axis
        for ax, values in series.items():
            ax.plot(steps, values, **RUNS[name][2], label=RUNS[name][0])
    ax_mse.set(yscale="log", title="Train MSE above the SVD optimum")
    ax_mse.set_ylabel("train MSE minus the SVD optimum (log scale)")
    ax_span.set_title(f"Decoder's span vs the top-{svd['identified'].shape[1]} PCs")
    ax_axes.set_title("Decoder's axes (left singular vectors)\nvs the closest principal direction")
    for ax in (ax_span, ax_axes):  # an angle between two lines is at most 90 degrees
        ax.axhline(LIMITS["l2_max_axis_angle_deg"], color="grey", lw=1, ls=":", label="1 degree")
        ax.set(yscale="log", ylim=(None, 90))
        ax.set_ylabel("largest angle, degrees (log scale)")
    for ax in (ax_mse, ax_span, ax_axes):
        ax.set(xscale="log", xlabel="gradient step (log scale)")
        ax.legend(fontsize="small", loc="best")
        # Plain labels (0.01, not 10^-2), no minor ticks: typeset exponents double the plot time.
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
            axis.set_minor_locator(NullLocator())
    fig.suptitle(f"A linear autoencoder trained by gradient descent, K={svd['k']}: it finds"
                 " PCA's subspace; its axes only with the L2 penalty")  # fmt: skip
    return fig


# ----------------------------------------------------------------------------- main
def in_range(low, high):
    """An argparse type: an integer from low to high, else argparse's own usage error."""

    def parse(text):
        if not (text.isdecimal() and low <= int(text) <= high):
            raise argparse.ArgumentTypeError(f"must be an integer from {low} to {high}")
        return int(text)

    return parse


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="A linear autoencoder from the SVD, and four checks that it is PCA.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--latent-dim", type=in_range(1, N_PIXELS), default=2, metavar="K",
                        help="code size K, 1 to 64")  # fmt: skip
    parser.add_argument("--seed", type=in_range(0, 2**32 - 1), default=0, metavar="S",
                        help="seed of the random start of the gradient-descent runs")  # fmt: skip
    parser.add_argument("--out", default=Path(__file__).resolve().parent / "assets", metavar="DIR",
                        help="folder for the PNGs and the JSON")  # fmt: skip
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
    try:  # fail now, in one line, if --out cannot be made or written to: not after the work
        args.out.mkdir(parents=True, exist_ok=True)
        tempfile.NamedTemporaryFile(dir=args.out).close()
    except OSError as err:
        sys.exit(f"00_scratch.py: error: cannot write to --out {args.out}: {err.strerror}")
    X_train, X_test, _, y_test = load_data()
    k = args.latent_dim
    svd, runs = fit_and_train(X_train, X_test, k, args.seed)
    print(f"Linear autoencoder from the SVD, K={k}, {len(X_train)} train / {len(X_test)} test")
    print(f"  train MSE {svd['train_mse']:.6f}   test MSE {svd['test_mse']:.6f}")
    checks = run_checks(X_train, X_test, svd, runs["gd"], runs["l2"])
    failed = [name for name in LIMITS if checks[name] is not None and checks[name] > LIMITS[name]]
    if failed:
        sys.exit(f"00_scratch.py: FAILED: {', '.join(failed)}; no files were written")
    print("\nAll checks passed: this linear autoencoder is PCA.")
    metrics = {"latent_dim": k, "seed": args.seed, "n_train": len(X_train), "n_test": len(X_test)}
    metrics["svd_ae"] = {key: svd[key] for key in ("train_mse", "test_mse")}
    metrics["checks"] = checks
    metrics["gd_ae"] = {key: runs["gd"][key] for key in ("iterations", "train_mse", "test_mse")}
    metrics["decoder_singular_values"] = {name: runs[name]["singular_values"] for name in RUNS}
    save_files(args.out, {
        "scratch_latent_space.png": plot_code_turned(svd, runs["gd"], checks, X_test, y_test),
        "scratch_reconstruction.png": plot_reconstruction_ladder(X_train, X_test, y_test, k),
        "scratch_pca_equivalence.png": plot_pca_equivalence(svd, runs),
        "scratch_metrics.json": metrics,
    })  # fmt: skip


if __name__ == "__main__":
    if hasattr(signal, "SIGPIPE"):  # `| head` ends the run quietly, as it ends any Unix tool
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
