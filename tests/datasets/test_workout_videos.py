import os
import os.path as osp

import numpy as np
import pytest

from vpd_mm.datasets.workout_videos import (fewshot_subsets, read_marker_file, read_workout_clips,
                                            write_workout_root)
from vpd_mm.utils.fileio import load_json


def _video(path, frames=6, size=(32, 24), fps=25.0):
    import cv2
    os.makedirs(osp.dirname(path), exist_ok=True)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps, size)
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), 20 * i, np.uint8))
    writer.release()


def _markers(path, labels):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write('frame,time,label\n')
        for i, v in enumerate(labels):
            f.write(f'{i},{i / 25},{v}\n')  # labels as written: 0/1 or 0.0/1.0


@pytest.fixture
def workout_root(tmp_path):
    """push-ups: a, b, 'clip (1)' (a name with spaces); squats: s1, s2 (no label file), broken (corrupt)."""
    root = str(tmp_path / 'workout')
    for label, vid in (('push-ups', 'a'), ('push-ups', 'b'), ('push-ups', 'clip (1)'), ('squats', 's1'),
                       ('squats', 's2')):
        _video(osp.join(root, 'videos', label, vid + '.mp4'))
    for label, vid, labels in (('push-ups', 'a', [0.0, 0.0, 1.0, 0.0, 0.0, 1.0]), ('push-ups', 'b', [0] * 6),
                               ('push-ups', 'clip (1)', [1, 0, 0, 0, 0,
                                                         0]), ('squats', 's1', [0, 0, 0, 1, 0, 0])):
        _markers(osp.join(root, 'labels', label, vid + '.csv'), labels)
    with open(osp.join(root, 'videos', 'squats', 'broken.mp4'), 'wb') as f:
        f.write(b'not a video at all' * 10)
    return root


def test_reader_labels_markers_spaces_and_corrupt_clip(workout_root):
    clips, skipped = read_workout_clips(workout_root)
    by_id = {c.vid: c for c in clips}
    assert sorted(by_id) == ['a', 'b', 'clip (1)', 's1', 's2']
    assert [c.label for c in clips] == ['push-ups'] * 3 + ['squats'] * 2  # class = folder
    assert by_id['a'].markers == [2, 5] and by_id['b'].markers == []
    assert by_id['clip (1)'].markers == [0]  # the id keeps its spaces
    assert by_id['clip (1)'].path.endswith('clip (1).mp4')
    assert by_id['s2'].markers is None and by_id['s2'].marker_file is None  # no label file
    assert by_id['a'].num_frames == 6 and by_id['a'].fps == pytest.approx(25.0)
    assert len(skipped) == 1 and skipped[0]['path'].endswith('broken.mp4') and skipped[0]['reason']


def test_bad_marker_file_names_file_and_line(tmp_path):
    path = str(tmp_path / 'm.csv')
    with open(path, 'w') as f:
        f.write('frame,time,label\n0,0.0,0\n1,0.04,2\n')
    with pytest.raises(ValueError, match=r'm\.csv, line 3: label must be 0 or 1'):
        read_marker_file(path)
    with open(path, 'w') as f:
        f.write('frame,time,label\n0,0.0,0\n2,0.08,1\n')
    with pytest.raises(ValueError, match=r'line 3: frame 2 where frame 1 was expected'):
        read_marker_file(path)
    with open(path, 'w') as f:
        f.write('frame,label\n0,0\n')
    with pytest.raises(ValueError, match=r'line 1: expected the header'):
        read_marker_file(path)


def test_fewshot_subsets_keep_a_test_clip_per_class(workout_root):
    clips, _ = read_workout_clips(workout_root)
    subsets = fewshot_subsets(clips, ks=(1, 4), trials=3, seed=0)
    label = {c.vid: c.label for c in clips}
    for trial in subsets['1']:
        assert sorted(label[v] for v in trial) == ['push-ups', 'squats']
    for trial in subsets['4']:  # capped at all but one clip of each class: 2 push-ups, 1 squat
        assert sorted(label[v] for v in trial) == ['push-ups', 'push-ups', 'squats']
    assert fewshot_subsets(clips, (1, 4), 3, 0) == subsets  # seeded
    assert len({tuple(t) for t in subsets['1']}) > 1  # the trials differ


def test_write_workout_root(workout_root, tmp_path):
    out = str(tmp_path / 'root')
    info = write_workout_root(workout_root, out, max_frames=4, ks=(1, 2), trials=2)
    assert info['classes'] == ['push-ups', 'squats'] and info['num_clips'] == 5
    assert info['clips_without_markers'] == ['s2'] and len(info['skipped']) == 1
    link = osp.join(out, 'videos', 'clip (1).mp4')
    assert osp.islink(link) and osp.realpath(link) == osp.realpath(
        osp.join(workout_root, 'videos', 'push-ups', 'clip (1).mp4'))
    clips = load_json(osp.join(out, 'annotations', 'clips.json'))
    assert {c['id']: (c['start'], c['end'], c['label']) for c in clips}['s1'] == (0, 4, 1)
    fewshot = load_json(osp.join(out, 'annotations', 'fewshot.json'))
    splits = load_json(osp.join(out, 'annotations', 'splits.json'))
    for k in ('1', '2'):
        for t, train in enumerate(fewshot[k]):
            test = splits[f'test_k{k}_t{t}']
            assert sorted(train + test) == sorted(splits['all']) and not set(train) & set(test)
    reps = load_json(osp.join(out, 'annotations', 'repetitions.json'))
    assert sorted(reps) == ['a', 'b', 'clip (1)', 's1'] and reps['a']['markers'] == [2, 5]
    # rewriting keeps the links valid and drops a link whose clip is gone
    os.remove(osp.join(workout_root, 'videos', 'squats', 's2.mp4'))
    write_workout_root(workout_root, out, max_frames=4, ks=(1, 2), trials=2)
    assert not osp.lexists(osp.join(out, 'videos', 's2.mp4')) and osp.islink(link)


def test_missing_videos_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='no videos folder'):
        read_workout_clips(str(tmp_path))


def test_shared_workout_set(shared_data):
    """The real set: 40 clips of 4 classes; labels, marker counts and clips without a label file as its
    index.csv lists them; ids with spaces."""
    import csv
    root = osp.join(shared_data, 'workout_videos')
    if not osp.isdir(root):
        pytest.skip(f'{root} not found')
    clips, skipped = read_workout_clips(root)
    assert len(clips) == 40 and not skipped
    with open(osp.join(root, 'index.csv')) as f:
        index = {osp.splitext(osp.basename(r['path']))[0]: r for r in csv.DictReader(f)}
    assert sorted(c.vid for c in clips) == sorted(index)
    for c in clips:
        row = index[c.vid]
        assert c.label == row['label']
        if row['rep_label_csv']:
            assert len(c.markers) == int(row['n_rep_markers']) and c.num_frames == int(row['frames'])
        else:
            assert c.markers is None
    assert any(' ' in c.vid for c in clips)
