"""numrec as people get it: a real wheel and sdist, the wheel in a fresh venv without extras, the sdist's tests.

Both are built from a copy of this checkout as `python -m build` builds a release (the sdist, then the
wheel from the sdist). The fresh venv gets the wheel with plain pip, as this machine's pip is set up (a
local index: no internet needed); NUMREC_TEST_PIP_OPTIONS adds pip options, such as
"--no-index --find-links /opt/pypi/files" to prove the install needs no index at all.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numrec.mnist import load_split

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
# What a checkout holds that is not the project: environments, caches, build output, training runs.
NOT_PROJECT = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "runs", "*.pt", ".whl"
)
PIP_OPTIONS = shlex.split(os.environ.get("NUMREC_TEST_PIP_OPTIONS", ""))
USER_SCRIPT = Path(__file__).parent / "data" / "api_user.py"
VERSION = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M)


@dataclass(frozen=True)
class Built:
    checkout: Path
    wheel: Path
    sdist: Path


def run(
    cmd: list[str | Path], timeout: float = 120, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, f"{done.args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("package")
    checkout = root / "checkout"
    shutil.copytree(REPO, checkout, ignore=NOT_PROJECT)
    # --no-isolation: this venv's setuptools (pyproject's build-system.requires is checked all the same)
    ok(run([sys.executable, "-m", "build", "--no-isolation", "--outdir", root / "dist", checkout], timeout=300))
    (wheel,) = (root / "dist").glob("*.whl")
    (sdist,) = (root / "dist").glob("*.tar.gz")
    return Built(checkout, wheel, sdist)


@pytest.fixture(scope="module")
def venv(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and nothing else: its bin folder."""
    where = tmp_path_factory.mktemp("venv")
    ok(run([sys.executable, "-m", "venv", where]))
    ok(run([where / "bin" / "python", "-m", "pip", "install", "-q", *PIP_OPTIONS, built.wheel], timeout=600))
    return where / "bin"


@pytest.fixture(scope="module")
def seven_png(mnist_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The MNIST test set's first digit, a 7, as a 112x112 PNG, light on dark as MNIST draws it."""
    images, labels = load_split(mnist_dir, "test")
    assert labels[0] == 7
    path = tmp_path_factory.mktemp("png") / "seven.png"
    Image.fromarray(np.asarray(images[0], np.uint8)).resize((112, 112)).save(path)
    return path


def test_the_wheel_holds_the_package_its_model_page_and_type_marker_and_no_tests(built: Built) -> None:
    names = set(zipfile.ZipFile(built.wheel).namelist())
    for name in ("py.typed", "models/model.onnx", "models/model.json", "faces/web/static/index.html"):
        assert f"numrec/{name}" in names, name
    static = {n for n in names if n.startswith("numrec/faces/web/static/")}
    assert {Path(n).name for n in static} >= {"index.html", "app.js", "style.css", "api.html", "api.js"}
    assert not [n for n in names if n.startswith(("tests/", "bench/", "docs/"))]


def test_the_published_metadata_has_ranges_classifiers_urls_and_absolute_links(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(wheel.read(name).decode())
    requires = meta.get_all("Requires-Dist") or []
    assert not [r for r in requires if "==" in r.split(";")[0]], "no exact pins in a published package"
    assert any(r.startswith("torch>=") and 'extra == "train"' in r for r in requires)
    assert not [r for r in requires if "httptools" in r], "the server parses HTTP with h11"
    assert set(meta.get_all("Provides-Extra") or []) >= {"train", "web", "test", "dev"}
    assert "Typing :: Typed" in (meta.get_all("Classifier") or [])
    assert "Source, https://github.com/numrec/numrec" in (meta.get_all("Project-URL") or [])
    readme = meta.get_payload()
    assert "pip install numrec" in readme
    # An index page shows the README away from the repository: links to its files must be absolute.
    assert re.findall(r"\]\((?!https?://|#)([^)]+)\)", readme) == []


def test_the_sdist_holds_the_tests_their_helpers_and_the_project_around_them(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    needed = ["tests/conftest.py", "tests/support/paths.py", "tests/data/percent_cases.json", "tests/test_package.py"]
    needed += ["Makefile", "constraints.txt", ".ci/run", "docs/ARCHITECTURE.md", "bench/common.py", "tools/sizes.py"]
    assert [n for n in needed if n not in names] == []
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def collected(folder: Path) -> str:
    """The last line of `pytest --collect-only` in `folder`, importing numrec from its own src/."""
    env = {**os.environ, "PYTHONPATH": str(folder / "src")}
    done = ok(
        run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"], cwd=folder, env=env)
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_sdists_tests_collect_without_errors(built: Built, tmp_path: Path) -> None:
    with tarfile.open(built.sdist) as sdist:
        sdist.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.iterdir()
    summary = collected(unpacked)
    assert re.fullmatch(r"\d+ tests collected in .*", summary), summary
    assert summary.split(" in ")[0] == collected(built.checkout).split(" in ")[0], "the sdist misses tests"


def test_predict_reads_a_png_in_a_venv_without_extras(venv: Path, seven_png: Path) -> None:
    done = ok(run([venv / "numrec", "predict", seven_png]))
    assert re.fullmatch(rf"{re.escape(str(seven_png))}: 7 \([^)]*%\)", done.stdout.strip()), done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("command", "named", "extra"),
    [
        (["serve"], "serve", "web"),
        (["train"], "train", "train"),
        (["evaluate", "--report", "out"], "evaluate --report", "train"),
    ],
    ids=["serve", "train", "evaluate-report"],
)
def test_a_command_whose_extra_is_missing_says_so_in_one_line(
    venv: Path, tmp_path: Path, command: list[str], named: str, extra: str
) -> None:
    done = run([venv / "numrec", *command], cwd=tmp_path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"numrec {named} needs the {extra} extra: pip install 'numrec[{extra}]'\n"
    assert list(tmp_path.iterdir()) == [], "it stopped before doing any work (no runs/, no plots)"


def test_the_version_is_the_one_in_pyproject_read_from_the_installed_metadata(venv: Path) -> None:
    assert VERSION is not None
    code = "import sys, numrec; print(numrec.__version__, 'onnxruntime' in sys.modules)"
    assert ok(run([venv / "python", "-c", code])).stdout.split() == [VERSION[1], "False"]
    assert ok(run([venv / "numrec", "--version"])).stdout.strip() == f"numrec {VERSION[1]}"


def test_a_users_script_type_checks_strictly_without_any_against_the_installed_package(
    venv: Path, seven_png: Path, tmp_path: Path
) -> None:
    script = shutil.copy(USER_SCRIPT, tmp_path)
    # mypy of this venv, over the fresh venv's site-packages: numrec's types come from the wheel (py.typed).
    mypy = [sys.executable, "-m", "mypy", "--python-executable", venv / "python", "--strict", "--disallow-any-expr"]
    checked = run([*mypy, "--no-incremental", "--cache-dir", os.devnull, script], cwd=tmp_path, timeout=300)
    assert checked.returncode == 0 and checked.stdout.startswith("Success"), checked.stdout + checked.stderr
    read = ok(run([venv / "python", script, seven_png])).stdout.splitlines()
    assert read == ["ok 7"] * 4 + ["ok 1", "ok 1", "ok 7"]
