"""The pack's rule modules are imported from policies/ as the pack process does (its folder on sys.path)."""

from __future__ import annotations

import sys

from tests.conftest import REPO

PACK_DIR = REPO / "policies"
if str(PACK_DIR) not in sys.path:
    sys.path.insert(0, str(PACK_DIR))
