"""Shared test helpers: load the two scripts as modules, run them as a user would."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

ROOT = Path(__file__).resolve().parent.parent


def load_script(filename, module_name):
    """Import a script whose name starts with a digit (so `import 00_scratch` cannot work)."""
    spec = importlib.util.spec_from_file_location(module_name, ROOT / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_script(filename, *args, **options):
    """Start a script as a user would from the terminal, with pipes for its output."""
    command = [sys.executable, str(ROOT / filename), *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)


@pytest.fixture(scope="session")
def scratch():
    return load_script("00_scratch.py", "scratch")


@pytest.fixture(scope="session")
def ae():
    return load_script("01_pytorch.py", "pytorch_autoencoder")


def write_previous_files(out_dir, names):
    """Stand-ins for earlier outputs; returns {name: bytes} to compare with afterwards."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        (out_dir / name).write_bytes(f"previous {name}".encode())
    return {name: (out_dir / name).read_bytes() for name in names}


def folder_contents(folder):
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def texts_past_the_edge(figure):
    """What a figure draws past its own edge: each axes with its titles, labels and ticks, and
    the figure's own texts and legends, drawn as savefig draws them (layout engine included)."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer, edge = canvas.get_renderer(), figure.bbox.padded(1)  # 1 pixel for antialiasing
    parts = [(ax.get_title() or "axes", ax.get_tightbbox(renderer)) for ax in figure.axes]
    parts += [(text.get_text(), text.get_window_extent(renderer)) for text in figure.texts]
    parts += [("legend", legend.get_window_extent(renderer)) for legend in figure.legends]
    return [
        name for name, box in parts if not (edge.contains(*box.min) and edge.contains(*box.max))
    ]


@pytest.fixture
def figures_inside(scratch, ae, monkeypatch):
    """Make both scripts' main() fail if a figure it saves draws text past its edge, or if a PNG
    it writes is not a whole picture."""
    for module in (scratch, ae):

        def save_checked_files(out_dir, files, save_files=module.save_files):
            pngs = [name for name in files if name.endswith(".png")]
            for name in pngs:
                outside = texts_past_the_edge(files[name])
                assert not outside, f"{name} draws text past its edge: {outside}"
            save_files(out_dir, files)
            for name in pngs:
                assert (out_dir / name).read_bytes().startswith(b"\x89PNG\r\n"), f"{name}: no PNG"

        monkeypatch.setattr(module, "save_files", save_checked_files)
