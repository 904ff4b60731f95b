"""The data dir and the files chargebook keeps in it are its user's alone: 0700 and 0600.

The book holds password hashes, addresses, EANs and mandates; the key file and the token cache
what unlocks the stored credentials. New directories and files are created private; existing
ones that others may read are tightened (with a warning in the log), or a warning says how to
tighten them when chargebook may not (another user owns them).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_OTHERS = 0o077  # group and other bits

_LOGGER = logging.getLogger(__name__)


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) with the directory itself 0700, or tighten it.

    Parents that did not exist get the usual mode: only the directory chargebook owns is
    closed (e.g. ~/.local/share stays as the system made it).

    Raises:
        OSError: the directory cannot be created.
    """
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    tighten(path)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists and only its owner may read it: created empty with 0600 when
    missing (so a program that opens it later, like SQLite, never makes it 0644), else
    tightened.

    Raises:
        OSError: the file cannot be created.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        tighten(path)
    else:
        os.close(fd)
    return path


def tighten(path: Path) -> bool:
    """Remove the group and other permissions of an existing file or directory.

    Returns whether it is private now; a path that does not exist counts as private. A chmod
    that fails (another owner, a read-only mount) is a warning, never an error: the data is no
    less safe than before, and the operator learns what to run.
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return True
    if not mode & _OTHERS:
        return True
    try:
        os.chmod(path, mode & ~_OTHERS)
    except OSError as exc:
        _LOGGER.warning(
            "%s is readable by other users (mode %o) and cannot be tightened (%s): "
            "run chmod go-rwx %s",
            path, mode, exc.strerror, path,
        )  # fmt: skip
        return False
    _LOGGER.warning("%s was readable by other users (mode %o); now %o", path, mode, mode & ~_OTHERS)
    return True
