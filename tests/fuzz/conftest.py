"""Fuzzing profiles: bounded runs in the default suite, long runs with ``make fuzz``.

``HYPOTHESIS_PROFILE=fuzz`` (what ``make fuzz`` sets) runs each target for many more examples;
the default profile keeps the whole fuzz directory to seconds.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "bounded", max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20000")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "bounded"))
