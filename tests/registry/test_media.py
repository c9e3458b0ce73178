"""Audio and video soft bindings (ISCC audio/video codes from fpcalc and ffmpeg): in the
signed manifest, in the registry, and recovered from a re-encoded copy without metadata.
Skips cleanly where the tools are not installed; signing without them still works."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

import provenance
import provenance.fingerprint.media as media
from provenance.fingerprint import fingerprint
from provenance.identity import Identity
from provenance.registry import open_registry
from provenance.registry.record import record_for

FFMPEG = shutil.which("ffmpeg")
needs_fpcalc = pytest.mark.skipif(shutil.which("fpcalc") is None or FFMPEG is None,
                                  reason="fpcalc (libchromaprint-tools) and ffmpeg needed")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg needed")


def music(path: Path, seed: int, seconds: float = 10, rate: int = 22050) -> Path:
    """A WAV of short decaying chords (made here)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    out = np.zeros_like(t)
    for start in np.arange(0, seconds, 0.25):
        m = (t >= start) & (t < start + 0.25)
        for f in 110 * 2 ** (rng.integers(0, 36, 3) / 12):
            out[m] += np.sin(2 * np.pi * f * t[m]) * np.exp(-(t[m] - start) * 6)
    out += rng.normal(0, 0.02, len(t))
    pcm = (out / np.abs(out).max() * 0.8 * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def ffmpeg(*args: str) -> None:
    assert FFMPEG is not None
    subprocess.run([FFMPEG, "-v", "error", "-nostdin", "-y", *args], check=True, timeout=120)


def clip(path: Path, source: str) -> Path:
    """A 4-second H.264 MP4 from one of ffmpeg's generated sources."""
    ffmpeg("-f", "lavfi", "-i", source, "-t", "4", "-pix_fmt", "yuv420p", "-c:v", "libx264",
           str(path))
    return path


@needs_fpcalc
def test_audio_survives_mp3_and_back(identity: Identity, tmp_path: Path) -> None:
    signed = provenance.sign(music(tmp_path / "song.wav", 1), tmp_path / "song.signed.wav",
                             identity=identity).output
    assert provenance.inspect(signed).status == "trusted"  # the soft binding changes nothing
    rec = record_for(signed)
    assert rec.kind == "audio" and rec.soft_bindings[0][0] == "io.iscc.v0"
    assert rec.soft_bindings[0][1].startswith("ISCC:EI")  # Content-Code Audio
    other = record_for(provenance.sign(music(tmp_path / "b.wav", 2), tmp_path / "b.s.wav",
                                       identity=identity).output)
    # WAV -> MP3 96k -> WAV: no manifest left, new bytes.
    ffmpeg("-i", str(signed), "-b:a", "96k", str(tmp_path / "copy.mp3"))
    ffmpeg("-i", str(tmp_path / "copy.mp3"), str(tmp_path / "copy.wav"))
    copy = tmp_path / "copy.wav"
    assert provenance.inspect(copy).status == "unsigned"
    with open_registry(f"sqlite:///{tmp_path / 'r.sqlite3'}") as reg:
        reg.add([rec, other])
        fp = fingerprint(copy.read_bytes(), "audio/wav")
        assert fp is not None and fp.kind == "audio"
        found = reg.lookup(fp)
        assert found and found[0].manifest_id == rec.manifest_id
        assert found[0].signer.name == "TEST-ONLY Ada Lovelace"
        assert all(m.manifest_id != other.manifest_id for m in found)


@needs_ffmpeg
def test_video_survives_downscale_and_lower_bitrate(identity: Identity, tmp_path: Path) -> None:
    src = clip(tmp_path / "clip.mp4", "mandelbrot=size=320x240:rate=25")
    signed = provenance.sign(src, tmp_path / "clip.signed.mp4", identity=identity).output
    rec = record_for(signed)
    assert rec.kind == "video" and rec.soft_bindings[0][1].startswith("ISCC:EM")
    other = clip(tmp_path / "other.mp4", "life=size=320x240:rate=25:seed=3:mold=10")
    other_rec = record_for(provenance.sign(other, tmp_path / "other.signed.mp4",
                                           identity=identity).output)
    copy = tmp_path / "copy.mp4"
    ffmpeg("-i", str(signed), "-map_metadata", "-1", "-vf", "scale=240:180", "-b:v", "150k",
           "-c:v", "libx264", str(copy))
    assert provenance.inspect(copy).status == "unsigned"
    with open_registry(f"sqlite:///{tmp_path / 'r.sqlite3'}") as reg:
        reg.add([rec, other_rec])
        fp = fingerprint(copy.read_bytes(), "video/mp4")
        assert fp is not None and fp.kind == "video"
        found = reg.lookup(fp)
        assert found and found[0].manifest_id == rec.manifest_id and found[0].similarity >= 90
        assert all(m.manifest_id != other_rec.manifest_id for m in found)


def test_without_the_tool_signing_works_and_says_so_once(
        identity: Identity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(media, "tool", lambda name: None)
    monkeypatch.setattr(media, "_said", set())
    for i in (1, 2):
        out = provenance.sign(music(tmp_path / f"s{i}.wav", i, seconds=1),
                              tmp_path / f"s{i}.signed.wav", identity=identity).output
        assert provenance.inspect(out).status in ("trusted", "valid")
        assert fingerprint(out.read_bytes(), "audio/wav") is None
    err = capsys.readouterr().err
    assert err.count("fpcalc is not installed") == 1 and "libchromaprint-tools" in err
