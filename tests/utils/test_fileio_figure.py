"""atomic_save_figure: a PNG under the final name, no temporary file, the figure closed."""
import os

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from vpd_mm.utils.fileio import atomic_save_figure  # noqa: E402


def test_writes_png_and_closes(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = tmp_path / 'sub' / 'plot.png'
    atomic_save_figure(fig, path, dpi=50)
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert os.listdir(tmp_path / 'sub') == ['plot.png']
    assert not plt.fignum_exists(fig.number)


def test_failed_save_leaves_the_old_file(tmp_path):
    path = tmp_path / 'plot.png'
    path.write_bytes(b'old')
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])

    def broken(*args, **kwargs):
        raise RuntimeError('render failed')

    fig.savefig = broken
    with pytest.raises(RuntimeError, match='render failed'):
        atomic_save_figure(fig, path)
    assert path.read_bytes() == b'old' and os.listdir(tmp_path) == ['plot.png']
    assert not plt.fignum_exists(fig.number)
