"""Signing one file: the carrier chosen from the registry, the output written atomically."""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from provenance._files import (
    atomic_write,
    check_dir,
    mapped_input,
    mode_for,
    read_input,
    same_file,
)
from provenance._record import record
from provenance.carriers import Route, media, route, sidecar, text
from provenance.claims import ClaimTemplate, HumanClaim
from provenance.errors import AlreadySigned, OutputError, ProvenanceError
from provenance.fingerprint import Fingerprint
from provenance.formats import MediaType, check_structure, identify, media_type_for_name
from provenance.identity import Identity, check_usable
from provenance.options import CarrierName, SignOptions
from provenance.policy import _dn_attrs
from provenance.report import Report
from provenance.trust import TrustStore

__all__ = ["Plan", "SignResult", "default_output", "plan", "same_signer", "sign", "up_to_date"]


@record
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
    #: what was asked for and not done, in plain words (e.g. no thumbnail for SVG)
    notes: tuple[str, ...] = ()
    #: the content fingerprint the soft binding was made from, when the output's content is
    #: the source's byte for byte (JPEG, PNG): registering the output reuses it
    #: (:func:`provenance.registry.record.record_from_signing`)
    fingerprint: Fingerprint | None = field(default=None, repr=False, compare=False)


def default_output(source: Path) -> Path:
    """``NAME.signed.EXT`` beside the source."""
    return source.with_name(f"{source.stem}.signed{source.suffix}")


@record
class Plan:
    """What :func:`sign` would write for one source, decided before anything is read."""

    source: Path
    #: the file holding the signed content (the source itself in place, or for a sidecar)
    output: Path
    #: the separate manifest file: ``NAME.EXT.c2pa`` (sidecar) or the link carrier's ``.c2pa``
    manifest_file: Path | None
    route: Route
    #: where the manifest goes: ``embedded`` (media) or a text carrier name
    carrier: str
    #: the content is written over the source (or, for a sidecar, left where it is)
    in_place: bool = False


def plan(source: Path | str, options: SignOptions) -> Plan:
    """Where signing ``source`` with ``options`` writes, and with which carrier."""
    src = Path(source)
    way, chosen = route(src, options.carrier)
    explicit = options.output if options.output is not None else (
        options.out_dir / src.name if options.out_dir is not None else None)
    in_place = options.in_place or (way == "sidecar" and explicit is None)
    dest = src if in_place else explicit if explicit is not None else default_output(src)
    manifest_file = None
    if way == "sidecar":
        manifest_file = sidecar.sidecar_path(dest)
    elif chosen == "link":
        manifest_file = _link_target(dest, options.manifest_url)
    return Plan(src, dest, manifest_file, way, chosen or "embedded", in_place)


def same_signer(report: Report, identity: Identity) -> bool:
    """True when ``report`` is intact and was signed by ``identity``'s certificate."""
    signer = report.signer
    if not report.intact or signer is None:
        return False
    if signer.serial is not None:  # the exact certificate
        return signer.serial == format(identity.certificate.serial_number, "x")
    info = identity.info()
    if (signer.name or None) != info.name or (signer.organization or None) != \
            info.organization:
        return False
    return signer.issuer is None or _dn_attrs(signer.issuer) == _dn_attrs(info.issuer)


def _differences(planned: Plan, options: SignOptions, report: Report,
                 identity: Identity) -> list[str]:
    """How an existing output's manifest differs from what signing would write now."""
    found: list[str] = []
    if not same_signer(report, identity):
        found.append("signer")
    if (report.carrier or "embedded") != planned.carrier:
        found.append("carrier")
    claim = options.claim_for(planned.source)
    if claim is not None:
        if claim.digital_source_type not in report.digital_source_types:
            found.append("origin")
        if (claim.author or None) != (report.author or None):
            found.append("author")
        if (claim.title or planned.source.name) != (report.title or planned.source.name):
            found.append("title")
        if ("allowed" if claim.allow_ai_training else "notAllowed") != report.ai_training:
            found.append("AI training")
    if (options.parent is not None) != any(i.relationship == "parentOf"
                                           for i in report.ingredients):
        found.append("parent")
    if (options.tsa_url is not None) != (report.timestamp is not None):
        found.append("timestamp")
    return found


