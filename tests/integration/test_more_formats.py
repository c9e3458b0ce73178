"""Audio/video from real files made by other tools, and the configured default TSA."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import provenance
from provenance.identity import Identity


@pytest.mark.parametrize("name", ["video1.mp4", "sample1_signed.wav"])
def test_resign_real_media_from_other_tools(name: str, shared: Path, tmp_path: Path,
                                            identity: Identity) -> None:
    src = shared / "conformance" / "files" / "contentauth_c2pa-python" / name
    if not src.is_file():
        pytest.skip(f"{name} not in ../shared")
    # It already carries someone else's manifest: refused unless the history is recorded...
    with pytest.raises(provenance.AlreadySigned):
        provenance.sign(src, tmp_path / name, identity=identity)
    # ...as the parent of our edit, which keeps the other tool's manifest as an ingredient.
    out = provenance.sign(src, tmp_path / name, identity=identity, parent=src)
    report = provenance.inspect(out.output)
    assert report.status == "trusted"
    assert [i.relationship for i in report.ingredients] == ["parentOf"]
    assert report.ingredients[0].status in ("valid", "trusted")


def test_configured_default_tsa_is_used(tmp_path: Path, home: Path, identity_dir: Path,
                                        files: dict[str, Path]) -> None:
    from provenance.tsa import TimestampAuthority, serve

    tsa, _ = TimestampAuthority.create("TEST-ONLY config TSA")
    server = serve(tsa, "127.0.0.1", 0)
    try:
        port = server.server_address[1]
        (home / "config.toml").write_text(f'[sign]\ntsa_url = "http://127.0.0.1:{port}/"\n')
        out = tmp_path / "stamped.jpg"
        run = subprocess.run(
            [sys.executable, "-m", "provenance", "sign", str(files["photo.jpg"]), "-o", str(out),
             "--identity", str(identity_dir)],
            capture_output=True, text=True, env=os.environ.copy(), timeout=60, check=False,
        )
        assert run.returncode == 0, run.stderr
        assert "no timestamp" not in run.stderr
        report = provenance.inspect(out)
        assert report.timestamp is not None
        assert report.timestamp.tsa == "CN=TEST-ONLY config TSA"
    finally:
        server.shutdown()
        server.server_close()
