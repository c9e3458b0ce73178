"""The distribution: a name of its own, and the command line inside the package namespace."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import provenance
from provenance import _versions
from tests.cli.helpers import PROJECT


def test_distribution_name_is_not_the_caching_library() -> None:
    meta = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    # `provenance` on PyPI is an unrelated caching library; ours is human-provenance (checked
    # free with `pip index versions human-provenance` when it was chosen).
    assert meta["name"] == _versions.DISTRIBUTION == "human-provenance"
    assert meta["scripts"] == {"provenance": "provenance.cli.main:main"}


def test_wheel_has_no_top_level_cli_and_runs_from_site_packages(tmp_path: Path) -> None:
    """Built offline (hatchling from the dev extras), installed into a folder of its own, run
    from there: `provenance.cli` is a real subpackage, nothing else lands at the top level."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(wheels), str(PROJECT)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("human_provenance-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"provenance", f"human_provenance-{provenance.__version__}.dist-info"}, tops
    assert "provenance/cli/app.py" in names and "provenance/cli/__init__.py" in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True,
                   timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = ("import provenance.cli.app as a, provenance, sys; "
             "print(a.__file__); print('cli' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    where, top_level_cli = proc.stdout.split()
    assert Path(where).is_relative_to(target), where
    assert top_level_cli == "False"
    version = subprocess.run([sys.executable, "-m", "provenance", "--version"], cwd=tmp_path,
                             env=env, capture_output=True, text=True, timeout=120, check=True)
    assert version.stdout.startswith(f"provenance {provenance.__version__} (human-provenance)")


def test_checkout_maps_cli_without_a_top_level_cli_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import provenance.cli.app, sys; print('cli' in sys.modules)"],
        cwd="/", capture_output=True, text=True, timeout=120, check=True)
    assert proc.stdout.strip() == "False"


def test_c2pa_rs_version_constant_matches_the_pinned_wheel() -> None:
    import c2pa  # tests may; the package never does outside _c2pa.py

    assert c2pa.sdk_version() == _versions.C2PA_RS_VERSION
    text = _versions.version_text("9.9")
    assert "c2pa-python 0.38.1" in text and f"c2pa-rs {_versions.C2PA_RS_VERSION}" in text
    assert "provenance.report/v1" in text and "provenance.inspect/v1" in text


def test_version_reads_no_c2pa() -> None:
    """The --version text comes from metadata and constants; _versions imports no c2pa."""
    source = Path(_versions.__file__).read_text()
    assert "c2pa" not in {line.split()[1] for line in source.splitlines()
                          if line.startswith(("import ", "from "))}
