"""Fixtures of the reliability suite (docs/reliability.md lists what each test proves).

Everything is small: clips of a 2-video SynthSport cut to a few dozen frames, tiny synthetic crop
stores and features. The tools run as the user runs them, as separate processes, so exit statuses,
messages and SIGKILL behave as in real use. Helpers live in ``reliability_helpers.py`` and
``reliability_media.py`` (this folder is put on ``sys.path``).
"""
import os
import os.path as osp
import random
import sys
from typing import Dict

import pytest

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from reliability_media import read_frames, write_video  # noqa: E402


@pytest.fixture(scope='session')
def kill_rng() -> random.Random:
    """Random kill points; ``VPD_MM_KILL_SEED`` replays a failing run (the seed is printed)."""
    seed = int(os.environ.get('VPD_MM_KILL_SEED', random.randrange(2**31)))
    print(f'reliability: kill points from VPD_MM_KILL_SEED={seed}')
    return random.Random(seed)


@pytest.fixture(scope='session')
def synth(tmp_path_factory) -> str:
    """A 2-video SynthSport (one element each, 320x240, 25 fps) with its annotations and GT."""
    from vpd_mm.synthsport import generate_dataset, make_config
    root = str(tmp_path_factory.mktemp('synthsport'))
    generate_dataset(root, make_config('custom', 0, videos=2, elements_per_video=1, generic_images=0, corpus=0),
                     workers=1, progress=False)
    return root


@pytest.fixture(scope='session')
def clips(synth, tmp_path_factory) -> Dict[str, str]:
    """``{name: path}`` of short MP4 clips (48 frames, 320x240, 25 fps) cut from the SynthSport videos."""
    out = tmp_path_factory.mktemp('clips')
    videos = sorted(os.listdir(osp.join(synth, 'videos')))
    frames = [read_frames(osp.join(synth, 'videos', v)) for v in videos]
    paths = {}
    for i, (src, start) in enumerate([(0, 0), (1, 0), (0, 60), (1, 60)]):
        paths[f'clip{i}'] = write_video(str(out / f'clip{i}.mp4'), frames[src][start:start + 48])
    return paths
