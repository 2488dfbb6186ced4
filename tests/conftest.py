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


def run_script(filename, *args, timeout=120):
    """Run a script in a subprocess, as a user would from the terminal."""
    return subprocess.run(
        [sys.executable, str(ROOT / filename), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def scratch():
    module = load_script("00_scratch.py", "scratch")
    # Loading the script installs its Ctrl-C excepthook; pytest's own handling must stay in charge.
    sys.excepthook = sys.__excepthook__
    return module


@pytest.fixture(scope="session")
def digits(scratch):
    """The shared train/test split (X_train, X_test, y_train, y_test)."""
    return scratch.load_data()


@pytest.fixture
def out_dir(tmp_path):
    """A fresh output folder; the scripts create it themselves."""
    return tmp_path / "out"