def up_to_date(planned: Plan, options: SignOptions, *, identity: Identity,
               trust: TrustStore | None = None) -> bool:
    """True when what :func:`sign` would write is there already: the output (or the sidecar)
    is newer than the source and carries an intact manifest by ``identity`` with the same
    carrier and claim (origin, author, title, AI-training choice, parent, timestamp)."""
    from provenance.verify import inspect

    written = planned.manifest_file if planned.route == "sidecar" else planned.output
    if written is None or (planned.in_place and planned.route != "sidecar"):
        return False  # signing in place: the source's own manifest decides (AlreadySigned)
    try:
        if written.stat().st_mtime_ns < planned.source.stat().st_mtime_ns:
            return False
        report = inspect(planned.source if planned.route == "sidecar" else planned.output,
                         trust=trust)
    except (OSError, ProvenanceError):
        return False
    return report.intact and not _differences(planned, options, report, identity)


def _signed_before_renew(dest: Path, report: Report, identity: Identity) -> bool:
    """True when ``dest`` is an earlier output of this identity made with an earlier
    certificate (before ``identity renew``): intact, same name and organisation, and its
    signer chains to this identity's own root (checked by c2pa, not by names)."""
    from provenance.verify import inspect

    info = identity.info()
    if identity.root is None or not report.intact or report.signer is None or \
            (report.signer.name or None) != info.name or \
            (report.signer.organization or None) != info.organization:
        return False
    own = TrustStore(certificates=(identity.root,), labels=("identity-root",))
    try:
        return inspect(dest, trust=own).status == "trusted"
    except ProvenanceError:
        return False


