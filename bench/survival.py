"""Benchmark: does a stripped copy find its manifest again? Recall@1 per transform and the
false-match rate against >= 100,000 unrelated registered items, through the real registry.

Content (all made here from fixed seeds, see ``bench/_gen.py``): 200 photo-like JPEGs of
1280x960 and 200 texts of ~350 words (Zipf-distributed made-up vocabulary) are registered as
originals; the texts are really signed (A.8) so "invisible characters stripped" strips a real
wrapper. Distractors: 100,000 distinct generated images (128x96) and 100,000 distinct generated
texts, fingerprinted by the same code (pHash, MinHash), registered in the same SQLite registry.
Distractor records carry no ``io.iscc.v0`` value (computing it for 200,000 items would triple
the run time; an equal ISCC value is the only thing it adds to a lookup).

Transforms -- photos: JPEG q90/q70/q50, resize 50%, screenshot (80% + PNG), social (1080 px long
side + q75), crop 5% and 10% (each side), rotate 2 deg, metadata stripped (APPn segments
removed, pixels untouched). Texts: invisible characters stripped (the A.8 wrapper), whitespace
reflowed, smart quotes, 1%, 5% and 10% of words replaced.

Reported: recall@1 through ``Registry.lookup`` with the thresholds in
``provenance/registry/base.py``; false matches per lookup (a returned item that is not the
original), over the transformed queries and over 200 never-registered queries of each kind;
10,000 registered distractors of each kind looked up, each against all the others ("held
out": any item returned other than itself is a false match; 20,000 lookups of unrelated
content); and, to choose the thresholds, the distance of each query to its original and to
its nearest unrelated item (numpy over every registered fingerprint), swept over candidate
thresholds.

    python bench/survival.py                 # ~25 min on 2 cores; ~8 min with the cache
    python bench/survival.py --distractors 10000 --items 50   # quick look
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _gen import jpeg, photo, text, vocabulary

from provenance.fingerprint import Fingerprint, fingerprint
from provenance.fingerprint.image import phash
from provenance.fingerprint.text import minhash, normalise_words
from provenance.registry.base import IMAGE_THRESHOLD, TEXT_THRESHOLD, Record
from provenance.registry.sqlite import SQLiteRegistry
from provenance.report import SignerInfo

DISTRACTOR = SignerInfo(name="bench distractor", organization=None, issuer=None, trusted=False)
STORE = b'{"active_manifest":"distractor","manifests":{}}'


def _record(mid: str, fp: Fingerprint, signer: SignerInfo = DISTRACTOR,
            bindings: tuple[tuple[str, str], ...] = ()) -> Record:
    return Record(manifest_id=mid, media_type="image/jpeg" if fp.kind == "image" else
                  "text/plain", kind=fp.kind, signer=signer, origin="human", signed_at=None,
                  manifest_store=STORE, soft_bindings=bindings, phash=fp.phash,
                  minhash=fp.minhash)


def strip_jpeg_metadata(data: bytes) -> bytes:
    """The JPEG without APP1..APP15 segments (Exif, XMP, C2PA): pixels untouched."""
    out = bytearray(data[:2])
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            break
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if not 0xE1 <= marker <= 0xEF:
            out += data[pos:pos + 2 + length]
        pos += 2 + length
    return bytes(out + data[pos:])


def image_transforms(img: Image.Image, data: bytes) -> dict[str, bytes]:
    w, h = img.size

    def png(i: Image.Image) -> bytes:
        buf = io.BytesIO()
        i.save(buf, "PNG")
        return buf.getvalue()

    def crop(frac: float) -> Image.Image:
        dx, dy = int(w * frac), int(h * frac)
        return img.crop((dx, dy, w - dx, h - dy))

    social = img.copy()
    social.thumbnail((1080, 1080))
    return {
        "jpeg q90": jpeg(img, 90), "jpeg q70": jpeg(img, 70), "jpeg q50": jpeg(img, 50),
        "resize 50%": jpeg(img.resize((w // 2, h // 2), Image.Resampling.LANCZOS), 85),
        "screenshot": png(img.resize((int(w * .8), int(h * .8)), Image.Resampling.BILINEAR)),
        "social": jpeg(social, 75),
        "crop 5%": jpeg(crop(0.05), 85), "crop 10%": jpeg(crop(0.10), 85),
        "rotate 2deg": jpeg(img.rotate(2, resample=Image.Resampling.BICUBIC, expand=False), 85),
        "metadata stripped": strip_jpeg_metadata(data),
    }


def edit_words(rng: np.random.Generator, t: str, vocab: list[str], frac: float) -> str:
    words = t.split(" ")
    n = max(1, round(len(words) * frac))
    for i in rng.choice(len(words), n, replace=False):
        words[int(i)] = vocab[int(rng.integers(50, len(vocab)))]
    return " ".join(words)


def text_transforms(rng: np.random.Generator, signed: str, vocab: list[str]) -> dict[str, str]:
    import provenance

    visible = provenance.strip_text(signed)
    return {
        "invisible stripped": visible,
        "whitespace reflowed": " ".join(visible.split()).replace(". ", ".\n"),
        "smart quotes": visible.replace("'", "\u2019").replace(" '", " \u2018"),
        "1% words edited": edit_words(rng, visible, vocab, 0.01),
        "5% words edited": edit_words(rng, visible, vocab, 0.05),
        "10% words edited": edit_words(rng, visible, vocab, 0.10),
    }


def distractor_images(n: int, seed: int) -> list[Fingerprint]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        small = photo(rng, (128, 96)).convert("L").resize((32, 32), Image.Resampling.BICUBIC)
        out.append(Fingerprint("image", "", phash=phash(list(small.tobytes()))))
    return out


def distractor_texts(n: int, seed: int, vocab: list[str]) -> list[Fingerprint]:
    rng = np.random.default_rng(seed)
    return [Fingerprint("text", "", minhash=minhash(normalise_words(
        text(rng, vocab, int(rng.integers(150, 450)))))) for _ in range(n)]


def cached_distractors(n: int, vocab: list[str], cache: Path | None
                       ) -> tuple[list[Fingerprint], list[Fingerprint], bool]:
    """The distractor fingerprints, made from generated content (seeds 1 and 2), or read back
    from ``cache`` where an earlier run of the same size left them (they take most of the run
    to make; the cache is a plain numpy file outside the repository)."""
    path = cache / f"distractors-{n}-v1.npz" if cache else None
    if path is not None and path.is_file():
        saved = np.load(path)
        return ([Fingerprint("image", "", phash=int(h)) for h in saved["phash"]],
                [Fingerprint("text", "", minhash=m.tobytes()) for m in saved["minhash"]], True)
    d_img = distractor_images(n, 1)
    d_txt = distractor_texts(n, 2, vocab)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, phash=np.array([f.phash for f in d_img], dtype=np.uint64),
                 minhash=np.stack([np.frombuffer(f.minhash or b"", "<u4") for f in d_txt]))
    return d_img, d_txt, False


def held_out(reg: SQLiteRegistry, fps: list[Fingerprint], prefix: str, n: int) -> int:
    """Registered distractors looked up one by one: items returned other than the query itself
    (each query is an unrelated item against every other registered one)."""
    false = 0
    for i, fp in enumerate(fps[:n]):
        false += sum(1 for m in reg.lookup(fp) if m.manifest_id != f"{prefix}-{i}")
    return false


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--distractors", type=int, default=100_000)
    ap.add_argument("--held-out", type=int, default=10_000,
                    help="registered distractors of each kind looked up against the others")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "XDG_CACHE_HOME", Path.home() / ".cache")) / "provenance-bench",
        help="where distractor fingerprints are kept between runs ('' for none)")
    args = ap.parse_args()
    cache = args.cache if str(args.cache) else None
    os.environ.setdefault("PROVENANCE_HOME", tempfile.mkdtemp(prefix="bench-home-"))
    import provenance
    import provenance.trust
    from provenance.identity import Identity

    ident, _ = Identity.create("BENCH-ONLY Author")
    assert ident.root is not None
    provenance.trust.add_certificates("bench", [ident.root])
    vocab = vocabulary()
    tmp = Path(tempfile.mkdtemp(prefix="bench-survival-"))
    reg = SQLiteRegistry(tmp / "registry.sqlite3")
    author = SignerInfo(name="BENCH-ONLY Author", organization=None, issuer=None, trusted=True)

    t0 = time.perf_counter()
    d_img, d_txt, from_cache = cached_distractors(args.distractors, vocab, cache)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    for start in range(0, args.distractors, 5000):
        reg.add(_record(f"d-img-{i}", fp) for i, fp in
                enumerate(d_img[start:start + 5000], start))
        reg.add(_record(f"d-txt-{i}", fp) for i, fp in
                enumerate(d_txt[start:start + 5000], start))
    t_add = time.perf_counter() - t0

    rng = np.random.default_rng(3)
    originals_img: list[tuple[Image.Image, bytes, Fingerprint]] = []
    originals_txt: list[tuple[str, Fingerprint]] = []
    for _ in range(args.items):
        img = photo(rng, (1280, 960))
        data = jpeg(img, 92)
        fp = fingerprint(data, "image/jpeg")
        assert fp is not None
        originals_img.append((img, data, fp))
        body = text(rng, vocab, int(rng.integers(250, 450)))
        signed = provenance.sign_text(body, identity=ident)
        tfp = fingerprint(signed.encode(), "text/plain")
        assert tfp is not None
        originals_txt.append((signed, tfp))
    reg.add(_record(f"o-img-{i}", fp, author, (("io.iscc.v0", fp.iscc),))
            for i, (_, _, fp) in enumerate(originals_img))
    reg.add(_record(f"o-txt-{i}", fp, author, (("io.iscc.v0", fp.iscc),))
            for i, (_, fp) in enumerate(originals_txt))

    all_ph = np.array([f.phash for f in d_img] + [f.phash for _, _, f in originals_img],
                      dtype=np.uint64)
    all_mh = np.stack([np.frombuffer(f.minhash or b"", "<u4") for f in d_txt] +
                      [np.frombuffer(f.minhash or b"", "<u4") for _, f in originals_txt])
    n_d = args.distractors

    def popcount(x: np.ndarray) -> np.ndarray:
        return np.unpackbits(x.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1)

    print(f"provenance survival bench (load average {os.getloadavg()[0]:.2f}): {args.items} "
          f"photos + {args.items} texts registered "
          f"among {n_d:,} + {n_d:,} distractors ({'read back' if from_cache else 'generated'} "
          f"in {t_gen:.0f} s, registered "
          f"{2 * n_d / t_add:,.0f} items/s)")
    print(f"thresholds in use: pHash Hamming <= {IMAGE_THRESHOLD} of 64, MinHash Jaccard >= "
          f"{TEXT_THRESHOLD}\n")

    sweep_img: dict[str, list[tuple[int, int]]] = {}
    for name in image_transforms(originals_img[0][0], originals_img[0][1]):
        sweep_img[name] = []
    lookups = false = 0
    for i, (img, data, _) in enumerate(originals_img):
        for name, variant in image_transforms(img, data).items():
            fp = fingerprint(variant, "image/png" if variant[:4] == b"\x89PNG" else "image/jpeg")
            assert fp is not None and fp.phash is not None
            d = popcount(all_ph ^ np.uint64(fp.phash))
            true_d = int(d[n_d + i])
            d[n_d + i] = 99
            sweep_img[name].append((true_d, int(d.min())))
            m = reg.lookup(fp)
            lookups += 1
            hit = bool(m) and m[0].manifest_id == f"o-img-{i}"
            false += sum(1 for x in m if x.manifest_id != f"o-img-{i}")
            sweep_img[name][-1] = (*sweep_img[name][-1], int(hit))  # type: ignore[assignment]
    fresh_false = 0
    for _ in range(args.items):
        fp = fingerprint(jpeg(photo(rng, (640, 480)), 85), "image/jpeg")
        assert fp is not None
        fresh_false += len(reg.lookup(fp))
    print("Photos: recall@1 through the registry, distance to the original (max) and to the "
          "nearest unrelated item (min)")
    print(f"{'transform':20} {'recall@1':>9} {'d true max':>11} {'d true p95':>11} "
          f"{'d unrel min':>12}")
    for name, vals in sweep_img.items():
        arr = np.array(vals)
        print(f"{name:20} {100 * arr[:, 2].mean():8.1f}% {arr[:, 0].max():11d} "
              f"{int(np.percentile(arr[:, 0], 95)):11d} {arr[:, 1].min():12d}")
    print(f"false matches: {false} in {lookups} lookups of transformed copies; {fresh_false} "
          f"in {args.items} lookups of never-registered photos")
    print("threshold sweep (pHash Hamming <= T): recall over re-encode/resize/screenshot/"
          "social/stripped, and queries whose nearest unrelated item is within T")
    easy = ["jpeg q90", "jpeg q70", "jpeg q50", "resize 50%", "screenshot", "social",
            "metadata stripped"]
    for t in (4, 6, 8, 10, 12):
        rec = np.mean([v[0] <= t for n in easy for v in sweep_img[n]])
        fm = np.mean([v[1] <= t for vals in sweep_img.values() for v in vals])
        rot = np.mean([v[0] <= t for v in sweep_img["rotate 2deg"]])
        crop = np.mean([v[0] <= t for v in sweep_img["crop 5%"]])
        print(f"  T={t:2d}: recall {100 * rec:5.1f}%  rotate {100 * rot:5.1f}%  crop 5% "
              f"{100 * crop:5.1f}%  near-unrelated {100 * fm:6.3f}% of queries")

    sweep_txt: dict[str, list[tuple[float, float, int]]] = {}
    lookups = false = 0
    trng = np.random.default_rng(4)
    for i, (signed, _) in enumerate(originals_txt):
        for name, variant in text_transforms(trng, signed, vocab).items():
            fp = fingerprint(variant.encode(), "text/plain")
            assert fp is not None and fp.minhash is not None
            q = np.frombuffer(fp.minhash, "<u4")
            sims = (all_mh == q).mean(axis=1)
            true_s = float(sims[n_d + i])
            sims[n_d + i] = -1
            m = reg.lookup(fp)
            lookups += 1
            hit = bool(m) and m[0].manifest_id == f"o-txt-{i}"
            false += sum(1 for x in m if x.manifest_id != f"o-txt-{i}")
            sweep_txt.setdefault(name, []).append((true_s, float(sims.max()), int(hit)))
    fresh_false = 0
    for _ in range(args.items):
        fp = fingerprint(text(trng, vocab, 300).encode(), "text/plain")
        assert fp is not None
        fresh_false += len(reg.lookup(fp))
    print("\nTexts: recall@1 through the registry, Jaccard to the original (min) and to the "
          "nearest unrelated text (max)")
    print(f"{'transform':20} {'recall@1':>9} {'J true min':>11} {'J true p5':>10} "
          f"{'J unrel max':>12}")
    for name, vals in sweep_txt.items():
        arr = np.array(vals)
        print(f"{name:20} {100 * arr[:, 2].mean():8.1f}% {arr[:, 0].min():11.3f} "
              f"{np.percentile(arr[:, 0], 5):10.3f} {arr[:, 1].max():12.3f}")
    print(f"false matches: {false} in {lookups} lookups of transformed copies; {fresh_false} "
          f"in {args.items} lookups of never-registered texts")
    print("threshold sweep (Jaccard >= J)")
    held = min(args.held_out, n_d)
    for j in (0.3, 0.4, 0.5, 0.6, 0.7):
        rec1 = np.mean([v[0] >= j for v in sweep_txt["1% words edited"]])
        rec10 = np.mean([v[0] >= j for v in sweep_txt["10% words edited"]])
        fm = np.mean([v[1] >= j for vals in sweep_txt.values() for v in vals])
        print(f"  J={j:.1f}: recall 1% edits {100 * rec1:5.1f}%  10% edits {100 * rec10:5.1f}%"
              f"  near-unrelated {100 * fm:6.3f}% of queries")
    if held:
        fi = held_out(reg, d_img, "d-img", held)
        ft = held_out(reg, d_txt, "d-txt", held)
        print(f"\nheld out: {held:,} registered unrelated photos and {held:,} texts, each looked "
              f"up against all the other registered items: {fi} false matches among the "
              f"photos, {ft} among the texts ({fi + ft} in {2 * held:,} lookups)")
    reg.close()


if __name__ == "__main__":
    main()
