"""``provenance trust add --config FILE``: accepted certificate purposes (EKUs), through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import (
    EXIT_OK,
    EXIT_USAGE,
    assert_one_error_line,
    assert_unchanged,
    run,
    snapshot,
)


def test_add_config_then_list_and_remove(tmp_path: Path, home: Path) -> None:
    cfg = tmp_path / "store.cfg"
    cfg.write_text("//id-kp-emailProtection \n1.3.6.1.5.5.7.3.4\n// MS C2PA Signing\n"
                   "1.3.6.1.4.1.311.76.59.1.9\n", "utf-8")
    proc = run("trust", "add", "--config", cfg)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "2 accepted EKU(s)" in proc.stderr
    assert (home / "trust" / "store.cfg").is_file()
    doc = json.loads(run("trust", "list", "--json").stdout)
    assert "1.3.6.1.4.1.311.76.59.1.9" in doc["ekus"]
    assert "1.3.6.1.5.5.7.3.36" in doc["ekus"]  # the C2PA defaults are always there
    assert "1.3.6.1.4.1.311.76.59.1.9" in run("trust", "list").stdout
    assert run("trust", "remove", "store").returncode == EXIT_OK
    assert not (home / "trust" / "store.cfg").exists()


def test_add_config_rejects_a_non_config(tmp_path: Path, home: Path) -> None:
    bad = tmp_path / "anchors.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "utf-8")
    before = snapshot(tmp_path, home)
    proc = run("trust", "add", "--config", bad)
    assert_one_error_line(proc, EXIT_USAGE, "is not an OID")
    assert_unchanged(before, snapshot(tmp_path, home))


def test_add_needs_file_or_config() -> None:
    assert_one_error_line(run("trust", "add"), EXIT_USAGE, "--config")


def test_cai_store_cfg_installs(shared: Path, home: Path) -> None:
    proc = run("trust", "add", "--config", shared / "trust/cai_interim_verify-site/store.cfg",
               "--name", "cai")
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "6 accepted EKU(s)" in proc.stderr