def _check_overwrite(planned: Plan, options: SignOptions, identity: Identity,
                     trust: TrustStore | None) -> None:
    """The overwrite rule: an existing output is replaced only when it is an earlier output
    of this identity (it carries its intact manifest) or ``overwrite`` is set."""
    from provenance.verify import inspect

    dest = planned.output
    if options.overwrite or planned.in_place or not dest.exists():
        return
    try:
        report: Report | None = inspect(dest, trust=trust)
    except ProvenanceError:
        report = None
    if report is not None and (same_signer(report, identity)
                               or _signed_before_renew(dest, report, identity)):
        return
    whose = ""  # say whose it is
    if report is not None and report.intact and report.signer is not None:
        name = report.signer.name or "someone"
        whose = (f": it was signed by {name} with a certificate this identity's root did not "
                 "issue" if name == identity.info().name else f": it was signed by {name}")
    raise OutputError(
        f"the output {dest} exists and is not an earlier output of this identity{whose}",
        hint="remove it, choose another output, or pass --force (overwrite=True) to "
        "replace it",
    )


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
    overwrite: bool = False,
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
    over the source requires ``in_place=True``. The overwrite rule (the same for the command
    line and :func:`provenance.batch.sign`): an existing output is replaced only when it is an
    earlier output of this identity (it carries its intact manifest, also one signed before
    ``identity renew``) or with ``overwrite=True`` (``--force``); anything else there is
    refused with OutputError. (The command line and ``batch.sign`` also skip an output that
    already holds what would be written: see :func:`up_to_date`.) ``tsa_url`` adds an
    RFC 3161 timestamp, which keeps the signature valid after the certificate expires.

    Raises:
        InputError, AlreadySigned, UnsupportedFormat: the source cannot be signed.
        OutputError: the destination cannot be written, or equals the source without in_place.
        SigningError: c2pa refused to sign.
    """
    opts = SignOptions.of(
        options, claim=claim, parent=parent, thumbnail=thumbnail, replace=replace,
        in_place=in_place, tsa_url=tsa_url, carrier=carrier, manifest_url=manifest_url,
        overwrite=overwrite,
    )
    if output is not None and not opts.in_place:  # in_place wins, as it always has
        opts = dataclasses.replace(opts, output=Path(output), out_dir=None)
    planned = plan(source, opts)
    src, dest, way = planned.source, planned.output, planned.route
    chosen = route(src, opts.carrier)[1]
    if not planned.in_place and same_file(src, dest):
        raise OutputError(
            f"the output {dest} is the source file",
            hint="use --in-place to replace the source, or choose another -o or --out-dir",
        )
    if dest.is_dir():
        raise OutputError(f"the output {dest} is a directory",
                          hint="use --out-dir DIR to write into a directory")
    with contextlib.ExitStack() as stack:
        if way == "media" and _mappable(src):
            # A large JPEG or PNG is mapped, not read: hashed, parsed, decoded and written
            # out from the page cache, with no copy of it in this process.
            data = stack.enter_context(mapped_input(src))
        else:
            data = read_input(src)
        if dest.exists() and way == "media":
            # A bad input is reported as such, not as a clash with an existing output.
            check_structure(src.name, identify(src.name, data), data)
        _check_overwrite(planned, opts, identity, trust)
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
                extra = planned.manifest_file or _link_target(dest, opts.manifest_url)
                atomic_write(extra, 0o644, lambda fh: fh.write(signed.store or b""))
            atomic_write(dest, mode, lambda fh: fh.write(signed.data))
            return SignResult(src, dest, text.media_type_for(src.name), len(signed.data), False,
                              carrier=signed.carrier, manifest_file=extra,
                              notes=_thumbnail_note(opts, None))

        fingerprints: list[Fingerprint] = []
        undone: list[str] = []

        def write(fh: BinaryIO) -> tuple[MediaType, bool]:
            return media.sign_into(data, fh, name=src.name, identity=identity, options=opts,
                                   parent=parent_data, parent_name=parent_name, trust=trust,
                                   fingerprints=fingerprints, notes=undone)

        (mtype, repacked), size = atomic_write(dest, mode, write)
        return SignResult(src, dest, mtype.mime, size, repacked, carrier="embedded",
                          notes=_thumbnail_note(opts, mtype.mime) + tuple(undone),
                          fingerprint=fingerprints[0] if fingerprints else None)


#: Types signed on the data-hash route from a memory map of the source (see media.sign_into),
#: from this size on (a small file is read: one read costs less than a map's page faults).
_MAPPED = frozenset({"image/jpeg", "image/png"})
_MAP_MIN = 4 << 20


def _mappable(src: Path) -> bool:
    named = media_type_for_name(src.name)
    if named is None or named.mime not in _MAPPED:
        return False
    try:
        return src.stat().st_size >= _MAP_MIN
    except OSError:
        return False  # read_input says what is wrong


def _thumbnail_note(options: SignOptions, mime: str | None) -> tuple[str, ...]:
    """Say so when --thumbnail could not be honoured: only raster images get one."""
    if not options.thumbnail or (mime is not None and media.can_thumbnail(mime)):
        return ()
    what = "SVG" if mime == "image/svg+xml" else "this type" if mime else "text"
    return (f"no thumbnail for {what}: only raster images get one",)


def _link_target(dest: Path, manifest_url: str | None) -> Path:
    name = Path(urlsplit(manifest_url or "").path).name
    return dest.with_name(name if name.endswith(".c2pa") else dest.stem + ".c2pa")


def _our_sidecar(target: Path, identity: Identity, trust: TrustStore | None) -> bool:
    """An existing sidecar is replaced as an earlier output is: when this identity made it
    (also before ``identity renew``). Anyone else's holds the source's Content Credentials:
    refused unless ``replace`` (``--force`` is not enough, as for any signed source)."""
    from provenance.verify import inspect

    try:
        report = inspect(target, trust=trust)
    except ProvenanceError:
        return False
    return same_signer(report, identity) or _signed_before_renew(target, report, identity)


def _sign_sidecar(src: Path, dest: Path, data: bytes, *, identity: Identity,
                  options: SignOptions, trust: TrustStore | None, mode: int) -> SignResult:
    check_usable(identity)
    target = sidecar.sidecar_path(dest)
    if target.exists() and not (options.replace or _our_sidecar(target, identity, trust)):
        raise AlreadySigned(f"{target} already exists; signing again would replace it",
                            hint="pass --replace to overwrite the sidecar")
    mime, store = sidecar.sign_store(data, src.name, identity=identity, options=options,
                                     trust=trust)
    if dest != src:
        atomic_write(dest, mode, lambda fh: fh.write(data))
    atomic_write(target, 0o644, lambda fh: fh.write(store))
    return SignResult(src, dest, mime, len(data), False, carrier="sidecar",
                      manifest_file=target, notes=_thumbnail_note(options, None))
