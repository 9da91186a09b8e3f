"""Hypothesis settings for the property tests in this folder.

With CI=true the examples are derandomised (the same inputs every run, so a red CI run is
reproducible); elsewhere each run explores new inputs. `max_examples` is bounded so that the
whole folder runs in well under a minute on the 2-core machine. FUZZ_EXAMPLES=1000 runs a deeper
search by hand (how the fold bug kept as an @example was found); CI keeps the default.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from tests.conftest import IN_CI

settings.register_profile(
    "vn-fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=IN_CI,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
