"""Shared test helpers: load the two scripts as modules, run them as a user would."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_script(filename, module_name):
    """Import a script whose name starts with a digit (so `import 00_scratch` cannot work)."""
    spec = importlib.util.spec_from_file_location(module_name, ROOT / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(filename, *args, **options):
    """Run a script in a subprocess, as a user would from the terminal."""
    command = [sys.executable, str(ROOT / filename), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, **options)


def start_script(filename, *args, **options):
    """Start a script in a subprocess with pipes for its output, and return at once."""
    command = [sys.executable, str(ROOT / filename), *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)


@pytest.fixture(scope="session")
def scratch():
    return load_script("00_scratch.py", "scratch")


@pytest.fixture(scope="session")
def ae():
    return load_script("01_pytorch.py", "pytorch_autoencoder")


@pytest.fixture(scope="session")
def digits(scratch):
    """The shared train/test split (X_train, X_test, y_train, y_test)."""
    return scratch.load_data()


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert len(data) > 10_000, f"{path.name} looks empty"


def write_previous_files(out_dir, names):
    """Stand-ins for earlier outputs; returns {name: bytes} to compare with afterwards."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        (out_dir / name).write_bytes(f"previous {name}".encode())
    return {name: (out_dir / name).read_bytes() for name in names}


def folder_contents(folder):
    return {path.name: path.read_bytes() for path in folder.iterdir()}
