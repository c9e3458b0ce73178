"""provenance.batch as a library: expansion, executors, results as data, idempotence."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

import provenance
from provenance import batch
from provenance.errors import InputError
from provenance.identity import Identity
from tests.assets import build as assets
from tests.batch.conftest import EXPECTED_OUTCOMES, TOTAL, Mixed
from tests.cli.helpers import report_validator

# -- expand -----------------------------------------------------------------------------------


def _tree(root: Path) -> Path:
    for rel in ("b.jpg", "a/z.png", "a/b/c.jpg", "drafts/d.jpg", ".hidden/h.jpg", "a/.x.jpg",
                "a/keep.c2pa"):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    return root


def test_expand_directory_order_hidden_and_relative(tmp_path: Path) -> None:
    root = _tree(tmp_path / "t")
    items = batch.expand([root], recursive=True)
    # A .c2pa sidecar found in a folder travels with its asset: not an item of its own.
    assert [i.relative.as_posix() for i in items] == [
        "a/b/c.jpg", "a/z.png", "b.jpg", "drafts/d.jpg"]
    assert all(not i.explicit for i in items)
    assert items[1].path == root / "a" / "z.png"
    # Named on its own, it is judged (read by verify/inspect as a standalone manifest store).
    (named,) = batch.expand([root / "a" / "keep.c2pa"])
    assert named.explicit and named.relative.as_posix() == "keep.c2pa"
    # The same for a pattern that names sidecars: found, so they travel with their assets.
    assert batch.expand([str(root / "a" / "*")]) == [
        batch.Item(root / "a" / "z.png", Path("z.png"))]


def test_expand_directory_needs_recursive(tmp_path: Path) -> None:
    root = _tree(tmp_path / "t")
    (item,) = batch.expand([root])
    assert item.explicit and item.path == root  # fails later as "is a directory"


def test_expand_include_exclude(tmp_path: Path) -> None:
    root = _tree(tmp_path / "t")
    rel = [i.relative.as_posix() for i in batch.expand(
        [root], recursive=True, include=["*.jpg"], exclude=["drafts"])]
    assert rel == ["a/b/c.jpg", "b.jpg"]
    rel = [i.relative.as_posix() for i in batch.expand(
        [root], recursive=True, exclude=["a/b/*", "*.c2pa"])]
    assert rel == ["a/z.png", "b.jpg", "drafts/d.jpg"]
    rel = [i.relative.as_posix() for i in batch.expand([root], recursive=True,
                                                       exclude=["a/b"])]
    assert rel == ["a/z.png", "b.jpg", "drafts/d.jpg"]


def test_expand_glob_and_prune_and_duplicates(tmp_path: Path) -> None:
    root = _tree(tmp_path / "t")
    items = batch.expand([str(root / "**" / "*.jpg")])
    assert [i.relative.as_posix() for i in items] == ["a/b/c.jpg", "b.jpg", "drafts/d.jpg"]
    # Found twice (directory + pattern): kept once. Named twice: kept twice.
    both = batch.expand([root, str(root / "*.jpg")], recursive=True, prune=[root / "drafts"])
    assert [i.relative.as_posix() for i in both] == ["a/b/c.jpg", "a/z.png", "b.jpg"]
    twice = batch.expand([root / "b.jpg", root / "b.jpg"])
    assert len(twice) == 2 and all(i.explicit for i in twice)
    with pytest.raises(InputError, match="no file matches"):
        batch.expand([str(root / "*.tiff")])
    # A path with pattern characters that exists is a file, not a pattern.
    odd = root / "[x].jpg"
    odd.write_bytes(b"x")
    assert batch.expand([odd])[0].path == odd


# -- verify -----------------------------------------------------------------------------------


def _docs(results: list[batch.Result]) -> list[dict]:
    return [batch.verify_document(r) for r in results]


def test_verify_same_results_on_every_executor(mixed: Mixed, identity: Identity) -> None:
    items = batch.expand([mixed.root], recursive=True)
    assert len(items) == TOTAL
    serial = list(batch.verify(items))
    with batch.executor(2) as pool:
        assert isinstance(pool, ProcessPoolExecutor)
        forked = list(batch.verify(items, executor=pool))
    with ThreadPoolExecutor(3) as threads:
        threaded = list(batch.verify(items, executor=threads, chunk_size=5))
    with ProcessPoolExecutor(2) as plain:  # any Executor, default start method
        generic = list(batch.verify(items, executor=plain, chunk_size=1))
    assert _docs(serial) == _docs(forked) == _docs(threaded) == _docs(generic)
    assert [r.path for r in serial] == [i.path for i in items]
    tally = batch.Tally()
    for r in serial:
        tally.add(r)
    assert dict(tally.outcomes) == EXPECTED_OUTCOMES
    validator = report_validator()
    for doc in _docs(serial):
        validator.validate(doc)


def test_results_are_data(mixed: Mixed, identity: Identity) -> None:
    paths = [mixed.root / "photos" / "signed-000.jpg", mixed.root / "inbox" / "unsigned-000.jpg",
             mixed.root / "misc" / "legacy-000.bmp", mixed.root / "nope.jpg"]
    ok, unsigned, bmp, missing = batch.verify(paths)
    assert isinstance(ok, batch.Verified) and ok.report.status == "trusted"
    assert isinstance(unsigned, batch.Failed) and unsigned.exit_code == 1
    assert unsigned.report is not None and unsigned.reasons
    assert isinstance(bmp, batch.Skipped) and bmp.kind == "unsupported" and "BMP" in bmp.reason
    assert isinstance(missing, batch.Failed) and missing.report is None
    assert missing.exit_code == 2 and "not found" in missing.reasons[0]
    # Named on its own, an unsupported file is an error (as for a single file); --strict too.
    (named,) = batch.verify([batch.Item(paths[2], Path(paths[2].name), explicit=True)])
    assert isinstance(named, batch.Failed) and named.exit_code == 2
    (strict,) = batch.verify(paths[2:3], strict=True)
    assert isinstance(strict, batch.Failed)
    # The unsigned action of a pipeline policy.
    (warned,) = batch.verify(paths[1:2], unsigned="warn")
    assert isinstance(warned, batch.Verified) and warned.warnings
    (skipped,) = batch.verify(paths[1:2], unsigned="skip")
    assert isinstance(skipped, batch.Skipped) and skipped.report is not None
    doc = batch.verify_document(skipped)
    report_validator().validate(doc)
    assert doc["status"] == "unsigned" and doc["skipped"]["kind"] == "unsigned"
    err = batch.verify_document(missing)
    report_validator().validate(err)
    assert err["error"]["exit_code"] == 2 and err["passed"] is False


# -- sign -------------------------------------------------------------------------------------


def _sources(tmp_path: Path, n: int) -> list[Path]:
    src = tmp_path / "src"
    src.mkdir()
    out = []
    for i in range(n):
        p = src / f"p{i:02d}.jpg"
        p.write_bytes(assets.image_bytes("JPEG", size=(40, 30), seed=i))
        out.append(p)
    return out


def _trusted(paths: list[Path]) -> bool:
    return all(isinstance(r, batch.Verified) and r.report.status == "trusted"
               for r in batch.verify(paths))


def test_sign_after_fork_with_a_signer_cached_in_the_parent(tmp_path: Path,
                                                            identity: Identity) -> None:
    """The parent signs first (its c2pa Signer is cached); forked workers build their own."""
    sources = _sources(tmp_path, 12)
    provenance.sign(sources[0], tmp_path / "first.jpg", identity=identity)
    out = tmp_path / "out"
    out.mkdir()
    with batch.executor(2) as pool:
        results = list(batch.sign(sources, identity=identity, out_dir=out, executor=pool,
                                  chunk_size=1))
    assert all(isinstance(r, batch.Signed) for r in results), results
    assert [r.path for r in results] == sources
    assert _trusted([out / s.name for s in sources])
    provenance.sign(sources[1], tmp_path / "after.jpg", identity=identity)  # parent still fine


def test_sign_identity_ref_and_threads(tmp_path: Path, identity: Identity,
                                       identity_dir: Path) -> None:
    sources = _sources(tmp_path, 8)
    for name, ex_factory, ident in (
        ("threads", lambda: ThreadPoolExecutor(2), identity),
        ("ref", lambda: ProcessPoolExecutor(2), batch.IdentityRef(identity_dir)),
    ):
        out = tmp_path / name
        out.mkdir()
        with ex_factory() as ex:
            results = list(batch.sign(sources, identity=ident, out_dir=out, executor=ex))
        assert all(isinstance(r, batch.Signed) for r in results), (name, results)
        assert _trusted([out / s.name for s in sources]), name


def test_sign_bad_identity_ref_fails_every_file(tmp_path: Path, identity: Identity) -> None:
    sources = _sources(tmp_path, 3)
    results = list(batch.sign(sources, identity=batch.IdentityRef(tmp_path / "none"),
                              out_dir=tmp_path))
    assert all(isinstance(r, batch.Failed) and r.exit_code == 2 and "no identity" in
               r.reasons[0] for r in results), results


def test_callback_identity_refused_for_process_pools(tmp_path: Path, identity: Identity) -> None:
    from provenance.identity import sign_with_key

    cb = Identity.from_callback(lambda data: sign_with_key(identity._key, data),  # type: ignore[arg-type]
                                identity.chain_pem(), algorithm="es256")
    sources = _sources(tmp_path, 2)
    with ProcessPoolExecutor(1) as pool, pytest.raises(InputError, match="callback"):
        list(batch.sign(sources, identity=cb, out_dir=tmp_path, executor=pool))
    with ThreadPoolExecutor(2) as threads:
        results = list(batch.sign(sources, identity=cb, executor=threads))
    assert all(isinstance(r, batch.Signed) for r in results), results


def test_sign_idempotent_and_in_place(tmp_path: Path, identity: Identity,
                                      stranger: Identity) -> None:
    sources = _sources(tmp_path, 4)
    out = tmp_path / "out"
    out.mkdir()
    first = list(batch.sign(sources, identity=identity, out_dir=out))
    assert all(isinstance(r, batch.Signed) for r in first)
    again = list(batch.sign(sources, identity=identity, out_dir=out))
    assert all(isinstance(r, batch.Skipped) and r.kind == "unchanged" for r in again)
    # A changed source (newer than its output) is signed again; so is everything with force.
    os.utime(sources[0], (os.path.getmtime(out / "p00.jpg") + 10,) * 2)
    third = list(batch.sign(sources, identity=identity, out_dir=out))
    assert [type(r).__name__ for r in third] == ["Signed", "Skipped", "Skipped", "Skipped"]
    forced = list(batch.sign(sources, identity=identity, out_dir=out, force=True))
    assert all(isinstance(r, batch.Signed) for r in forced)
    # Another identity's outputs are not "ours": refused (the overwrite rule), unless forced.
    other = list(batch.sign(sources, identity=stranger, out_dir=out))
    assert all(isinstance(r, batch.Failed) and "not an earlier output" in r.reasons[0]
               for r in other), other
    other = list(batch.sign(sources, identity=stranger, out_dir=out, force=True))
    assert all(isinstance(r, batch.Signed) for r in other), other
    # In place, found in a directory: the second run leaves them alone.
    in_place = list(batch.sign(batch.expand([out], recursive=True), identity=stranger,
                               in_place=True))
    assert all(isinstance(r, batch.Skipped) and r.kind == "unchanged" for r in in_place), \
        in_place


def test_sign_collisions_and_duplicates(tmp_path: Path, identity: Identity) -> None:
    (a,) = _sources(tmp_path, 1)
    other = tmp_path / "other"
    other.mkdir()
    b = other / a.name
    b.write_bytes(a.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    r1, r2, r3 = batch.sign([a, a, b], identity=identity, out_dir=out)
    assert isinstance(r1, batch.Signed)
    assert isinstance(r2, batch.Skipped) and r2.kind == "duplicate"
    assert isinstance(r3, batch.Failed) and "also the output" in r3.reasons[0]
    assert sorted(p.name for p in out.iterdir()) == [a.name]


def test_sign_mirrors_folders_under_out_dir(mixed: Mixed, tmp_path: Path,
                                            identity: Identity) -> None:
    items = batch.expand([mixed.root / "inbox", mixed.root / "misc"], recursive=True)
    out = tmp_path / "out"
    out.mkdir()
    with batch.executor(2) as pool:
        results = list(batch.sign(items, identity=identity, out_dir=out, executor=pool))
    kinds = [type(r).__name__ for r in results]
    assert kinds.count("Signed") == 40 and kinds.count("Skipped") == 20
    assert (out / "unsigned-000.jpg").is_file()
    for r in results:
        doc = batch.sign_document(r)
        assert doc["schema"] == "provenance.sign/v1"


def test_atomic_output(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    with pytest.raises(RuntimeError), batch.atomic_output(target) as fh:
        fh.write("partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with batch.atomic_output(target) as fh:
        fh.write("{}")
    assert target.read_text() == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_sign_text_and_sidecar_carriers(tmp_path: Path, identity: Identity) -> None:
    """Text files go through provenance.sign's own dispatch; carrier= is passed along."""
    notes = tmp_path / "notes.txt"
    notes.write_text("TEST-ONLY written by a person\n")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(assets.image_bytes("JPEG"))
    out = tmp_path / "out"
    out.mkdir()
    results = list(batch.sign([notes, photo], identity=identity, out_dir=out))
    assert all(isinstance(r, batch.Signed) for r in results), results
    side = tmp_path / "side"
    side.mkdir()
    (r,) = batch.sign([photo], identity=identity, out_dir=side, carrier="sidecar")
    assert isinstance(r, batch.Signed), r
    assert (side / "photo.jpg.c2pa").is_file()
    assert all(isinstance(v, batch.Verified) for v in batch.verify(
        [out / "notes.txt", out / "photo.jpg", side / "photo.jpg"]))
