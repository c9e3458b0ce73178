"""``provenance.doctor``: real transforms per channel, then what the library itself still finds on
each copy (embedded manifest, sidecar or link, registry recovery)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pytest
from PIL import Image

import provenance
from provenance.doctor import CHANNELS, Channel, Checkup, doctor, doctor_many
from provenance.doctor.channels import Copy, ImageRecipe, choose
from provenance.doctor.checks import checkup
from provenance.doctor.transforms import (
    reflow_markdown,
    rendered_text,
    strip_invisible,
    strip_metadata,
    wrap_email,
)
from provenance.errors import InputError
from provenance.identity import Identity
from provenance.registry import open_registry
from tests.registry.helpers import photo


def _by(result: Checkup, channel: str, copy: str | None = None) -> provenance.doctor.Outcome:
    found = [o for o in result.outcomes if o.channel == channel
             and (copy is None or o.copy == copy)]
    assert found, f"no {channel} {copy} row in {[(o.channel, o.copy) for o in result.outcomes]}"
    return found[0]


def _digests(paths: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("provenance-doctor-*")}


def test_every_sample_type(published: tuple[list[Path], str, Path], identity: Identity) -> None:
    signed, dsn, _ = published
    before, temps = _digests(signed), _leftovers()
    results = doctor_many(signed, registries=[dsn])
    assert {r.family for r in results} >= {"image", "svg", "text", "markup", "html",
                                           "document"}
    for r in results:
        assert r.status == "trusted", r.path
        assert r.outcomes, r.path
        sent = _by(r, "email", "attached")  # an attachment travels byte for byte
        assert sent.hard == "kept" and sent.survives, r.path
        # SVG, PDF and DOCX have no fingerprint: registration does not apply (None)
        assert r.registered is (None if r.family in ("svg", "document") else True), r.path
        assert not r.nothing_survives, (r.path, r.nothing_survives)
    assert _digests(signed) == before  # the inputs are only read
    assert _leftovers() <= temps  # every copy's folder is gone
    with open_registry(dsn, create=False) as reg:
        assert reg.stats()["manifests"] == 7  # lookups never register anything


def test_reencoding_kills_the_hard_binding_and_the_registry_recovers(
        published: tuple[list[Path], str, Path], identity: Identity) -> None:
    signed, dsn, _ = published
    coffee = next(p for p in signed if p.name == "photo-coffee.jpg")
    result = doctor(coffee, through=["instagram", "cdn", "email"], registries=[dsn])
    for o in (_by(result, "instagram"), _by(result, "cdn", "lossless"),
              _by(result, "cdn", "lossy + WebP")):
        assert o.hard == "gone", o
        assert o.soft == "recovered" and (o.similarity or 0) >= 90, o
        assert o.matched == result.manifest_id
    assert _by(result, "email").hard == "kept"
    assert [a.code for a in result.advice] == ["registry-only"]


def test_wordpress_scales_a_big_photo_and_shows_a_1024_copy(
        tmp_path: Path, identity: Identity) -> None:
    big = provenance.sign(photo(tmp_path / "big.jpg", size=(2800, 1200)), tmp_path / "s.jpg",
                          identity=identity).output
    dsn = f"sqlite:///{tmp_path / 'reg.sqlite3'}"
    from provenance.registry.record import record_for

    with open_registry(dsn) as reg:
        reg.add([record_for(big)])
    result = doctor(big, through=["wordpress"], registries=[dsn])
    full, large = _by(result, "wordpress", "full size"), _by(result, "wordpress",
                                                            "large (in posts)")
    assert full.done.startswith("2560x1097 JPEG q82") and full.hard == "gone"
    assert large.done.startswith("1024x439 JPEG q82") and large.hard == "gone"
    assert full.soft == large.soft == "recovered"


def test_copy_paste_kills_a8_and_the_registry_recovers(
        published: tuple[list[Path], str, Path], identity: Identity) -> None:
    signed, dsn, _ = published
    essay = next(p for p in signed if p.name == "essay-hands.txt")
    result = doctor(essay, through=["copy-paste", "email"], registries=[dsn])
    assert result.carrier == "unstructured"
    editor = _by(result, "copy-paste", "into an editor")
    assert editor.hard == "kept"  # A.8 is made to survive a faithful copy
    form = _by(result, "copy-paste", "into a web form")
    assert form.hard == "gone"  # the variation selectors are the manifest
    assert form.soft == "recovered" and (form.similarity or 0) >= 90
    body = _by(result, "email", "in the body")
    assert body.hard in ("broken", "gone") and body.soft == "recovered"


def test_unregistered_and_unsigned_files_get_advice(tmp_path: Path, identity: Identity) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    open_registry(empty).close()
    signed = provenance.sign(photo(tmp_path / "p.jpg"), tmp_path / "p.signed.jpg",
                             identity=identity).output
    result = doctor(signed, through=["instagram"], registries=[empty])
    assert result.registered is False
    assert _by(result, "instagram").soft == "not registered"
    assert result.nothing_survives and result.advice[0].code == "register"
    assert f"provenance registry add {signed}" in result.advice[0].text
    alone = doctor(signed, through=["instagram"], registries=[])
    assert _by(alone, "instagram").soft == "no registry"
    assert "no-registry" in [a.code for a in alone.advice]
    unsigned = doctor(tmp_path / "p.jpg", through=["email"], registries=[empty])
    assert unsigned.status == "unsigned" and unsigned.advice[0].code == "sign-first"
    assert unsigned.nothing_survives


def test_a_sidecar_travels_only_where_the_channel_carries_it(
        tmp_path: Path, identity: Identity) -> None:
    src = tmp_path / "notes.txt"
    src.write_text("A few plain notes, signed with a sidecar beside them.\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    res = provenance.sign(src, tmp_path / "out" / "notes.txt", identity=identity,
                          carrier="sidecar")
    assert res.manifest_file is not None and res.manifest_file.is_file()
    result = doctor(res.output, through=["email", "signal"], registries=[])
    assert result.carrier == "sidecar"
    attached = _by(result, "email", "attached")
    assert attached.hard == "none" and attached.sidecar == "kept"
    assert _by(result, "email", "in the body").sidecar == "not carried"
    assert _by(result, "signal").sidecar == "not carried"
    assert "sidecar-dropped" in [a.code for a in result.advice]
    with pytest.raises(InputError, match="is a manifest store"):
        doctor(res.manifest_file, registries=[])


def test_an_html_link_survives_when_the_page_does(tmp_path: Path, identity: Identity) -> None:
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><head><title>T</title></head><body><p>A page of "
                    "my own words.</p></body></html>\n", encoding="utf-8")
    (tmp_path / "site").mkdir()
    res = provenance.sign(page, tmp_path / "site" / "page.html", identity=identity,
                          carrier="link", manifest_url="https://example.test/page.c2pa")
    result = doctor(res.output, through=["email", "copy-paste"], registries=[])
    assert result.carrier == "link"
    assert _by(result, "email", "attached").sidecar == "kept"
    assert _by(result, "email", "as the HTML body").sidecar == "not carried"
    assert _by(result, "copy-paste").sidecar == "not carried"


def test_a_tiny_re_encode_is_below_the_fingerprints_robustness(
        published: tuple[list[Path], str, Path], identity: Identity) -> None:
    signed, dsn, _ = published
    chelsea = next(p for p in signed if p.name == "photo-chelsea.png")
    harsh = Channel("thumbnail", "A 12 px thumbnail", "social",
                    {"image": (Copy("thumb", "image", ImageRecipe(long_side=12, quality=10),
                                    suffix=".jpg"),)})
    result = checkup(chelsea, [harsh], sources=[dsn], opened={})
    o = result.outcomes[0]
    assert o.done.startswith("12x8 JPEG q10") and o.hard == "gone"
    assert o.soft in ("not found", "other") and not o.survives
    assert "below-robustness" in [a.code for a in result.advice]


def test_transforms_are_real() -> None:
    vs = "".join(chr(0xFE00 + i) for i in range(4)) + chr(0xE0100)
    assert strip_invisible(f"word\ufeff{vs}\u200b end") == "word end"
    body = wrap_email("x " * 60 + "\nshort")
    assert all(len(line) <= 78 for line in body.split("\r\n"))
    assert body.split("\r\n")[0].endswith(" ")  # a format=flowed soft break
    md = "---\ntitle: t\n---\n# Head\n\n" + "one two three " * 20 + "\n\n```\ncode  kept\n```\n"
    flowed = reflow_markdown(md)
    assert flowed.startswith("---\ntitle: t\n---\n# Head") and "code  kept" in flowed
    assert max(len(line) for line in flowed.split("\n")) <= 80
    text = rendered_text('<html><head><script type="application/c2pa">QUJD</script></head>'
                         "<body><h1>Title</h1><p>A  &amp; B</p></body></html>")
    assert text == "Title\nA & B\n"


def test_strip_metadata_keeps_the_pixels(tmp_path: Path, identity: Identity) -> None:
    signed = provenance.sign(photo(tmp_path / "p.jpg", size=(120, 80)), tmp_path / "s.jpg",
                             identity=identity).output
    data = signed.read_bytes()
    made = strip_metadata(data, "JPEG")
    assert b"c2pa" in data and b"c2pa" not in made.data
    with Image.open(signed) as a, Image.open(tmp_path / "p.jpg") as b:
        from io import BytesIO

        with Image.open(BytesIO(made.data)) as c:
            assert a.tobytes() == b.tobytes() == c.tobytes()


def test_channels_name_their_sources() -> None:
    assert {c.kind for c in CHANNELS} >= {"e-mail", "cms", "social", "messenger", "copy-paste"}
    assert len([c for c in CHANNELS if c.kind == "social"]) >= 2
    for c in CHANNELS:
        assert c.limits, c.name
        assert all(limit.source for limit in c.limits), c.name
    assert [c.name for c in choose(["signal,email", "signal"])] == ["signal", "email"]
    with pytest.raises(ValueError, match="unknown channel 'nope'"):
        choose(["email,nope"])


@pytest.mark.skipif(not __import__("shutil").which("ffmpeg"), reason="ffmpeg is not installed")
def test_audio_is_transcoded_with_ffmpeg(tmp_path: Path, identity: Identity) -> None:
    from tests.assets.build import wav_bytes

    src = tmp_path / "voice.wav"
    src.write_bytes(wav_bytes())
    signed = provenance.sign(src, tmp_path / "voice.signed.wav", identity=identity).output
    result = doctor(signed, through=["mastodon", "email"], registries=[])
    post = _by(result, "mastodon")
    assert post.simulated and "MP3" in post.done and post.hard == "gone"
    assert _by(result, "email").hard == "kept"
    if __import__("shutil").which("fpcalc") is None:  # the ISCC audio code needs Chromaprint
        assert post.soft == "no fingerprint" and not post.survives
        assert "no-fingerprint" in [a.code for a in result.advice]
    else:  # a fingerprint, but no registry was asked
        assert post.soft == "no registry" and not post.survives


def test_the_readme_documents_every_channel() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What survives the way out", 1)[1].split("\n## ", 1)[0]
    for c in CHANNELS:
        assert f"| `{c.name}` |" in section, c.name


@pytest.mark.skipif(not __import__("shutil").which("ffmpeg"), reason="ffmpeg is not installed")
def test_video_is_transcoded_with_ffmpeg(tmp_path: Path, identity: Identity) -> None:
    import subprocess

    src = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=64x48:rate=10", "-t", "1", "-c:v", "mpeg4", str(src)],
                   check=True, timeout=120, capture_output=True)
    signed = provenance.sign(src, tmp_path / "clip.signed.mp4", identity=identity).output
    assert provenance.inspect(signed).status == "trusted"
    result = doctor(signed, through=["mastodon", "wordpress"], registries=[])
    post = _by(result, "mastodon")
    assert post.simulated and "H.264" in post.done and post.hard == "gone"
    assert _by(result, "wordpress").hard == "kept"
    assert result.family == "video" and result.nothing_survives


def test_the_link_probe_runs_each_channels_own_transforms() -> None:
    from provenance.doctor.advice import keeps_link
    from provenance.doctor.channels import channel

    signal, email, wordpress = channel("signal"), channel("email"), channel("wordpress")
    assert signal is not None and email is not None and wordpress is not None
    assert keeps_link(signal)  # the page travels as a file, byte for byte
    assert not keeps_link(email) and not keeps_link(wordpress)  # ammonia drops <link>
