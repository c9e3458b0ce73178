"""Audio and video fingerprints: the ISCC audio and video codes (``io.iscc.v0``), computed by
iscc-core from features that two external tools extract.

- audio: a Chromaprint vector, ``fpcalc -raw -signed -json`` (Debian: ``libchromaprint-tools``);
  the first 120 s, fpcalc's default.
- video: MPEG-7 frame signatures (380 ternary values per frame), ffmpeg's ``signature``
  filter at 5 frames per second (the rate iscc-sdk samples at), read from its XML output.

Without the tool the content has no fingerprint: signing still works, without the soft
binding, and says so once on stderr. The tools run on a temporary copy (MP4 needs seeking),
bounded in time; their failure is never a reason to fail a signature.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provenance.fingerprint import Fingerprint

__all__ = ["AUDIO_TOOL", "VIDEO_TOOL", "audio_fingerprint", "tool", "video_fingerprint"]

#: (executable, Debian package) of each extractor.
AUDIO_TOOL = ("fpcalc", "libchromaprint-tools")
VIDEO_TOOL = ("ffmpeg", "ffmpeg")
_TIMEOUT = 300
_VIDEO_FPS = 5
_SUFFIX = {"audio/wav": ".wav", "audio/mpeg": ".mp3", "audio/flac": ".flac",
           "audio/mp4": ".m4a", "video/mp4": ".mp4", "video/quicktime": ".mov",
           "video/x-msvideo": ".avi"}
_FRAME = re.compile(rb"<FrameSignature>([0-9 \t\r\n]*)</FrameSignature>")
_said: set[str] = set()


def tool(name: str) -> str | None:
    """The path of the external tool ``name`` (``fpcalc``, ``ffmpeg``), or None."""
    return shutil.which(name)


def _missing(exe: str, package: str, kind: str) -> None:
    if exe in _said:
        return
    _said.add(exe)
    print(f"provenance: {exe} is not installed, so {kind} is signed and looked up without "
          f"its io.iscc.v0 soft binding (Debian: apt-get install {package})",
          file=sys.stderr, flush=True)


def _run(cmd: list[str], *, any_status: bool = False) -> bytes | None:
    """The tool's standard output; None when it fails (``any_status``: whatever its exit
    status, for fpcalc 1.5, which exits 3 on "Error decoding audio frame (End of file)"
    after printing a complete fingerprint)."""
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=_TIMEOUT, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 or any_status else None


def _with_copy(data: bytes, mime: str, work: Callable[[Path, Path], object]) -> object:
    with tempfile.TemporaryDirectory(prefix="provenance-fp-") as tmp:
        src = Path(tmp) / ("content" + _SUFFIX.get(mime, ".bin"))
        src.write_bytes(data)
        return work(src, Path(tmp))


def audio_fingerprint(data: bytes, mime: str) -> Fingerprint | None:
    """The ISCC audio code of encoded audio; None without ``fpcalc`` or when it cannot
    decode the content."""
    from provenance.fingerprint import Fingerprint

    exe = tool(AUDIO_TOOL[0])
    if exe is None:
        _missing(*AUDIO_TOOL, "audio")
        return None

    def work(src: Path, _tmp: Path) -> list[int] | None:
        out = _run([exe, "-raw", "-signed", "-json", str(src)], any_status=True)
        try:
            vector = json.loads(out or b"null")
        except ValueError:
            return None
        cv = vector.get("fingerprint") if isinstance(vector, dict) else None
        return [int(v) for v in cv] if isinstance(cv, list) and cv else None

    cv = _with_copy(data, mime, work)
    if not isinstance(cv, list):
        return None
    import iscc_core  # lazy: ~150 ms

    return Fingerprint("audio", str(iscc_core.gen_audio_code_v0(cv, bits=64)["iscc"]))


def video_fingerprint(data: bytes, mime: str) -> Fingerprint | None:
    """The ISCC video code of an encoded video; None without ``ffmpeg`` or when it cannot
    decode the content."""
    from provenance.fingerprint import Fingerprint

    exe = tool(VIDEO_TOOL[0])
    if exe is None:
        _missing(*VIDEO_TOOL, "video")
        return None

    def work(src: Path, tmp: Path) -> list[tuple[int, ...]] | None:
        sig = tmp / "signature.xml"
        if _run([exe, "-v", "error", "-nostdin", "-i", str(src), "-map", "0:v:0", "-vf",
                 f"fps=fps={_VIDEO_FPS},signature=format=xml:filename={sig}", "-f", "null",
                 "-"]) is None or not sig.is_file():
            return None
        frames = [tuple(int(v) for v in m.group(1).split())
                  for m in _FRAME.finditer(sig.read_bytes())]
        return [f for f in frames if len(f) == 380] or None

    frames = _with_copy(data, mime, work)
    if not isinstance(frames, list):
        return None
    import iscc_core  # lazy: ~150 ms

    return Fingerprint("video", str(iscc_core.gen_video_code_v0(frames, bits=64)["iscc"]))
