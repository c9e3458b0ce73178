"""A.9 structured text, A.7 HTML (inline and link), sidecars, strip, and file-level dispatch."""

from __future__ import annotations

from pathlib import Path

import pytest

import provenance
from provenance.carriers import structured
from provenance.carriers import text as T
from provenance.identity import Identity

MD_FRONT = "---\ntitle: Notes\ndate: 2026-11-20\n---\n\n# Notes\n\nWritten by hand.\n"
MD_PLAIN = "# Notes\n\nNo front matter here.\n"
PY_SHEBANG = "#!/usr/bin/env python3\nprint('hello')\n"
HTML = ("<!DOCTYPE html>\n<html><head><title>t</title></head>\n"
        "<body><p>Hello from a person.</p></body></html>\n")


@pytest.mark.parametrize(("name", "content", "first_line"), [
    ("a.md", MD_FRONT, "---"),
    ("a.md", MD_PLAIN, "<!-- -----BEGIN C2PA MANIFEST-----"),
    ("a.md", MD_PLAIN.replace("\n", "\r\n"), "<!-- -----BEGIN C2PA MANIFEST-----"),
    ("tool.py", PY_SHEBANG, "#!/usr/bin/env python3"),
    ("style.css", "body { color: red; }\n", "/* -----BEGIN C2PA MANIFEST-----"),
    ("main.rs", "fn main() {}\n", "// -----BEGIN C2PA MANIFEST-----"),
    ("conf.yaml", "key: value\n", "# -----BEGIN C2PA MANIFEST-----"),
    ("doc.rst", "Title\n=====\n", ".. -----BEGIN C2PA MANIFEST-----"),
])
def test_structured_round_trip(name: str, content: str, first_line: str,
                               identity: Identity) -> None:
    signed = T.sign_text(content, identity=identity, carrier="structured", name=name)
    assert signed.splitlines()[0].startswith(first_line)
    assert signed.count(structured.BEGIN) == 1
    report = T.inspect_text(signed, name=name)
    assert (report.status, report.carrier, report.origin) == ("trusted", "structured", "human")
    assert T.strip_text(signed) == content
    if content.startswith("---"):
        # The block is a comment line inside the front matter, which stays valid YAML.
        assert signed.splitlines()[1].startswith("# -----BEGIN C2PA MANIFEST-----")
    if content.startswith("#!"):
        assert signed.rstrip("\n").splitlines()[-1].endswith(structured.END)
    if "\r\n" in content:
        assert "\r\n" in signed and "\n" not in signed.replace("\r\n", "")


def test_structured_tamper_and_duplicates(identity: Identity) -> None:
    signed = T.sign_text(MD_FRONT, identity=identity, carrier="structured", name="a.md")
    assert T.inspect_text(signed.replace("by hand", "by hant"), name="a.md").status == "invalid"
    block = next(line for line in signed.splitlines() if structured.BEGIN in line)
    twice = signed + block + "\n"
    report = T.inspect_text(twice, name="a.md")
    assert [f.code for f in report.failures] == ["manifest.structuredText.multipleReferences"]
    empty = MD_PLAIN + f"<!-- {structured.BEGIN}  {structured.END} -->\n"
    report = T.inspect_text(empty, name="a.md")
    assert [f.code for f in report.failures] == ["manifest.structuredText.emptyReference"]


def test_structured_block_moved_is_invalid(identity: Identity) -> None:
    signed = T.sign_text(MD_PLAIN, identity=identity, carrier="structured", name="a.md")
    block = signed.splitlines()[0]
    moved = MD_PLAIN + block + "\n"
    assert T.inspect_text(moved, name="a.md").status == "invalid"


def test_html_inline_round_trip_and_tamper(identity: Identity) -> None:
    signed = T.sign_text(HTML, identity=identity, carrier="html", name="p.html")
    assert '<head><script type="application/c2pa">' in signed
    report = T.inspect_text(signed, name="p.html")
    assert (report.status, report.carrier) == ("trusted", "html")
    assert T.inspect_text(signed.replace("Hello", "Jello"), name="p.html").status == "invalid"
    script = signed[signed.index("<script"):signed.index("</script>") + 9]
    twice = signed.replace("<body>", "<body>" + script)
    report = T.inspect_text(twice, name="p.html")
    assert [f.code for f in report.failures] == ["manifest.html.multipleManifests"]
    assert T.strip_text(signed) == HTML


