"""Every number on the README is the JSON's in assets/, as the README rounds it.

While assets/ holds the committed JSON, the README must show it exactly. After a fresh run on
another CPU, float32 rounds differently: with other kernels (ATEN_CPU_CAPABILITY=default or avx2,
OPENBLAS_CORETYPE=Haswell or SandyBridge) the autoencoders' MSEs moved by up to 7.8% and their
5-NN accuracies by up to 1.4 points. PCA's and 00_scratch.py's moved by rounding noise only.
"""

import json
import re
import subprocess
import textwrap

from conftest import ROOT, read_json

README = (ROOT / "README.md").read_text(encoding="utf-8")  # whatever the platform's default
RTOL = {"mse": 0.10, "knn": 0.02}  # measured: 7.8% and 1.5% (of the value, as all RTOLs here)


def load(name):
    """An asset's JSON, and whether its numbers are the committed ones (not a fresh run's)."""
    data = read_json(ROOT / "assets" / name)
    git = ["git", "show", f"HEAD:assets/{name}"]
    shown = subprocess.run(git, cwd=ROOT, capture_output=True, text=True, check=False)
    untimed = [{**json_, "train_seconds": 0} for json_ in (data, json.loads(shown.stdout or "{}"))]
    return data, shown.returncode == 0 and untimed[0] == untimed[1]


def assert_shows(shown, expected, exact):
    """Each string shows its (value, format, rtol): exactly, or after a fresh run within rtol."""
    assert [len(row) for row in shown] == [len(row) for row in expected], "the README's shape"
    for cell, wanted in zip(sum(shown, []), sum(expected, []), strict=True):
        value, form, rtol = ("", "", 0) if isinstance(wanted, str) else wanted
        if exact or cell == format(value, form) or not rtol:
            assert cell == (wanted if isinstance(wanted, str) else format(value, form))
        else:
            number = float(cell.replace(",", "").rstrip("%")) / (100 if cell.endswith("%") else 1)
            assert abs(number - value) <= rtol * abs(value), f"the README shows {cell}, not {value}"


def table(name):  # the cells of README table NAME, row by row, without the header or labels
    block = re.search(f"<!-- {name} -->\n(.*?)\n<!-- /{name} -->", README, re.S)[1]
    return [[cell.strip() for cell in line.split("|")[2:-1]] for line in block.splitlines()[2:]]


def assert_says(pattern, expected, exact):
    """Each time the README's prose says `pattern`, its one group shows `expected`."""
    found = re.findall(pattern, README.replace("\n", " "))
    assert found, pattern
    assert_shows([[number.rstrip(".,:;") for number in found]], [[expected] * len(found)], exact)


def cells(row):  # a model's numbers as the tables show them: PCA's, then the autoencoder's
    train, test = row["train_mse"], row["test_mse"]
    pca = [(train["PCA"], ".4f", 0), (test["PCA"], ".4f", 0)]
    autoencoder = [
        (train["autoencoder"], ".4f", RTOL["mse"]),
        (test["autoencoder"], ".4f", RTOL["mse"]),
    ]
    return pca + autoencoder + [(test["autoencoder"] / test["PCA"], ".2f", RTOL["mse"])]


def test_01s_numbers():
    m, exact = load("pytorch_metrics.json")
    train_pca, test_pca, train, test, test_ratio = cells(m)
    knn = [(value, ".1%", RTOL["knn"]) for value in m["knn_accuracy"].values()]
    assert_shows(
        table("pytorch-results"), [[test_pca, test, ""], [train_pca, train, ""], knn], exact
    )
    assert_says(r"error is (\S+) times PCA's", test_ratio, exact)  # in the opening, and below
    assert_says(r"with (\S+) weights in all", (m["parameters"], ",", 0), exact)
    assert_says(r"a learning rate of (\S+),", (m["lr"], "", 0), exact)
    sweep, exact = load("pytorch_sweep.json")
    by_size = [cells(row) for row in sweep["code_sizes"]]  # a column of the table each
    assert_shows(table("code-sizes"), [list(row) for row in zip(*by_size, strict=True)], exact)
    pca_row = [*cells(sweep["placements"][0])[:2], "1"]
    assert_shows(
        table("placements"), [pca_row] + [cells(row)[2:] for row in sweep["placements"]], exact
    )
    k32 = sweep["code_sizes"][-1]
    assert k32["latent_dim"] == 32
    assert_says(r"test error at K=32 is (\S+) times PCA's", cells(k32)[-1], exact)
    linear = sweep["placements"][0]["train_mse"]
    excess = 100 * (linear["autoencoder"] / linear["PCA"] - 1)
    assert_says(r"ends (\S+)% above PCA's", (excess, ".0f", 0.34), exact)  # 3%, give or take 1


def test_00s_numbers():  # they did not move across CPUs: always exact
    m = read_json(ROOT / "assets" / "scratch_metrics.json")
    excess, angle = (
        m["comparisons"][name][0] for name in ("trained_mse_excess", "trained_plane_angle_deg")
    )
    assert_says(r"stops after (\S+) steps", (m["trained"]["steps"], "d", 0), True)
    assert_says(r"train MSE a relative (\S+) above PCA's", (excess, ".0e", 0), True)
    assert_says(r"its plane (\S+) degrees from PCA's", (angle, ".5f", 0), True)


def test_the_commands_pictures_and_code_that_the_readme_shows():
    install = "pip install -r requirements.txt && python"
    assert f"{install} 00_scratch.py && python 01_pytorch.py\n{install} -m pytest" in README
    runs = re.findall(r"python (0[01]_\w+\.py)([^`\n&;]*)", README.replace("\n   ", " "))
    assert len(runs) == README.count("python 0")  # every run found; each that changes a setting:
    assert all(flags.split() in ([], ["--sweep"]) or "--out" in flags for _, flags in runs)
    shown = set(re.findall(r"\]\((assets/\w+\.png)\)", README))
    assert shown == {f"assets/{path.name}" for path in (ROOT / "assets").glob("*.png")}
    model, loop, gradients = re.findall(r"```python\n(.*?)```", README, re.S)  # as the scripts:
    pytorch = (ROOT / "01_pytorch.py").read_text(encoding="utf-8")
    assert all(textwrap.indent(code, " " * 8) in pytorch for code in (model, loop))
    assert textwrap.indent(gradients, " " * 4) in (ROOT / "00_scratch.py").read_text("utf-8")
