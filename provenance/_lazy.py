"""Names a package imports on first use (PEP 562), from its table ``_LAZY`` of name -> module.

A package's ``__getattr__`` calls :func:`attribute`; a package with a public function named like
one of its submodules also takes :class:`Package` as its module class, so that importing the
submodule (Python binds every submodule to its package's attribute) leaves the function in place.
"""

from __future__ import annotations

import types

TYPE_CHECKING = False  # typing itself costs more than ``import provenance`` may
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["Package", "attribute"]


def attribute(namespace: dict[str, Any], table: Mapping[str, str], name: str) -> object:
    """``name`` from the module ``table`` names, imported now and kept in ``namespace`` (the
    package's globals), so the next access is a plain lookup.

    Raises:
        AttributeError: ``name`` is not in ``table``.
    """
    module = table.get(name)
    if module is None:
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    namespace[name] = value
    return value


class Package(types.ModuleType):
    """A package whose lazy names (``_LAZY``) are never rebound to a submodule of the same name
    (``provenance.verify`` the function, ``provenance.verify`` the module)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.__dict__.get("_LAZY", ()) and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)
