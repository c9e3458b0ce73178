"""Component ingredients: the signed files a page or document shows, read for c2pa."""

from __future__ import annotations

from typing import Any

from provenance._files import read_input
from provenance._record import record
from provenance.claims import component_id, with_components
from provenance.errors import InputError
from provenance.formats import check_structure, identify
from provenance.options import SignOptions

__all__ = ["Component", "components", "with_placed"]


@record(repr=False)
class Component:
    """A signed asset placed in the one being signed: a ``componentOf`` ingredient whose
    manifest store c2pa parses from ``data`` and copies in (id ``label``, for actions)."""

    mime: str
    title: str
    data: bytes
    label: str

    def __repr__(self) -> str:  # never the whole asset
        return f"Component({self.title!r}, {self.mime!r}, {len(self.data)} bytes)"


def components(options: SignOptions) -> tuple[Component, ...]:
    """Every ``options.ingredients`` file read and typed, ids ``component0``, ``component1``...

    Raises:
        InputError: an ingredient file is missing, unreadable, or not what its name says.
    """
    out = []
    for n, ing in enumerate(options.ingredients):
        data = read_input(ing.path, "ingredient")
        mtype = identify(ing.path.name, data)
        if mtype.mime.startswith("text/"):
            raise InputError(f"the ingredient {ing.path} is text; only media files can be "
                             "placed as ingredients", hint="name image, audio or video files")
        check_structure(ing.path.name, mtype, data)
        out.append(Component(mtype.mime, ing.title or ing.path.name, data,
                                   component_id(n)))
    return tuple(out)


def with_placed(manifest: dict[str, Any],
                parts: tuple[Component, ...]) -> dict[str, Any]:
    """``manifest`` with the ``c2pa.placed`` action that references ``parts``."""
    return with_components(manifest, [p.label for p in parts])
