"""mmengine's local file backend with atomic writes (checkpoints, ``last_checkpoint``, dumps).

mmengine 0.10.7 writes a checkpoint with ``open(path, 'wb').write(...)``: a job killed or out of disk
space in the middle leaves a truncated ``epoch_N.pth`` (and possibly an empty ``last_checkpoint``) that
looks finished. :class:`AtomicLocalBackend` writes to a temporary file in the same directory and
renames it over the target (:func:`vpd_mm.utils.fileio.atomic_write_bytes`), so a file is either the
old one or the complete new one. Registered as mmengine's ``local`` backend by ``import vpd_mm``.
"""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

from vpd_mm.utils.fileio import atomic_write_bytes


class AtomicLocalBackend(LocalBackend):
    """:class:`mmengine.fileio.LocalBackend` whose ``put`` / ``put_text`` replace the file atomically."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write the bytes ``obj`` to ``filepath`` atomically (temporary file, then rename)."""
        atomic_write_bytes(filepath, obj)

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        """Write the text ``obj``, encoded with ``encoding``, to ``filepath`` atomically."""
        atomic_write_bytes(filepath, obj.encode(encoding))


def register_atomic_local_backend() -> None:
    """Replace mmengine's ``local`` backend (paths without a ``scheme://``) by :class:`AtomicLocalBackend`
    (idempotent). Plain local backends mmengine already made and cached are dropped from its cache, so
    that every later write goes through the atomic one."""
    from mmengine.fileio import io as mm_io
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
    for key, backend in list(mm_io.backend_instances.items()):
        if type(backend) is LocalBackend:
            del mm_io.backend_instances[key]
