"""Makes the fixtures in tests/fixtures available to every test under tests/.

pytest puts this directory (the first one upwards without an __init__.py) on sys.path, so the
`fixtures` package imports as a top-level package; the fixture functions are re-exported here.
"""

import sys
from pathlib import Path

# Also under --import-mode=importlib, which does not put this directory on sys.path.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures.berthd import berthd  # noqa: E402, F401
from fixtures.busybox import (  # noqa: E402, F401
    busybox_bundle,
    busybox_layout,
    busybox_rootfs,
    fixture_cache_dir,
    make_bundle,
    make_oci_layout,
)
from fixtures.cleanup import leak_check  # noqa: E402, F401
from fixtures.host import is_real_root, scratch_dir  # noqa: E402, F401
from fixtures.registry import auth_registry, registry  # noqa: E402, F401


def pytest_report_header(config):
    return f"berth fixtures: {'real root' if is_real_root() else 'not root: root-only tests will skip'}"
