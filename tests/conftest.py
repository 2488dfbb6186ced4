"""Shared test helpers: load the two scripts as modules, run them as a user would."""

import importlib.util
import os
import shutil
import signal
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
    # Loading a script installs its Ctrl-C excepthook and the default SIGPIPE action; pytest's
    # own handling must stay in charge (Python itself ignores SIGPIPE).
    sys.excepthook = sys.__excepthook__
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    return module


def run_script(filename, *args, timeout=120, **popen_options):
    """Run a script in a subprocess, as a user would from the terminal."""
    return subprocess.run(
        [sys.executable, str(ROOT / filename), *map(os.fsencode, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        **popen_options,
    )


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


@pytest.fixture
def out_dir(tmp_path):
    """A fresh output folder; the scripts create it themselves."""
    return tmp_path / "out"


@pytest.fixture(autouse=True)
def restore_ctrl_c():
    """A script's main() ignores Ctrl-C while it renames its files; give pytest its Ctrl-C back."""
    yield
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def read_only_folder(tmp_path):
    """An existing folder that nobody, root included, can create files in."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
    elif shutil.which("chattr") is None or subprocess.run(["chattr", "+i", folder]).returncode:
        pytest.skip("as root, a read-only folder needs chattr +i, which this machine refuses")
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", folder], check=True)
    folder.chmod(0o755)


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert len(data) > 10_000, f"{path.name} looks empty"


def usage_error(parse_args, args, capsys):
    """Parse bad arguments: argparse's usage line, then one error line, exit code 2."""
    with pytest.raises(SystemExit) as exit_info:
        parse_args(args)
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0].startswith("usage: ")
    assert "error: argument" in lines[-1] or "unrecognized arguments" in lines[-1]
    return lines[-1]


def help_text(parse_args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--help"])
    assert exit_info.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # unwrap argparse's line breaks


def write_previous_assets(out_dir, names):
    """Fill out_dir with stand-ins for earlier assets; returns {name: bytes} to compare after."""
    out_dir.mkdir(exist_ok=True)
    previous = {name: f"previous {name}".encode() for name in names}
    for name, content in previous.items():
        (out_dir / name).write_bytes(content)
    return previous


def folder_contents(folder):
    return {path.name: path.read_bytes() for path in folder.iterdir()}
