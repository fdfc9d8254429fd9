"""The only code that touches the output folder.

Every file of a build is first written to a temporary file beside its
target; only when all of them are safely on disk are they renamed into
place. A build that fails or is interrupted before that point leaves the
previous output exactly as it was. Files whose bytes did not change are not
rewritten, so their modification times (and HTTP caches) stay valid.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .errors import OutputError

TEMP_PREFIX = ".feedpub-tmp-"


def changed_files(out_dir: Path, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The subset of ``files`` whose bytes differ from what ``out_dir`` holds."""
    changed: dict[str, bytes] = {}
    for name, data in files.items():
        try:
            if (out_dir / name).read_bytes() == data:
                continue
        except OSError:
            pass
        changed[name] = data
    return changed


def write_files(out_dir: Path, files: Mapping[str, bytes]) -> list[str]:
    """Atomically replace changed files under ``out_dir``; return their names."""
    changed = changed_files(out_dir, files)
    if not changed:
        return []
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in changed.items():
            target = out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
            staged.append((name, Path(temp)))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, 0o644)
        for name, temp in staged:
            os.replace(temp, out_dir / name)
    except OSError as exc:
        for _, temp in staged:
            temp.unlink(missing_ok=True)
        raise OutputError.one(
            f"cannot write {exc.filename or out_dir}: {exc.strerror}",
            path=str(out_dir),
            hint="check that the folder exists and is writable; the previous output is intact",
        ) from exc
    return sorted(changed)
