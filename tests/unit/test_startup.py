"""What each start-up path imports (not how long it takes: bench/speed.py times it).

Each case runs a fresh interpreter and reads ``sys.modules`` at the end, so a module-level import
added to the wrong place (c2pa, Pillow, cryptography, rich, pydantic...) fails here at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

HEAVY = ("c2pa", "PIL", "cryptography", "numpy", "pydantic", "iscc_core", "sqlite3")
HEAVY_UI = (*HEAVY, "typer", "rich")


def _modules(code: str, *argv: str, env: dict[str, str] | None = None) -> set[str]:
    probe = (f"import sys\n{code}\n"
             "import json; sys.__stdout__.write('\\nMODULES ' + json.dumps(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", probe, *argv], cwd=PROJECT, capture_output=True,
                          text=True, timeout=60, check=False, env=env)
    tail = proc.stdout.rsplit("MODULES ", 1)
    assert len(tail) == 2, proc.stderr
    return set(json.loads(tail[1]))


def _loaded(modules: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in roots or m in roots)


def test_import_provenance_is_light_and_every_public_name_resolves() -> None:
    mods = _modules("import provenance")
    assert not _loaded(mods, HEAVY_UI), _loaded(mods, HEAVY_UI)
    # Every name in __all__ still imports (lazily) and is what its module defines.
    mods = _modules("import provenance\n"
                    "missing = [n for n in provenance.__all__ if getattr(provenance, n) is None]\n"
                    "assert not missing, missing\n"
                    "import provenance.verify\n"
                    "assert provenance.verify.__name__ == 'verify'\n"
                    "import provenance.batch, provenance.batch.expand\n"
                    "assert callable(provenance.batch.expand)\n"
                    "assert all(getattr(provenance.batch, n) is not None\n"
                    "           for n in provenance.batch.__all__)\n"
                    "from provenance import *")
    assert "c2pa" in mods  # resolving sign/verify does load c2pa


def _run_main(*argv: str, env: dict[str, str] | None = None) -> set[str]:
    code = ("sys.argv = ['provenance', *sys.argv[1:]]\n"
            "from provenance.cli.main import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    return _modules(code, *argv, env=env)


def test_version_imports_neither_typer_nor_rich() -> None:
    mods = _run_main("--version")
    assert not _loaded(mods, HEAVY_UI), _loaded(mods, HEAVY_UI)


def test_help_lists_every_verb_without_c2pa_or_cryptography() -> None:
    mods = _run_main("--help")
    assert not _loaded(mods, HEAVY), _loaded(mods, HEAVY)


def test_verify_of_one_file_loads_only_the_verifying_half(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "PROVENANCE_HOME": str(tmp_path)}
    (tmp_path / "x.txt").write_text("hello\n")
    mods = _run_main("verify", str(tmp_path / "x.txt"), "--no-lookup", env=env)
    assert "c2pa" in mods or "provenance.verify" in mods
    unwanted = ("PIL", "numpy", "pydantic", "rich", "iscc_core", "sqlite3", "multiprocessing")
    assert not _loaded(mods, unwanted), _loaded(mods, unwanted)
    assert "urllib.request" not in mods  # nothing on the verify path touches the network
    assert "provenance.batch.sign_jobs" not in mods and "provenance.cli.sign" not in mods


#: What `verify x.jpg` of a signed JPEG must not import (bench/speed.py's FORBIDDEN too): the
#: other carriers, the pipeline rules, thread pools, passphrase prompts, platformdirs (with
#: PROVENANCE_HOME set), typer (the fast path) and what only signing needs.
SIGNED_JPEG_UNWANTED = (
    "PIL", "numpy", "pydantic", "rich", "iscc_core", "sqlite3", "multiprocessing",
    "urllib.request", "concurrent.futures", "getpass", "platformdirs", "provenance.policy_rules",
    "provenance.carriers.text", "provenance.carriers.sidecar", "provenance.carriers.manifest_file",
    "provenance.carriers.html", "provenance.carriers.unstructured", "provenance.cli.sign",
    "provenance.registry.base", "provenance.registry.recovery", "provenance.fingerprint",
    "provenance.zipguard", "provenance.carriers.zip",
    # typer's path and signing's half (cli/fastverify.py, carriers/media.py import them lazily)
    "typer", "click", "provenance.cli.app", "provenance.cli.verify", "provenance.options",
    "provenance.claims", "provenance.policyfile", "provenance.carriers.structured", "uuid")


def test_verify_of_a_signed_jpeg_loads_no_other_carrier(tmp_path: Path, identity: object,
                                                         home: Path) -> None:
    import os

    from PIL import Image

    import provenance

    source, signed = tmp_path / "x.jpg", tmp_path / "x.signed.jpg"
    Image.new("RGB", (32, 32), (200, 120, 40)).save(source, quality=90)
    provenance.sign(source, signed, identity=identity)  # type: ignore[arg-type]
    env = {**os.environ, "PROVENANCE_HOME": str(home)}
    code = ("sys.argv = ['provenance', *sys.argv[1:]]\n"
            "from provenance.cli.main import main\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code")
    mods = _modules(code, "verify", str(signed), env=env)
    assert "c2pa" in mods and "provenance.carriers.media" in mods
    bad = sorted(m for m in mods if any(m == u or m.startswith(u + ".")
                                        for u in SIGNED_JPEG_UNWANTED))
    assert not bad, bad
    proc = subprocess.run([sys.executable, "-m", "provenance", "verify", str(signed), "--json"],
                          cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    signer = json.loads(proc.stdout)["results"][0]["signer"]
    root = identity.root.subject  # type: ignore[attr-defined]
    from provenance._dn import format_dn

    # The anchor's subject, read from the installed anchor's DER without cryptography.
    assert signer["trusted"] and signer["trust_list"] == "test-root"
    assert signer["anchor"] == format_dn(root) == signer["issuer"]


def test_every_registered_verb_loads_and_is_listed() -> None:
    import typer
    from provenance.cli.app import VERBS, app, load_verb

    command = typer.main.get_command(app)
    ctx = typer.Context(command)
    assert command.list_commands(ctx)[:len(VERBS)] == list(VERBS)
    for name in VERBS:
        verb = load_verb(name)
        assert verb is not None and verb.name == name, name
        assert (verb.help or "").strip(), f"{name} has no help text"


@pytest.mark.parametrize("name", ["nosuchverb"])
def test_unknown_verb_is_a_usage_error(name: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "provenance", name], cwd=PROJECT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
