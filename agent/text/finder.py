"""Which files a command was given: files, folders (recursively) and globs, each file once, in a stable order.

Why a module of its own: a batch is pointed at folders of scraped pages that hold symlink loops, links to
parent folders, FIFOs, broken links and the same file under two names. Walking them must end, must not
list a file twice (duplicated records), and must not silently skip what it cannot read: a broken link or a
FIFO named like a notice is listed, so that reading it names the reason. Pure standard library.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from agent.text.ingest import SUFFIXES

NOTICE_SUFFIXES = SUFFIXES  # one list: the formats ``agent.text.ingest`` has a reader for
_READS = " ".join(sorted(NOTICE_SUFFIXES))


def _expand(pattern: str) -> list[str]:
    """A glob's hits. ``**`` goes through pathlib, which never descends into a symlinked folder: ``glob``
    follows them, and two links to a parent folder make its walk exponential."""
    if "**" not in pattern:
        return sorted(glob.glob(pattern))
    parts = pattern.split(os.sep)
    first = next(i for i, part in enumerate(parts) if any(c in part for c in "*?["))
    base = os.sep.join(parts[:first]) or (os.sep if pattern.startswith(os.sep) else "")
    root = Path(base or ".")
    return sorted(os.path.join(base, str(m.relative_to(root))) for m in root.glob(os.sep.join(parts[first:])))


def _walk(folder: Path, unread: list[tuple[str, str]] | None = None) -> list[str]:
    """Notice-like entries under a folder; symlinked folders are not followed (no loops). Broken links and
    FIFOs named like notices are kept, so that reading them names the reason. Any other file is added to
    ``unread`` with the reason it is not read (hidden files, ``.name``, are passed over)."""
    found = []
    for f in sorted(folder.rglob("*")):
        if f.is_dir():
            continue
        if f.suffix.lower() in NOTICE_SUFFIXES:
            found.append(str(f))
        elif unread is not None and not any(part.startswith(".") for part in f.relative_to(folder).parts):
            kind = f"a {f.suffix.lower()} file" if f.suffix else "a file without a suffix"
            unread.append((str(f), f"not read: {kind} is not a notice format (xuncha reads {_READS})"))
    return found


def _identity(path: str) -> tuple[int, int] | str:
    st = os.stat(path) if os.path.exists(path) else None
    return (st.st_dev, st.st_ino) if st else path


def find_notice_files(paths: list[str], unread: list[tuple[str, str]] | None = None) -> list[str]:
    """Files, folders (recursively, notice-like files) and globs, in a stable order, each file once (a file
    reached twice, through a symlink or a second spelling of its path, is kept under its first name). The
    files a folder holds that are not read are added to ``unread``, each with its reason."""
    out: list[str] = []
    seen: set[tuple[int, int] | str] = set()
    for p in paths:
        # a path that exists is itself, brackets and all (报告[1].txt); only another one may be a glob
        hits = _expand(p) if any(c in p for c in "*?[") and not os.path.lexists(p) else [p]
        for h in hits:
            path = Path(h)
            if path.is_dir() and path.is_symlink() and h != p:
                continue  # a linked folder a glob found: not followed, as inside folders
            files = _walk(path, unread) if path.is_dir() else [h]
            for f in files:
                key = _identity(f)
                if key not in seen:
                    seen.add(key)
                    out.append(f)
    return out
