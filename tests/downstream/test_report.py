import os.path as osp

import pytest

from vpd_mm.downstream.summaries import write_fewshot_outputs
from vpd_mm.downstream.report import build_report
from vpd_mm.utils.fileio import atomic_write_json


def test_report_collects_tables_and_embeds_plot(tmp_path):
    summary = dict(
        task='fewshot',
        metric='top-1 (%)',
        ks=['4', '8'],
        trials=2,
        results={
            'gt/bigru': {
                '4': dict(mean=50.0, std=5.0, n=2, values=[45, 55]),
                '8': dict(mean=70.0, std=0.0, n=2, values=[70, 70])
            },
            'stgcn': {
                '4': dict(mean=20.0, std=0.0, n=2, values=[20, 20], trained=1)
            }
        })
    summary['ks'].append('all')
    summary['results']['stgcn']['all'] = dict(mean=30.0, std=0.0, n=1, values=[30], trained=1)
    write_fewshot_outputs(summary, str(tmp_path / 'fs'))
    atomic_write_json(
        tmp_path / 'nns' / 'nns.json',
        dict(
            task='nns',
            num_train=80,
            num_test=20,
            results={'gt': {
                'nn_top1': 61.25,
                'P@1': 55.0,
                'P@10': 40.0
            }}))
    atomic_write_json(tmp_path / 'nns' / 'other.json', dict(no_task=1))
    paths = build_report([str(tmp_path / 'fs'), str(tmp_path / 'nns')], str(tmp_path / 'out' / 'report'))
    md = open(paths['markdown']).read()
    assert '| gt/bigru | 50.0 ± 5.0 | 70.0 ± 0.0 |' in md
    assert '| gt | 61.2 |' in md or '| gt | 61.3 |' in md
    assert '](../fs/fewshot.png)' in md
    assert '| stgcn | 20.0 ± 0.0 | - | 30.0 ± 0.0 |' in md and 'reuse that training run' in md
    assert 'each of the 20 test actions takes the class of its nearest of the 80 training' in md
    # the k='all' column also makes the full-data recognition table
    assert '## Recognition, full training data (top-1 %)' in md and '| stgcn | 30.0 |' in md
    page = open(paths['html']).read()
    assert '<td>50.0 ± 5.0</td>' in page and 'data:image/png;base64,' in page
    with pytest.raises(ValueError, match='no result JSON'):
        build_report([str(tmp_path / 'nns' / 'other.json')], str(tmp_path / 'x'))
