"""In a source checkout, ``provenance.cli`` is the repository's top-level ``cli/`` folder.

An installed wheel carries the command line at ``provenance/cli`` (pyproject's force-include),
so it adds no top-level ``cli`` package to site-packages. An editable install points at the
checkout, where the folder stays at the top level; this registers it under the same name, so
``import provenance.cli`` (the entry point, ``python -m provenance``) works in both. Importing
it costs two ``stat`` calls and runs ``cli/__init__.py``, a docstring; the verbs load later.
"""

from __future__ import annotations

import os
import sys

NAME = "provenance.cli"


def register() -> None:
    """Make ``provenance.cli`` importable from ``../cli`` when the package has none of its own."""
    # os.path, not pathlib: this runs on every `import provenance` (and `provenance --version`).
    package = os.path.dirname(os.path.realpath(__file__))
    if NAME in sys.modules or os.path.isfile(os.path.join(package, "cli", "__init__.py")):
        return  # an installed wheel, or done already
    root = os.path.dirname(package)
    init = os.path.join(root, "cli", "__init__.py")
    if not os.path.isfile(init) or not os.path.isfile(os.path.join(root, "pyproject.toml")):
        return
    import importlib.util  # only in a checkout: an installed wheel returned above

    spec = importlib.util.spec_from_file_location(
        NAME, init, submodule_search_locations=[os.path.dirname(init)])
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    spec.loader.exec_module(module)
    vars(sys.modules["provenance"])["cli"] = module  # as a real submodule import does
