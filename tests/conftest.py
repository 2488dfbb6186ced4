"""Shared helpers: the two scripts as modules, their JSON, and a check on every figure saved."""

import importlib.util
import json
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parent.parent


def load_script(filename):  # a name that starts with a digit cannot be imported plainly
    spec = importlib.util.spec_from_file_location(filename[:-3], ROOT / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scratch = load_script("00_scratch.py")
ae = load_script("01_pytorch.py")


def read_json(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def figures_inside(monkeypatch):
    """Fail if a saved figure draws an axes, a text or a legend past its edge; list the files."""
    saved, savefig = [], Figure.savefig

    def checked_savefig(figure, path, **options):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()  # as savefig draws it, layout engine included
        edge = figure.bbox.padded(1)  # 1 pixel of antialiasing
        boxes = [part.get_tightbbox(canvas.get_renderer()) for part in figure.get_children()]
        outside = [box for box in boxes if edge.count_contains([box.min, box.max]) < 2]
        assert not outside, f"{path} draws text past its edge"
        saved.append(Path(path).name)
        return savefig(figure, path, **options)

    monkeypatch.setattr(Figure, "savefig", checked_savefig)
    return saved