def test_html_without_head_gets_one(identity: Identity) -> None:
    page = "<html><body>No head</body></html>"
    signed = T.sign_text(page, identity=identity, carrier="html", name="p.html")
    assert "<html><head><script" in signed
    assert T.inspect_text(signed, name="p.html").status == "trusted"


def test_file_level_dispatch_and_carriers(tmp_path: Path, identity: Identity) -> None:
    files = {"essay.txt": "An essay.\n", "notes.md": MD_FRONT, "page.html": HTML,
             "tool.py": PY_SHEBANG}
    expected = {"essay.txt": "unstructured", "notes.md": "structured", "page.html": "html",
                "tool.py": "structured"}
    for name, content in files.items():
        src = tmp_path / name
        src.write_text(content, encoding="utf-8", newline="")
        result = provenance.sign(src, identity=identity)
        assert result.carrier == expected[name]
        report = provenance.verify(result.output)
        assert (report.status, report.carrier) == ("trusted", expected[name])
        assert src.read_text(encoding="utf-8") == content  # source untouched


def test_sidecar_for_text_and_media(tmp_path: Path, identity: Identity, stranger: Identity,
                                    files: dict[str, Path]) -> None:
    for src in (files["photo.jpg"], files["essay.pdf"]):
        before = src.read_bytes()
        result = provenance.sign(src, identity=identity, carrier="sidecar")
        assert result.output == src and src.read_bytes() == before
        assert result.manifest_file == src.with_name(src.name + ".c2pa")
        report = provenance.verify(src)
        assert (report.status, report.carrier) == ("trusted", "sidecar")
        with pytest.raises(provenance.AlreadySigned):  # someone else's: its history stays
            provenance.sign(src, identity=stranger, carrier="sidecar")
        provenance.sign(src, identity=identity, carrier="sidecar")  # ours: the overwrite rule
    data = tmp_path / "data.json"
    data.write_text('{"written": "by a person"}\n')
    result = provenance.sign(data, identity=identity)  # JSON defaults to a sidecar
    assert result.carrier == "sidecar"
    assert provenance.verify(data).status == "trusted"
    data.write_text('{"written": "by a machine"}\n')
    report = provenance.inspect(data)
    assert report.status == "invalid"
    assert "assertion.dataHash.mismatch" in [f.code for f in report.failures]


def test_html_link_writes_manifest_and_verifies_offline(tmp_path: Path,
                                                        identity: Identity) -> None:
    page = tmp_path / "page.html"
    page.write_text(HTML)
    result = provenance.sign(page, identity=identity, carrier="link",
                             manifest_url="https://example.org/manifests/page.c2pa")
    out = result.output.read_text()
    assert '<link rel="c2pa-manifest" href="https://example.org/manifests/page.c2pa">' in out
    assert result.manifest_file == tmp_path / "page.c2pa"
    report = provenance.verify(result.output)
    assert (report.status, report.carrier) == ("trusted", "link")
    result.manifest_file.unlink()
    report = provenance.inspect(result.output)
    assert report.status == "invalid"
    assert [f.code for f in report.failures] == ["manifest.remoteNotFetched"]
    with pytest.raises(provenance.InputError, match="manifest-url"):
        provenance.sign(page, tmp_path / "x.html", identity=identity, carrier="link")


def test_bad_text_input(tmp_path: Path, identity: Identity) -> None:
    latin1 = tmp_path / "old.txt"
    latin1.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(provenance.InputError, match="not UTF-8"):
        provenance.sign(latin1, identity=identity)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(provenance.InputError, match="empty"):
        provenance.sign(empty, identity=identity)
    assert not list(tmp_path.glob("*.signed.*"))
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(provenance.InputError, match="not UTF-8"):
        provenance.inspect(latin1)


def test_strip_file(tmp_path: Path, identity: Identity) -> None:
    src = tmp_path / "notes.md"
    src.write_text(MD_FRONT)
    signed = provenance.sign(src, identity=identity).output
    out = provenance.strip_file(signed)
    assert out.read_text() == MD_FRONT
    assert provenance.inspect(out).status == "unsigned"
    with pytest.raises(provenance.InputError, match="no embedded manifest"):
        provenance.strip_file(out)
    provenance.strip_file(signed, in_place=True)
    assert signed.read_text() == MD_FRONT
