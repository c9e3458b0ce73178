"""Signing one file: the carrier chosen from the registry, the output written atomically."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from provenance._files import atomic_write, check_dir, mode_for, read_input, same_file
from provenance.carriers import media, route, sidecar, text
from provenance.claims import ClaimTemplate, HumanClaim
from provenance.errors import AlreadySigned, OutputError
from provenance.formats import MediaType
from provenance.identity import Identity, check_usable
from provenance.options import CarrierName, SignOptions
from provenance.trust import TrustStore

__all__ = ["SignResult", "default_output", "sign"]


@dataclass(frozen=True)
class SignResult:
    """What :func:`sign` wrote."""

    source: Path
    output: Path
    media_type: str
    size: int
    repacked: bool
    #: where the manifest went: ``embedded`` (media) or a text carrier name
    carrier: str = "embedded"
    #: the separate manifest file written (sidecar, or the .c2pa of an HTML link)
    manifest_file: Path | None = None


def default_output(source: Path) -> Path:
    """``NAME.signed.EXT`` beside the source."""
    return source.with_name(f"{source.stem}.signed{source.suffix}")


def sign(
    source: Path | str,
    output: Path | str | None = None,
    *,
    identity: Identity,
    options: SignOptions | None = None,
    trust: TrustStore | None = None,
    claim: HumanClaim | ClaimTemplate | None = None,
    parent: Path | str | None = None,
    thumbnail: bool = False,
    replace: bool = False,
    in_place: bool = False,
    tsa_url: str | None = None,
    carrier: CarrierName | None = None,
    manifest_url: str | None = None,
) -> SignResult:
    """Sign a file, writing ``output`` (default ``NAME.signed.EXT`` beside it) atomically.

    ``options`` (:class:`~provenance.options.SignOptions`) says what to claim, where to write,
    which carrier, timestamp and thumbnail; the keyword arguments of the same names are
    applied on top of it, and ``output`` overrides its destination.

    Media files get an embedded manifest through c2pa; text files (plain text, Markdown,
    source code, HTML...) a text carrier chosen from their type, or ``carrier``
    (``unstructured``, ``structured``, ``html``, ``link`` with ``manifest_url``, ``sidecar``).
    A sidecar leaves the content as it is and writes ``NAME.EXT.c2pa`` beside the source
    (beside ``output`` when given).

    Every file is written to a temporary file in its directory and moved into place with
    ``os.replace``; on any failure the source and any existing output are untouched. Writing
    over the source requires ``in_place=True``. ``tsa_url`` adds an RFC 3161 timestamp, which
    keeps the signature valid after the certificate expires.

    Raises:
        InputError, AlreadySigned, UnsupportedFormat: the source cannot be signed.
        OutputError: the destination cannot be written, or equals the source without in_place.
        SigningError: c2pa refused to sign.
    """
    opts = SignOptions.of(
        options, claim=claim, parent=parent, thumbnail=thumbnail, replace=replace,
        in_place=in_place, tsa_url=tsa_url, carrier=carrier, manifest_url=manifest_url,
    )
    if output is not None and not opts.in_place:  # in_place wins, as it always has
        opts = dataclasses.replace(opts, output=Path(output), out_dir=None)
    src = Path(source)
    way, chosen = route(src, opts.carrier)
    in_place = opts.in_place
    explicit_output = opts.output if opts.output is not None else (
        opts.out_dir / src.name if opts.out_dir is not None else None)
    if way == "sidecar" and explicit_output is None:
        in_place = True  # the content stays where it is; only the .c2pa file is written
    dest = src if in_place else explicit_output if explicit_output is not None \
        else default_output(src)
    if not in_place and same_file(src, dest):
        raise OutputError(
            f"the output {dest} is the source file",
            hint="use --in-place to replace the source, or choose another -o",
        )
    if dest.is_dir():
        raise OutputError(f"the output {dest} is a directory",
                          hint="use --out-dir DIR to write into a directory")
    data = read_input(src)
    parent_path = opts.parent
    parent_data = read_input(parent_path, "parent file") if parent_path is not None else None
    parent_name = parent_path.name if parent_path is not None else None
    check_dir(dest)
    mode = mode_for(src)
    if way == "sidecar":
        return _sign_sidecar(src, dest, data, identity=identity, options=opts, trust=trust,
                             mode=mode)
    if way == "text":
        signed = text.sign_text_bytes(
            data, name=src.name, identity=identity, options=dataclasses.replace(
                opts, carrier=chosen),
            parent=parent_data, parent_name=parent_name, trust=trust,
        )
        extra = None
        if signed.store is not None:
            extra = _link_target(dest, opts.manifest_url)
            atomic_write(extra, 0o644, lambda fh: fh.write(signed.store or b""))
        atomic_write(dest, mode, lambda fh: fh.write(signed.data))
        return SignResult(src, dest, "text/plain", len(signed.data), False,
                          carrier=signed.carrier, manifest_file=extra)

    def write(fh: BinaryIO) -> tuple[MediaType, bool]:
        return media.sign_into(data, fh, name=src.name, identity=identity, options=opts,
                               parent=parent_data, parent_name=parent_name, trust=trust)

    (mtype, repacked), size = atomic_write(dest, mode, write)
    return SignResult(src, dest, mtype.mime, size, repacked, carrier="embedded")


def _link_target(dest: Path, manifest_url: str | None) -> Path:
    name = Path(urlsplit(manifest_url or "").path).name
    return dest.with_name(name if name.endswith(".c2pa") else dest.stem + ".c2pa")


def _sign_sidecar(src: Path, dest: Path, data: bytes, *, identity: Identity,
                  options: SignOptions, trust: TrustStore | None, mode: int) -> SignResult:
    check_usable(identity)
    target = sidecar.sidecar_path(dest)
    if target.exists() and not options.replace:
        raise AlreadySigned(f"{target} already exists; signing again would replace it",
                            hint="pass --replace to overwrite the sidecar")
    mime, store = sidecar.sign_store(data, src.name, identity=identity, options=options,
                                     trust=trust)
    if dest != src:
        atomic_write(dest, mode, lambda fh: fh.write(data))
    atomic_write(target, 0o644, lambda fh: fh.write(store))
    return SignResult(src, dest, mime, len(data), False, carrier="sidecar",
                      manifest_file=target)
