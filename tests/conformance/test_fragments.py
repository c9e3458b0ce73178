"""Fragmented MP4 (DASH/CMAF): ``verify --init init.mp4 seg.m4s...``, read-only.

Measured with c2pa-python 0.38.1: it reads a fragment with its init segment
(``Reader.with_fragment``), but cannot sign fragments: c2pa-rs's fragmented signing is not
bound, and signing the whole fragmented file gives one BMFF hash (with or without its Merkle
settings) that no single fragment matches. So these tests read fragments made here by ffmpeg:
an unsigned stream reads ``unsigned``; a fragment cut from a whole-file-signed stream is judged
against its init segment and fails honestly (``assertion.bmffHash.mismatch``), never crashes.
Skipped without ffmpeg (``.ci/run`` installs it when it can).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import provenance
from provenance import inspect_fragment, sign
from provenance.identity import Identity
from tests.cli.helpers import EXIT_FAILED, EXIT_USAGE, assert_one_error_line, run


def _boxes(data: bytes) -> list[tuple[str, int, int]]:
    out, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size < 8:
            break
        out.append((kind.decode("latin-1"), pos, size))
        pos += size
    return out


def _split(data: bytes, where: Path) -> tuple[Path, list[Path]]:
    """init.mp4 (everything before the first moof) and one seg-N.m4s per moof+mdat."""
    boxes = _boxes(data)
    first = next(p for k, p, _ in boxes if k == "moof")
    init = where / "init.mp4"
    init.write_bytes(data[:first])
    segments: list[list[int]] = []
    for kind, pos, size in boxes:
        if pos < first or kind == "mfra":
            continue
        if kind == "moof":
            segments.append([pos, pos + size])
        elif segments:
            segments[-1][1] = pos + size
    paths = []
    for i, (a, b) in enumerate(segments):
        p = where / f"seg-{i}.m4s"
        p.write_bytes(data[a:b])
        paths.append(p)
    return init, paths


@pytest.fixture(scope="module")
def fragmented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        pytest.skip("ffmpeg is not installed")
    out = tmp_path_factory.mktemp("fmp4") / "stream.mp4"
    subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=64x48:rate=10", "-t", "2", "-c:v", "mpeg4", "-g", "5",
                    "-movflags", "frag_keyframe+empty_moov+default_base_moof", str(out)],
                   check=True, timeout=120, stdin=subprocess.DEVNULL)
    return out


def test_unsigned_stream_reads_unsigned(fragmented: Path, tmp_path: Path) -> None:
    init, segments = _split(fragmented.read_bytes(), tmp_path)
    assert len(segments) >= 2
    report = inspect_fragment(init, segments[0])
    assert report.status == "unsigned"
    proc = run("verify", "--init", init, *segments)
    assert proc.returncode == EXIT_FAILED
    assert proc.stderr.count("no Content Credentials") == len(segments)


def test_fragment_of_a_whole_file_signature_fails_honestly(
        fragmented: Path, identity: Identity, tmp_path: Path) -> None:
    signed = sign(fragmented, tmp_path / "signed.mp4", identity=identity).output
    assert provenance.inspect(signed).status == "trusted"
    init, segments = _split(signed.read_bytes(), tmp_path)
    report = inspect_fragment(init, segments[0])
    assert report.status == "invalid"
    assert "assertion.bmffHash.mismatch" in [f.code for f in report.failures]
    assert report.carrier == "fragment"


def test_init_must_be_mp4(tmp_path: Path, files: dict[str, Path]) -> None:
    seg = tmp_path / "seg.m4s"
    seg.write_bytes(b"\0\0\0\x08moof")
    assert_one_error_line(run("verify", "--init", files["photo.jpg"], seg), EXIT_USAGE,
                          "not an MP4 init segment")
