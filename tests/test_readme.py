"""Every number on the README is its JSON's, exactly while assets/ holds the committed JSON. On
another CPU (ATEN_CPU_CAPABILITY=default) the autoencoders' MSEs moved by up to 11% (2.3% at K=2),
their accuracies and AUCs by up to 1.5%; PCA's, 00's and all under OPENBLAS_CORETYPE did not."""

import json
import re
import subprocess
import textwrap

from conftest import ROOT, ae, read_json

README = (ROOT / "README.md").read_text(encoding="utf-8")  # whatever the platform's default
MSE, RATE = 0.15, 0.02  # tolerances of a fresh run, relative: MSEs and ratios; the rest


def load(name):
    """An asset's JSON, and whether its numbers are the committed ones (not a fresh run's)."""
    data = read_json(ROOT / "assets" / name)
    git = ["git", "show", f"HEAD:assets/{name}"]
    shown = subprocess.run(git, cwd=ROOT, capture_output=True, text=True, check=False)
    untimed = [{**json_, "train_seconds": 0} for json_ in (data, json.loads(shown.stdout or "{}"))]
    return data, shown.returncode == 0 and untimed[0] == untimed[1]


def assert_shows(shown, expected, exact):
    """Each cell shows its (value, format, rtol): exactly, or after a fresh run within rtol."""
    for cell, (value, form, rtol) in zip(sum(shown, []), sum(expected, []), strict=True):
        if exact or not rtol or cell == format(value, form):
            assert cell == format(value, form), f"the README shows {cell}, not {value:{form}}"
        else:
            number = float(cell.replace(",", "").rstrip("%")) / (100 if cell.endswith("%") else 1)
            assert abs(number - value) <= rtol * abs(value), f"the README shows {cell}, not {value}"


def table(name):  # the cells of README table NAME, row by row, without the header or labels
    block = re.search(f"<!-- {name} -->\n(.*?)\n<!-- /{name} -->", README, re.S)[1]
    return [[cell.strip() for cell in line.split("|")[2:-1]] for line in block.splitlines()[2:]]


def assert_says(said, exact):
    """Each time the README's prose says a pattern, its one group shows the number given."""
    for pattern, expected in said.items():
        found = re.findall(pattern, re.sub(r"\s*\n\s*", " ", README))  # lines joined
        assert found, pattern
        assert_shows([[n.rstrip(".,:;") for n in found]], [[expected] * len(found)], exact)


def cells(row):  # a model's numbers as the tables show them: PCA's, then the autoencoder's
    train, test = row["train_mse"], row["test_mse"]
    pca = [(mse["PCA"], ".4f", 0) for mse in (train, test)]
    autoencoder = [(mse["autoencoder"], ".4f", MSE) for mse in (train, test)]
    ratio = (test["autoencoder"] / test["PCA"], ".2f", MSE) if test["PCA"] > 1e-6 else ("–", "", 0)
    return [*pca, *autoencoder, ratio]  # the last: the autoencoder's test MSE over PCA's


def test_the_default_runs_and_the_sweeps_numbers():
    m, exact = load("pytorch_metrics.json")
    train_pca, test_pca, train, test, test_ratio = cells(m)
    knn = [(m["knn_accuracy"][name], ".1%", RATE) for name in ("PCA", "autoencoder", "raw pixels")]
    results = [[test_pca, test, ("", "", 0)], [train_pca, train, ("", "", 0)], knn]  # "": blank
    assert_shows(table("pytorch-results"), results, exact)
    rows = dict(recall=".0%", false_alarms=".0%", precision=".0%", roc_auc=".2f")  # in order
    mirrored = m["mirrored_digits"]  # each row's numbers: PCA's, then the autoencoder's
    flags = [
        [(value, form, RATE) for value in mirrored[row].values()] for row, form in rows.items()
    ]
    assert_shows(table("flagging"), flags, exact)
    said = {  # what the README says: the number its (\S+) shows
        r"error is (\S+) times PCA's": test_ratio,  # in the opening, and below
        r"its MSE is (\S+)\. The average": (m["blur_mse"]["moved one pixel"], ".3f", 0),
        r"blur, scores (\S+)\.": (m["blur_mse"]["the average digit"], ".3f", 0),
        r"noise added are (\S+) from": (m["denoising_mse"]["noisy input"], ".4f", 0),
        r"its rebuilds of them (\S+)\.": (m["denoising_mse"]["autoencoder"], ".4f", MSE),
        r"tunes (\S+) weights": (sum(w.numel() for w in ae.Autoencoder(2).parameters()), ",", 0),
        r"than the (\S+) pixel values": (len(ae.load_data()[0]) * 64, ",", 0),
    }
    assert_says(said, exact)
    sweep, exact = load("pytorch_sweep.json")
    by_size = [cells(row) for row in sweep["code_sizes"]]  # a column of the table each
    assert_shows(table("code-sizes"), [list(row) for row in zip(*by_size, strict=True)], exact)
    placements = [cells(sweep["placements"][0])[:2] + [(1, "", 0)]]
    placements += [cells(row)[2:] for row in sweep["placements"]]
    assert_shows(table("placements"), placements, exact)
    k32, k64 = sweep["code_sizes"][-2:]
    linear, auc = sweep["placements"][0]["train_mse"], k64["mirrored_digits"]["roc_auc"]
    said = {
        r"test error at K=32 is (\S+) times PCA's": cells(k32)[-1],
        r"copies \(its MSE, (\S+), is": (k64["test_mse"]["PCA"], ".0e", 0),
        r"mirrored digits (?:falls to|is) (\S+)": (auc["PCA"], ".2f", 0),
        r"ends (\S+)% above": (100 * linear["autoencoder"] / linear["PCA"] - 100, ".0f", 0.34),
    }
    assert_says(said, exact)  # the last: 3%, give or take 1


def test_the_exercises_answers():  # a comment names each number's JSON; never rewritten: exact
    answers = re.findall(r"Answer</summary><!-- (.*?) -->(.*?)</details>", README, re.S)
    assert len(answers) == 5  # every exercise but the one answered by a picture
    for sources, text in answers:
        shown = re.findall(r"\d+\.\d+%?|\d+%", text)  # decimals and percentages only
        assert len(shown) == sources.count("#"), f"each number needs a source: {sources}"
        file = None
        for number, source in zip(shown, sources.split(", "), strict=True):
            path, keys = source.split("#")
            file = path or file  # no path: the file before's
            value = read_json(ROOT / "assets" / file)
            for key in keys.split("/"):
                value = value[int(key) if key.isdigit() else key]
            decimals = len(number.rstrip("%").partition(".")[2])
            assert number == format(value, f".{decimals}{'%' if '%' in number else 'f'}")


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
