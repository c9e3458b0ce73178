"""Doctor fixtures: every sample type in samples/, signed with the TEST-ONLY identity and
registered in a registry of the test's own (never the user's)."""

from __future__ import annotations

from pathlib import Path

import pytest

import provenance
import provenance.trust
from provenance.identity import Identity
from provenance.registry import open_registry
from provenance.registry.record import NotRegistrable, record_for

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def sample_files() -> list[Path]:
    """Every sample file (README aside)."""
    return sorted(p for p in SAMPLES.iterdir() if p.is_file() and p.name != "README.md")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory,
              _session_identity_dir: Path) -> tuple[list[Path], str, Path]:
    """(signed samples, the registry DSN holding them, the home whose trust they chain to).

    Signed once per module in a home of its own; each test's ``home`` trusts the same root
    through the ``identity`` fixture.
    """
    root = tmp_path_factory.mktemp("doctor")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PROVENANCE_HOME", str(root / "home"))
        ident = Identity.load(_session_identity_dir, password=None)
        assert ident.root is not None
        provenance.trust.add_certificates("test-root", [ident.root])
        out = root / "signed"
        out.mkdir()
        signed = [provenance.sign(p, out / p.name, identity=ident).output
                  for p in sample_files()]
        dsn = f"sqlite:///{root / 'registry.sqlite3'}"
        records = []
        for p in signed:
            try:
                records.append(record_for(p))
            except NotRegistrable:
                continue  # SVG, PDF, DOCX: no content fingerprint
        with open_registry(dsn) as reg:
            assert reg.add(records) == len(records)
    return signed, dsn, root
