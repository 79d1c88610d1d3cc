"""Atomic file writes.

Every result file vpd_mm writes goes through these helpers: the data is written to a temporary
file in the destination directory and renamed over the target, so a killed job never leaves a
truncated file that a later ``--resume`` would mistake for a finished one.
"""
import contextlib
import gzip
import hashlib
import json
import os
import pickle
import tempfile
from typing import Any, Iterable, Iterator, Union

PathLike = Union[str, os.PathLike]


@contextlib.contextmanager
def atomic_open(path: PathLike, mode: str = 'wb') -> Iterator[Any]:
    """Open a temporary file next to ``path`` and rename it over ``path`` on success.

    Args:
        path: Destination file. Its parent directory is created if needed.
        mode: ``'wb'`` or ``'w'``.

    Yields:
        The open temporary file. If the block raises, the temporary file is removed and
        ``path`` is left untouched.
    """
    if mode not in ('w', 'wb'):
        raise ValueError(f'atomic_open supports modes "w" and "wb", got {mode!r}')
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, 'wb') as f:
        f.write(data)


def atomic_write_text(path: PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode('utf-8'))


def atomic_write_json(path: PathLike, obj: Any, indent: Union[int, None] = None) -> None:
    """Serialise ``obj`` as JSON to ``path`` atomically; ``.gz`` paths are gzip-compressed."""
    data = json.dumps(obj, indent=indent).encode('utf-8')
    if os.fspath(path).endswith('.gz'):
        data = gzip.compress(data, mtime=0)
    atomic_write_bytes(path, data)


def atomic_save_figure(fig: Any, path: PathLike, dpi: int = 100) -> None:
    """Save a matplotlib figure to ``path`` as PNG atomically, then close it (``pyplot.close``)."""
    import matplotlib.pyplot as plt
    try:
        with atomic_open(path, 'wb') as f:
            fig.savefig(f, format='png', dpi=dpi)
    finally:
        plt.close(fig)


def atomic_write_pickle(path: PathLike, obj: Any) -> None:
    """Pickle ``obj`` to ``path`` atomically."""
    atomic_write_bytes(path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def load_json(path: PathLike) -> Any:
    """Read a JSON file (gzip-compressed if it ends in ``.gz``), naming the file on failure."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'{path}: file not found')
    try:
        if path.endswith('.gz'):
            with gzip.open(path, 'rt', encoding='utf-8') as f:
                return json.load(f)
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, EOFError, ValueError) as e:
        raise ValueError(f'{path}: not a readable JSON file ({e})') from e


def file_digest(path: PathLike) -> str:
    """SHA-1 of a file's contents (hex)."""
    sha = hashlib.sha1()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            sha.update(block)
    return sha.hexdigest()


def content_digest(paths: Iterable[PathLike]) -> str:
    """SHA-1 (hex) of the contents of files and of every file under directories (names included).

    A missing path counts as ``missing``, so creating it changes the digest.
    """
    sha = hashlib.sha1()
    for path in map(os.fspath, paths):
        sha.update(f'<{path}>'.encode())
        if os.path.isfile(path):
            sha.update(file_digest(path).encode())
        elif os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    full = os.path.join(root, name)
                    sha.update(f'{os.path.relpath(full, path)}:{file_digest(full)};'.encode())
        else:
            sha.update(b'missing')
    return sha.hexdigest()
