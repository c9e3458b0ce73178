"""In a source checkout, ``provenance.cli`` is the repository's top-level ``cli/`` folder.

An installed wheel carries the command line at ``provenance/cli`` (pyproject's force-include),
so it adds no top-level ``cli`` package to site-packages. An editable install points at the
checkout, where the folder stays at the top level; this registers it under the same name, so
``import provenance.cli`` (the entry point, ``python -m provenance``) works in both. Importing
it costs two ``stat`` calls and runs ``cli/__init__.py``, a docstring; the verbs load later.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

NAME = "provenance.cli"


def register() -> None:
    """Make ``provenance.cli`` importable from ``../cli`` when the package has none of its own."""
    package = Path(__file__).resolve().parent
    if NAME in sys.modules or (package / "cli" / "__init__.py").is_file():
        return  # an installed wheel, or done already
    init = package.parent / "cli" / "__init__.py"
    if not init.is_file() or not (package.parent / "pyproject.toml").is_file():
        return
    spec = importlib.util.spec_from_file_location(
        NAME, init, submodule_search_locations=[str(init.parent)])
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    spec.loader.exec_module(module)
    vars(sys.modules["provenance"])["cli"] = module  # as a real submodule import does
