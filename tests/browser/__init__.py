"""Browser tests (see conftest.py)."""

import os

# How long a browser test waits for a condition (an element, a text, a URL, a request, a
# navigation, a mail) before it fails. The tests wait for conditions, never for fixed times,
# so this only bounds a failing test: it is generous for a machine busy with other work.
TIMEOUT_MS = int(os.environ.get("KOHTAAMO_BROWSER_TIMEOUT_MS", "45000"))
