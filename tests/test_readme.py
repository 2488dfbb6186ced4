"""The README's tables show the numbers in assets/*.json, within a tolerance measured across CPUs.

Float32 rounding differs between CPUs: rerun with other kernels (ATEN_CPU_CAPABILITY=default or
avx2, OPENBLAS_CORETYPE=Haswell or SandyBridge), the autoencoders' MSEs moved by up to 4.3% and
their 5-NN accuracies by up to 2.5 points; 00_scratch.py's numbers moved by rounding noise only.
"""

import re
import textwrap
from functools import partial

from conftest import ROOT, read_json

README = (ROOT / "README.md").read_text(encoding="utf-8")  # whatever the platform's default
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]\d+)?")


class Num:
    """Numbers shown in a cell as `fmt`: exactly so, or each within rtol of itself plus atol."""

    def __init__(self, fmt, *values, rtol=0.0, atol=0.0):
        self.fmt, self.values, self.rtol, self.atol = fmt, values, rtol, atol

    def __repr__(self):
        return self.fmt.format(*self.values)

    def matches(self, shown):  # as the JSON gives it, or the same words with close numbers
        if shown == repr(self):
            return True
        same_words = NUMBER.sub("#", shown) == NUMBER.sub("#", repr(self))
        pairs = zip(NUMBER.findall(shown), self.values, strict=same_words)
        return same_words and all(abs(float(n) - v) <= self.rtol * v + self.atol for n, v in pairs)


pca = partial(Num, "{:.4f}")
autoencoder = partial(Num, "{:.4f}", rtol=0.10)  # 4.3% measured, see above
ratio = partial(Num, "{:.2f}", rtol=0.10)  # an autoencoder's MSE over PCA's


def assert_table(name, rows):
    """README table NAME shows these cells after its header, each row after its label."""
    block = re.search(f"<!-- {name} -->\n(.*?)\n<!-- /{name} -->", README, re.S)[1]
    shown = [[cell.strip() for cell in line.split("|")[2:-1]] for line in block.splitlines()[2:]]
    assert [len(row) for row in shown] == [len(row) for row in rows], f"{name}: its shape"
    for cell, expected in zip(sum(shown, []), sum(rows, []), strict=True):
        ok = expected.matches(cell) if isinstance(expected, Num) else cell == expected
        assert ok, f"README's {name} table shows {cell!r}, the JSON {expected!r}"


def cells(row):  # a model's numbers as the tables show them
    test_ratio = ratio(row["test_mse"] / row["pca_test_mse"])
    mse = [autoencoder(row["train_mse"]), autoencoder(row["test_mse"]), test_ratio]
    return mse + [pca(row["pca_train_mse"]), pca(row["pca_test_mse"])]


def test_the_tables_show_the_json():
    m = read_json(ROOT / "assets" / "pytorch_metrics.json")
    train, test, _, pca_train, pca_test = cells(m)
    knn = [Num("{:.1f}%", 100 * value, atol=5) for value in m["knn_accuracy"].values()]
    assert_table("pytorch-results", [[test, pca_test, ""], [train, pca_train, ""], knn])
    assert f"(the model has {m['parameters']:,} weights)" in README
    m = read_json(ROOT / "assets" / "scratch_metrics.json")
    rows = [[Num("{:.5f}, {:.5f}", *m["svd_autoencoder"].values()), ""]]
    for value, limit in m["checks"].values():  # below 1e-12: rounding noise, shown as such
        shown = "< 1e-12" if value < 1e-12 else Num("{:.1e}", value, rtol=0.25)
        rows.append([shown, f"{limit:g}"])
    gd = m["gradient_descent"]
    rows.insert(4, [Num("{:d}", gd["steps"], rtol=0.02), ""])
    rows.append([Num("{:.4f}, {:.4f}", *gd["code_map_singular_values"], atol=1e-3), ""])
    assert_table("scratch-results", rows)
    sweep = read_json(ROOT / "assets" / "pytorch_sweep.json")
    by_size = [cells(row) for row in sweep["code_sizes"]]  # a column of the table each
    assert_table("code-sizes", [list(row) for row in zip(*by_size, strict=True)])
    pca_row = [*cells(sweep["placements"][0])[3:], "1"]
    assert_table("placements", [pca_row] + [cells(row)[:3] for row in sweep["placements"]])


def test_the_commands_pictures_and_model_code_that_the_readme_shows():
    install = "pip install -r requirements.txt && python"
    assert f"{install} 00_scratch.py && python 01_pytorch.py\n{install} -m pytest" in README
    runs = re.findall(r"python (0[01]_\w+\.py)([^`\n&;]*)", README.replace("\n   ", " "))
    assert len(runs) == README.count("python 0")  # every run found; each that changes a setting:
    assert all(flags.split() in ([], ["--sweep"]) or "--out" in flags for _, flags in runs)
    shown = set(re.findall(r"\]\((assets/\w+\.png)\)", README))
    assert shown == {f"assets/{path.name}" for path in (ROOT / "assets").glob("*.png")}
    model, loop = re.findall(r"```python\n(.*?)```", README, re.S)  # as the script has them:
    script = (ROOT / "01_pytorch.py").read_text(encoding="utf-8")
    assert all(textwrap.indent(code, " " * 8) in script for code in (model, loop))
