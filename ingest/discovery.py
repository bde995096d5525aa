"""Which files of a folder are documents, which are not (and why), and which sub-folders
could not be read.

Only regular files are read: a FIFO would block a read forever and ``/dev/zero`` never
ends, and a file's size says nothing about either. Links are followed only while they stay
inside the ingested folder, unless a setting allows more: a link to ``/etc/passwd`` must
not put that file into answers. A sub-folder that cannot be listed is an error, never an
absence: its stored documents are kept.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ingest import loaders
from ingest.documents import DocumentError
from ingest.manifest import MANIFEST_NAME
from ingest.options import IngestLimits


@dataclass(frozen=True)
class SkippedFile:
    """A file the job did not read, and why (shown to the user)."""

    file: str  # relative to the ingested folder
    reason: str


@dataclass
class Discovery:
    """What a walk of the folder found."""

    documents: list[Path] = field(default_factory=list)
    manifests: list[Path] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    unreadable: dict[Path, str] = field(default_factory=dict)  # folder -> the OS's reason

    def under_unreadable(self, path: Path) -> bool:
        """True when ``path`` lies in a folder the walk could not list."""
        return any(path.is_relative_to(folder) for folder in self.unreadable)


def is_folder_documentation(path: Path) -> bool:
    """A README or the manifest describes the folder; it is not one of its documents."""
    return path.name == MANIFEST_NAME or path.stem.upper() == "README"


_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _why_not_readable(path: Path, folder: Path, follow_links_outside: bool) -> str | None:
    """Why ``path`` is not a regular file the job may read, or None when it is."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # dangling, or a loop
            return "a link that leads nowhere (broken or a loop)"
        if not follow_links_outside and not target.is_relative_to(folder):
            return (
                f"a link to {target}, outside the folder (not followed unless the setting "
                "ingest.follow_links_outside is true)"
            )
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot be examined ({exc.strerror or exc})"
    if not stat.S_ISREG(mode):
        return f"{_kind(mode)}, not a regular file"
    return None


def discover(folder: Path, *, follow_links_outside: bool = False) -> Discovery:
    """Walk ``folder`` (never into hidden folders nor linked folders)."""
    folder = folder.resolve()
    found = Discovery()

    def unreadable(exc: OSError) -> None:
        found.unreadable[Path(exc.filename)] = exc.strerror or str(exc)

    for directory, dirnames, filenames in os.walk(folder, onerror=unreadable):
        here = Path(directory)
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if (here / name).is_symlink():
                rel = (here / name).relative_to(folder).as_posix()
                found.skipped.append(SkippedFile(rel, "a link to a folder (not followed)"))
        # os.walk descends in place: hidden folders are left out of the walk.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            rel = path.relative_to(folder).as_posix()
            if name == MANIFEST_NAME:
                found.manifests.append(path)
                continue
            if is_folder_documentation(path):
                found.skipped.append(SkippedFile(rel, "describes the folder, not a document"))
                continue
            if path.suffix.lower() not in loaders.LOADERS:
                found.skipped.append(SkippedFile(rel, "not a document type"))
                continue
            reason = _why_not_readable(path, folder, follow_links_outside)
            if reason:
                found.skipped.append(SkippedFile(rel, reason))
            else:
                found.documents.append(path)
    found.documents.sort()
    return found


def read_regular_file(path: Path, limits: IngestLimits) -> bytes:
    """The bytes of ``path``, refusing anything but a regular file within the size limit.

    The check is made on the opened file (non-blocking, so a FIFO swapped in after the walk
    cannot block), and the read is bounded whatever the file claims its size is.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise FileNotFoundError(exc.errno, exc.strerror, str(path)) from exc
        raise DocumentError(f"cannot be opened ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(f"{_kind(info.st_mode)}, not a regular file")
        size = info.st_size
        if size <= limits.max_file_bytes:  # a file growing while read is caught below
            raw = handle.read(limits.max_file_bytes + 1)
            size = len(raw)
    if size > limits.max_file_bytes:
        # MB as the setting counts them (MiB), so the limit reads as it was set.
        raise DocumentError(
            f"too large: {size / 2**20:.1f} MB, the limit is {limits.max_file_mb:g} MB "
            "(setting ingest.max_file_mb)"
        )
    return raw
