"""Whether a file holding a secret (a config file, a signing key) is open to others."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def exposure(path: Path) -> str | None:
    """``"others"`` or ``"its group"`` when the file is readable or writable by them, or
    ``None`` when only its owner may (and always ``None`` where modes are not POSIX)."""
    if os.name != "posix":
        return None
    mode = path.stat().st_mode
    if not mode & (stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH):
        return None
    return "others" if mode & (stat.S_IROTH | stat.S_IWOTH) else "its group"


def mode_text(path: Path) -> str:
    return f"{stat.S_IMODE(path.stat().st_mode):03o}"
