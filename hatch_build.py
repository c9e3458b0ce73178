"""Build hook: the wheel carries the top-level ``cli/`` folder as ``provenance/cli``.

A plain ``force-include`` would also copy it into site-packages on an editable install, where
it would go stale; an editable install maps the live folder instead (provenance/_checkout.py).
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CliInsidePackage(BuildHookInterface):  # type: ignore[misc]
    """Put ``cli/`` at ``provenance/cli`` in a standard (non-editable) wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Add the mapping for standard wheels only."""
        if self.target_name == "wheel" and version == "standard":
            build_data["force_include"]["cli"] = "provenance/cli"
