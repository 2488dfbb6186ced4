"""Both scripts where terminals and folders are not tidy: no traceback, no mix of old and new.

Each test runs once per script. The slow ones start a real process (a pipe that closes, a closed
stdout, a terminal that cannot print the folder's name); the rest call main() in this process.
"""

import os
import shutil
import signal
import stat
import subprocess
import sys

import pytest
from conftest import (
    ROOT,
    folder_contents,
    load_script,
    run_script,
    usage_error,
    write_previous_assets,
)

SCRIPTS = {
    # script: (its module fixture, flags for a quick run, the files a run writes)
    "00_scratch.py": (
        "scratch",
        [],
        [
            "scratch_latent_space.png",
            "scratch_reconstruction.png",
            "scratch_pca_equivalence.png",
            "scratch_metrics.json",
        ],
    ),
    "01_pytorch.py": (
        "ae",
        ["--epochs", "5"],
        [
            "pytorch_latent_space.png",
            "pytorch_reconstruction.png",
            "pytorch_training_curve.png",
            "pytorch_latent_manifold.png",
            "pytorch_metrics.json",
        ],
    ),
}


@pytest.fixture(params=SCRIPTS)
def script(request):
    """(file name, module, quick flags, files written) for each script in turn."""
    fixture, quick, files = SCRIPTS[request.param]
    return request.param, request.getfixturevalue(fixture), quick, files


def run_main(module, argv):
    """main() in this process; returns its exit status (0, or sys.exit's code)."""
    try:
        module.main([str(arg) for arg in argv])
    except SystemExit as exit_info:
        return exit_info.code
    return 0


def assert_one_line_failure(code, *words):
    """sys.exit(message): Python prints the message as one line and exits with status 1."""
    assert isinstance(code, str) and "\n" not in code, code
    assert all(word in code for word in words), code


def assert_all_old_or_all_new(out_dir, previous):
    contents = folder_contents(out_dir)
    assert set(contents) == set(previous), "a temporary file was left behind"
    changed = [name for name in previous if contents[name] != previous[name]]
    assert changed in ([], list(previous)), f"a mix of old and new files: {changed} changed"


# ----------------------------------------------------------------------------- real processes
def test_a_reader_that_goes_away_ends_the_run_quietly(script, out_dir):
    """`python SCRIPT | head`: no traceback, and the files are all old or all new."""
    name, _, quick, files = script
    previous = write_previous_assets(out_dir, files)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / name), *quick, "--out", str(out_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert "Traceback" not in stderr and stderr == ""
    assert process.returncode in (-signal.SIGPIPE, 0)  # killed by SIGPIPE, as `yes | head` is
    assert_all_old_or_all_new(out_dir, previous)


def test_a_closed_stdout_is_no_error(script, out_dir):
    """`python SCRIPT >&-`: the run completes and writes its files."""
    name, _, quick, files = script
    result = run_script(name, *quick, "--out", out_dir, preexec_fn=lambda: os.close(1))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(files)


@pytest.mark.parametrize(
    "name, folder_name, encoding",
    [
        ("00_scratch.py", "résultats", "ascii"),
        ("00_scratch.py", os.fsdecode(b"bad\xffname"), "utf-8"),
        ("01_pytorch.py", "résultats", "ascii"),  # the same prepare_stdout(): one slow run
    ],
    ids=["00-accent-on-an-ascii-terminal", "00-undecodable-bytes", "01-accent-on-ascii"],
)
def test_a_folder_name_the_terminal_cannot_print(tmp_path, name, folder_name, encoding):
    _, quick, files = SCRIPTS[name]
    out_dir = tmp_path / folder_name
    env = os.environ | {"PYTHONIOENCODING": encoding}
    result = run_script(name, *quick, "--out", out_dir, env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "wrote " in result.stdout
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(files)


# ----------------------------------------------------------------------------- main() in-process
@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_files_get_the_mode_the_umask_gives(script, out_dir, umask):
    _, module, quick, files = script
    write_previous_assets(out_dir, files)
    (out_dir / files[0]).chmod(0o600)  # a replaced file takes the umask's mode too, as open()'s
    old_umask = os.umask(umask)
    try:
        assert run_main(module, [*quick, "--out", out_dir]) == 0
    finally:
        os.umask(old_umask)
    for name in files:
        assert stat.S_IMODE((out_dir / name).stat().st_mode) == 0o666 & ~umask, name


def test_a_read_only_folder_fails_before_the_work(script, read_only_folder, capsys):
    name, module, quick, _ = script
    longest = ["--sweep"] if name == "01_pytorch.py" else []  # the longest run: fail first
    code = run_main(module, [*quick, *longest, "--out", read_only_folder])
    assert_one_line_failure(code, "cannot write to --out", "try another --out")
    assert capsys.readouterr().out == "", "it should fail before it starts the work"
    assert list(read_only_folder.iterdir()) == []


def test_an_asset_name_taken_by_a_folder_fails_before_anything_is_replaced(script, out_dir, capsys):
    _, module, quick, files = script
    previous = write_previous_assets(out_dir, files[:-1])
    (out_dir / files[-1]).mkdir()
    code = run_main(module, [*quick, "--out", out_dir])
    assert_one_line_failure(code, files[-1], "is a folder")
    assert capsys.readouterr().out == ""
    assert {name: (out_dir / name).read_bytes() for name in previous} == previous


def test_a_file_given_as_the_folder(script, tmp_path, capsys):
    _, module, quick, _ = script
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    code = run_main(module, [*quick, "--out", a_file])
    assert_one_line_failure(code, "is a file, not a folder")
    assert a_file.read_text() == "mine"


def test_an_empty_folder_name_is_a_usage_error(script, capsys):
    _, module, _, _ = script
    assert "--out" in usage_error(module.parse_args, ["--out", ""], capsys)


def test_ctrl_c_while_the_files_are_renamed_lets_them_finish(script, out_dir, monkeypatch):
    _, module, quick, files = script
    previous = write_previous_assets(out_dir, files)
    real_replace = os.replace

    def replace_and_press_ctrl_c(source, target):
        os.kill(os.getpid(), signal.SIGINT)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_and_press_ctrl_c)
    assert run_main(module, [*quick, "--out", out_dir]) == 0
    contents = folder_contents(out_dir)
    assert set(contents) == set(files)
    assert all(contents[name] != previous[name] for name in files)


def test_the_lesson_leaves_nothing_but_its_assets(script, tmp_path, capsys):
    """Run from a copy of the script, as from a clone: only assets/ beside it gets files."""
    name, _, quick, files = script
    shutil.copy(ROOT / name, tmp_path / name)
    copy = load_script(tmp_path / name, f"copy_of_{name[:2]}")
    assert run_main(copy, quick) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "assets"])
    assert sorted(p.name for p in (tmp_path / "assets").iterdir()) == sorted(files)
