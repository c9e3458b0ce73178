"""SignOptions: what a signature claims, where it is written, which carrier holds it.

One frozen object travels from the command line through :mod:`provenance.batch` to the
carriers, validated once where it is made (the way sigstore passes a signing context and
pip-audit its ``AuditOptions``). The signer (an :class:`~provenance.identity.Identity`) and the
trust anchors are not options: they say *who* signs and *whom* we trust, and travel beside it.

>>> from provenance import SignOptions, HumanClaim
>>> SignOptions(claim=HumanClaim("creation"), tsa_url="http://127.0.0.1:3180", thumbnail=True)
... # doctest: +ELLIPSIS
SignOptions(claim=HumanClaim(origin='creation', ...), ...)
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from provenance._record import record
from provenance.carriers import CARRIERS, CarrierName
from provenance.claims import ClaimTemplate, HumanClaim
from provenance.errors import InputError

__all__ = ["CARRIERS", "CarrierName", "Ingredient", "SignOptions"]



@record
class Ingredient:
    """A signed file the asset shows or contains (a photo on a page): recorded as a
    ``componentOf`` ingredient carrying that file's own manifest.

    Args:
        path: the signed file.
        title: what the ingredient is called in the manifest (default: the file name).
    """

    path: Path
    title: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.path, Path):
            object.__setattr__(self, "path", Path(self.path))


@record
class SignOptions:
    """How to sign: the claim, the parent of an edit, the output, the carrier and extras.

    Args:
        claim: what to declare; a :class:`~provenance.claims.ClaimTemplate` is resolved per
            file (origin from the type), None gives the type's default human claim.
        parent: the file this one was edited from (recorded as the ``parentOf`` ingredient).
        output: the output file (one input only).
        out_dir: an output directory (batches keep the folder structure under it).
        in_place: write over the source (atomically).
        replace: sign an already signed file, discarding its manifest.
        carrier: where the manifest goes (None: chosen from the file type).
        manifest_url: with ``carrier="link"``, the URL where the ``.c2pa`` file is published.
        thumbnail: embed a small JPEG thumbnail (images).
        tsa_url: an RFC 3161 timestamp authority; keeps signatures valid after the
            certificate expires. None: no timestamp (no network call).
        identity_assertion: add the author's CAWG identity assertion (``cawg.identity``,
            signed by the author's own key). False leaves it out: c2pa-rs 0.91 never trusts
            an X.509 identity credential, so its readers lower such a manifest to Valid.
        overwrite: replace an existing output even when it is not an earlier output of this
            identity (``--force``); without it such a file is refused.
        ingredients: signed files this one shows or contains (:class:`Ingredient`, or
            paths), each recorded as a ``componentOf`` ingredient with its own manifest and
            a ``c2pa.placed`` action.

    Raises:
        InputError: options that contradict each other (two destinations, an unknown
            carrier, ``link`` without ``manifest_url``).
    """

    claim: HumanClaim | ClaimTemplate | None = None
    parent: Path | None = None
    output: Path | None = None
    out_dir: Path | None = None
    in_place: bool = False
    replace: bool = False
    carrier: CarrierName | None = None
    manifest_url: str | None = None
    thumbnail: bool = False
    tsa_url: str | None = None
    overwrite: bool = False
    identity_assertion: bool = True
    ingredients: tuple[Ingredient, ...] = ()

    def __post_init__(self) -> None:
        if self.ingredients and not all(isinstance(i, Ingredient) for i in self.ingredients):
            object.__setattr__(self, "ingredients", tuple(
                i if isinstance(i, Ingredient) else Ingredient(Path(i))
                for i in self.ingredients))
        for name in ("parent", "output", "out_dir"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
        if sum((self.output is not None, self.out_dir is not None, self.in_place)) > 1:
            raise InputError("choose one of output, out_dir and in_place",
                             hint="one destination: -o FILE, --out-dir DIR or --in-place")
        if self.carrier is not None and self.carrier not in CARRIERS:
            raise InputError(f"unknown carrier {self.carrier!r}",
                             hint=f"one of {', '.join(CARRIERS)}")
        if self.carrier == "link" and not self.manifest_url:
            raise InputError("--carrier link needs --manifest-url URL",
                             hint="the URL where you will publish the .c2pa file")

    @classmethod
    def of(cls, options: SignOptions | None = None, **given: Any) -> SignOptions:
        """``options`` with the keyword arguments that are not None applied (a library
        call's keywords and an options object agree on one set of names).

        Raises:
            InputError: an unknown option name, or as the constructor.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(given) - known)
        if unknown:
            raise InputError(f"unknown signing option {unknown[0]!r}",
                             hint=f"one of {', '.join(sorted(known))}")
        changes = {k: v for k, v in given.items() if v is not None and v is not False}
        base = options if options is not None else cls()
        return replace(base, **changes) if changes else base

    def claim_for(self, path: Path | str) -> HumanClaim | None:
        """The claim for one file (a template resolved by the file's type)."""
        if isinstance(self.claim, ClaimTemplate):
            return self.claim.for_path(Path(path), has_parent=self.parent is not None)
        return self.claim
