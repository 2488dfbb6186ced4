"""Shared helpers: the two scripts as modules, their JSON, and checks on every figure saved."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

ROOT = Path(__file__).resolve().parent.parent
SLIDE = (13.33, 7.5)  # a 16:9 slide, in inches: each figure is shown as large as fits on it


def load_script(filename):  # a name that starts with a digit cannot be imported plainly
    spec = importlib.util.spec_from_file_location(filename[:-3], ROOT / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scratch, ae = load_script("00_scratch.py"), load_script("01_pytorch.py")


def read_json(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def figures_inside(monkeypatch):
    """Fail if a saved figure draws past its edge, is unreadable on a projector; list them."""
    saved, savefig = [], Figure.savefig

    def checked_savefig(figure, path, **options):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()  # as savefig draws it, layout engine included
        edge = figure.bbox.padded(1)  # 1 pixel of antialiasing
        boxes = [part.get_tightbbox(canvas.get_renderer()) for part in figure.get_children()]
        outside = [box for box in boxes if edge.count_contains([box.min, box.max]) < 2]
        assert not outside, f"{path} draws text past its edge"
        scale = min(SLIDE[0] / figure.get_figwidth(), SLIDE[1] / figure.get_figheight())
        texts = [text for text in figure.findobj(Text) if text.get_visible() and text.get_text()]
        small = [text.get_text() for text in texts if text.get_fontsize() * scale < 16]
        assert not small, f"{path}: under 16 pt on a slide: {small}"
        parts = [part for part in figure.findobj() if part.get_visible()]
        drawn = [to_rgba_array(part.get_color()) for part in parts if isinstance(part, Line2D)]
        drawn += [to_rgba_array(p.get_facecolor()) for p in parts if isinstance(p, Collection)]
        drawn += [to_rgba_array([p.get_fc(), p.get_ec()]) for ax in figure.axes for p in ax.patches]
        rgba = np.concatenate([[[0, 0, 0, 1]], *drawn])  # black, and every line's colour
        rgb = (rgba[:, :3] * rgba[:, 3:] + 1 - rgba[:, 3:])[rgba[:, 3] > 0]  # seen on white
        linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        contrast = 1.05 / (linear @ [0.2126, 0.7152, 0.0722] + 0.05)  # WCAG's; tab10's cyan: 2.3
        assert contrast.min() >= 4.5, f"{path} draws in a colour that washes out"  # 4.5: as text
        saved.append(Path(path).name)
        return savefig(figure, path, **options)

    monkeypatch.setattr(Figure, "savefig", checked_savefig)
    return saved
