"""Text from outside input (a stack export, snapshots, the stack file) as a terminal or a CI log may show it.

An ESC sequence in a resource name can retitle or clear the user's terminal, a CR or a line separator can
overwrite or fake a line of a CI log, and bidirectional controls can reorder what a reviewer reads. Every such
character is shown as its escape (`\\x1b`, `\\u202e`) instead, as `--json` already does.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL (Unicode category Cc), the line and paragraph separators, and the bidirectional
# controls (marks, embeddings, overrides, isolates).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escaped(text: str) -> str:
    """`text` with every control character as its Python-style escape; printable text as it is."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
