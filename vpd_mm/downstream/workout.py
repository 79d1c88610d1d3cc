"""The workout evaluation: recognition, retrieval, few-shot and repetition counting per feature set.

The data root is written by :func:`vpd_mm.datasets.workout_videos.write_workout_root` (``tools/
prepare_workout.py``). For every feature set (teacher or student features, VPD embedding pickles):

* **NNS / retrieval** (leave-one-out): each clip's first ``max_frames`` frames are compared with every
  other clip's by DTW (all flip combinations, ``step_pattern``); NNS top-1 = the share of clips whose
  nearest other clip has their class, P@k = the share of a clip's k nearest with its class. 95 %
  percentile-bootstrap intervals over the clips.
* **Few-shot** (``annotations/fewshot.json``, k clips per class, 5 seeded subsets; test = the other
  clips): 1-NN DTW (``fewshot``) and the BiGRU recognizer (``fewshot_bigru``; mmengine Runner,
  ``configs/recognition/bigru_workout.py``), mean ± std over the subsets.
* **Repetition counting** on the whole of every clip with markers: without training (periodicity,
  :func:`~vpd_mm.downstream.repetitions.count_by_periodicity`) and by per-frame BiGRU boundary spotting
  cross-validated over clips (:func:`~vpd_mm.downstream.repetitions.plan_spotting`): mean absolute
  count error, off-by-one accuracy (bootstrap intervals) and event AP at the stated frame tolerances.

Only the frames every feature set has are compared (students cover their teacher's frames; the teacher
misses the frames where no athlete was found), so that all rows see the same data; a clip without any
such frame is left out of every row and listed. Writes ``work_dir/workout.json`` (``task='workout'``)
and ``workout.md``.
"""
import copy
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.config import Config

from vpd_mm.evaluation.functional.bootstrap import percent_interval
from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text, load_json

from .repetitions import (count_by_periodicity, counting_summary, plan_spotting,
                          spotting_predictions, submit_spotting)
from .run_pool import RunPool, raise_failures

TASKS = ('nns', 'fewshot', 'fewshot_bigru', 'count', 'spot')


def _frames_of(feature_dirs: Sequence[str], vid: str) -> Optional[np.ndarray]:
    from vpd_mm.datasets.feature_sequence_dataset import find_feature_file
    from vpd_mm.utils.vpd_files import embeddings_to_array, load_embeddings
    frames = None
    for d in feature_dirs:
        try:
            path = find_feature_file(d, vid)
        except FileNotFoundError:
            return None
        f, _ = embeddings_to_array(load_embeddings(path))
        frames = f if frames is None else np.intersect1d(frames, f)
    return frames


def common_frames(feature_sets: Dict[str, Sequence[str]], clips: Sequence[str]) -> Dict[str, np.ndarray]:
    """``{clip: frame numbers that every feature set has}`` (clips that some set lacks are left out)."""
    out = {}
    for vid in clips:
        frames = None
        for dirs in feature_sets.values():
            f = _frames_of(dirs, vid)
            if f is None:
                frames = None
                break
            frames = f if frames is None else np.intersect1d(frames, f)
        if frames is not None and len(frames):
            out[vid] = frames
    return out


def evaluation_actions(actions: List[dict], frames: Dict[str, np.ndarray]) -> Tuple[List[dict], List[str]]:
    """The clips' actions restricted to the frames all feature sets have: ``(actions, left-out clip ids)``.

    An action keeps its ``start`` and ends at ``min(end, last common frame + 1)``; a clip without a
    common frame in ``[start, end)`` is left out.
    """
    kept, left_out = [], []
    for a in actions:
        f = frames.get(a['video'])
        inside = f[(f >= a['start']) & (f < a['end'])] if f is not None else []
        if not len(inside):
            left_out.append(a['id'])
            continue
        kept.append(dict(a, start=int(inside[0]), end=int(inside[-1]) + 1))
    return kept, left_out


def _interval(values: np.ndarray, bootstrap: int, seed: int) -> dict:
    out = percent_interval(values, bootstrap, seed)
    return dict(value=out['value'], ci=out['ci'])


def loo_scores(cost: np.ndarray,
               labels: np.ndarray,
               ks: Sequence[int] = (1, 5),
               bootstrap: int = 1000,
               seed: int = 0) -> dict:
    """Leave-one-out 1-NN top-1 and retrieval P@k (%) from a square cost matrix, with bootstrap intervals."""
    from vpd_mm.evaluation.functional import nn_from_cost_matrix, rank_refs
    labels = np.asarray(labels)
    pred, _ = nn_from_cost_matrix(cost, labels, exclude_self=True)
    out = dict(nns=_interval(pred == labels, bootstrap, seed))
    hits = labels[rank_refs(cost, exclude_self=True)] == labels[:, None]
    for k in ks:
        out[f'P@{k}'] = _interval(hits[:, :min(k, hits.shape[1])].mean(axis=1), bootstrap, seed)
    per_class = {}
    for c in np.unique(labels):
        per_class[int(c)] = 100.0 * float(np.mean(pred[labels == c] == c))
    out['per_class_nns'] = per_class
    return out


def fewshot_nns(cost: np.ndarray, labels: np.ndarray, ids: Sequence[str], subsets: Dict[str, List[List[str]]],
                splits: Dict[str, List[str]]) -> Dict[str, dict]:
    """Few-shot 1-NN top-1 (%) per k over the subsets, from the all-pairs cost matrix."""
    index = {vid: i for i, vid in enumerate(ids)}
    out = {}
    for k, trials in subsets.items():
        values = []
        for t, train in enumerate(trials):
            tr = [index[v] for v in train if v in index]
            te = [index[v] for v in splits[f'test_k{k}_t{t}'] if v in index]
            if not tr or not te:
                continue
            pred = labels[np.asarray(tr)[np.argmin(cost[np.ix_(te, tr)], axis=1)]]
            values.append(100.0 * float(np.mean(pred == labels[te])))
        out[k] = _spread(values)
    return out


def _spread(values: Sequence[float]) -> dict:
    return dict(
        mean=float(np.mean(values)) if values else float('nan'),
        std=float(np.std(values)) if values else float('nan'),
        values=[float(v) for v in values])


def _bigru_runs(base: Config, name: str, dirs: Sequence[str], actions_file: str, fewshot_file: str, root: str,
                subsets: Dict[str, list], work_dir: str) -> list:
    """``(run name, cfg, run file)`` of the feature set's few-shot BiGRU runs not finished yet."""
    from .fewshot import TrainRun
    from .runner_utils import build_dataset, fit_model_to_data
    runs = []
    for k, trials in subsets.items():
        for t in range(len(trials)):
            run_name = f'{name}_k{k}_t{t}'
            out = osp.join(work_dir, 'fewshot_runs', run_name + '.json')
            if osp.isfile(out) and 'bigru' in load_json(out):
                continue
            cfg = copy.deepcopy(base)
            common = dict(
                ann_file=actions_file,
                feature_dirs=list(dirs),
                data_root=None,
                dataset_info_file=osp.join(root, 'dataset.json'),
                on_empty='skip')
            cfg.train_dataloader.dataset.update(
                common,
                split_file=None,
                split=None,
                fewshot_file=fewshot_file,
                fewshot_k=int(k),
                fewshot_trial=t)
            cfg.test_dataloader.dataset.update(
                common, split_file=osp.join(root, 'annotations', 'splits.json'), split=f'test_k{k}_t{t}')
            cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
            cfg.train_cfg.pop('val_begin', None)
            cfg.train_cfg.pop('val_interval', None)
            fit_model_to_data(cfg,
                              build_dataset(cfg.train_dataloader.dataset, pipeline=[], view_mode='stack'))
            runs.append(
                TrainRun(run_name, cfg, osp.join(work_dir, 'fewshot_work', run_name), out, 'bigru',
                         dict(feature_set=name, k=k, trial=t)))
    return runs


def _read_bigru(name: str, subsets: Dict[str, list], work_dir: str) -> Dict[str, dict]:
    out = {}
    for k, trials in subsets.items():
        values = []
        for t in range(len(trials)):
            path = osp.join(work_dir, 'fewshot_runs', f'{name}_k{k}_t{t}.json')
            if osp.isfile(path) and 'bigru' in load_json(path):
                values.append(load_json(path)['bigru'])
        out[k] = _spread(values)
    return out


def run_workout_eval(root: str,
                     feature_sets: Dict[str, Sequence[str]],
                     work_dir: str,
                     tasks: Sequence[str] = TASKS,
                     recognition_config: str = 'configs/recognition/bigru_workout.py',
                     spotting_config: str = 'configs/detection/bigru-spot_workout-reps.py',
                     step_pattern: str = 'symmetric2',
                     retrieval_ks: Sequence[int] = (1, 5),
                     tolerances: Sequence[int] = (5, 10),
                     folds: int = 5,
                     radius: int = 3,
                     min_distance: int = 10,
                     pairs: Optional[Dict[str, str]] = None,
                     workers: int = 1,
                     bootstrap: int = 1000,
                     seed: int = 0,
                     overwrite: bool = False,
                     progress: bool = True) -> dict:
    """Run the workout evaluation; write ``workout.json`` and ``workout.md`` in ``work_dir``.

    Args:
        root: Workout data root (``annotations/``, ``dataset.json``).
        feature_sets: ``{name: [feature folders]}`` (several folders are concatenated).
        work_dir: Output folder; finished BiGRU runs and spotting folds there are reused (resume).
        tasks: Subset of :data:`TASKS`.
        recognition_config: BiGRU recognizer config for the few-shot runs.
        spotting_config: Per-frame BiGRU detector config for the boundary spotting.
        step_pattern: DTW step pattern (``symmetric2`` or ``symmetricP2``).
        retrieval_ks: Retrieval cut-offs.
        tolerances: Event AP frame tolerances.
        folds: Cross-validation folds of the boundary spotting.
        radius: Positive frames on each side of a marker (spotting targets).
        min_distance: Fewest frames between two spotted events.
        pairs: ``{student: teacher}`` rows compared in the summary table.
        workers: Trainings (BiGRU few-shot runs, spotting folds) at a time, one process each.
        overwrite: Drop the finished runs of an earlier call first.

    Returns:
        The summary written to ``workout.json``.
    """
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        raise ValueError(f'unknown tasks {unknown}; expected some of {TASKS}')
    if overwrite and osp.isdir(work_dir):
        for sub in ('fewshot_runs', 'fewshot_work', 'spotting'):
            shutil.rmtree(osp.join(work_dir, sub), ignore_errors=True)
    os.makedirs(work_dir, exist_ok=True)
    ann = osp.join(root, 'annotations')
    info = load_json(osp.join(root, 'dataset.json'))
    actions = load_json(osp.join(ann, 'clips.json'))
    subsets = load_json(osp.join(ann, 'fewshot.json'))
    splits = load_json(osp.join(ann, 'splits.json'))
    reps = load_json(osp.join(ann, 'repetitions.json'))
    frames = common_frames(feature_sets, [a['video'] for a in actions])
    kept, left_out = evaluation_actions(actions, frames)
    actions_file = osp.join(work_dir, 'clips_eval.json')
    atomic_write_json(actions_file, kept, indent=1)
    # the few-shot subsets less the left-out clips (their test sets are cut alike by the actions file)
    ids = {a['id'] for a in kept}
    subsets = {k: [[v for v in s if v in ids] for s in trials] for k, trials in subsets.items()}
    fewshot_file = osp.join(work_dir, 'fewshot_eval.json')
    atomic_write_json(fewshot_file, subsets, indent=1)

    results: Dict[str, dict] = {name: {} for name in feature_sets}
    markers = {c: r['markers'] for c, r in reps.items() if c in frames}
    with RunPool(workers, progress, desc='workout trainings') as pool:
        plans = {}
        for name, dirs in feature_sets.items():
            res = results[name]
            if 'nns' in tasks or 'fewshot' in tasks or 'fewshot_bigru' in tasks:
                feats, labels, ids = _clip_features(actions_file, dirs, root)
                from vpd_mm.evaluation.functional import flip_dtw_cost_matrix
                cost = flip_dtw_cost_matrix(feats, step_pattern=step_pattern, exclude_self=True)
                if 'nns' in tasks:
                    res['loo'] = loo_scores(cost, labels, retrieval_ks, bootstrap, seed)
                if 'fewshot' in tasks:
                    res['fewshot_nns'] = fewshot_nns(cost, labels, ids, subsets, splits)
                if 'fewshot_bigru' in tasks:
                    base = Config.fromfile(recognition_config)
                    for run in _bigru_runs(base, name, dirs, actions_file, fewshot_file, root, subsets,
                                           work_dir):
                        from .fewshot import train_run
                        pool.submit(run.name, train_run, run)
            if 'count' in tasks or 'spot' in tasks:
                whole = {c: _video_features(dirs, c) for c in markers}
                whole = {c: v for c, v in whole.items() if v is not None}
                if 'count' in tasks:
                    preds = {
                        c: count_by_periodicity(f, x, reps[c]['num_frames'], reps[c]['fps'])
                        for c, (f, x) in whole.items()
                    }
                    res['count_periodicity'] = counting_summary(preds, markers, tolerances, bootstrap, seed)
                if 'spot' in tasks:
                    coverage = {c: (int(f[0]), int(f[-1])) for c, (f, _) in whole.items()}
                    dim = int(next(iter(whole.values()))[1].shape[-1])
                    plans[name] = plan_spotting(
                        Config.fromfile(spotting_config), dirs, markers, coverage,
                        osp.join(work_dir, 'spotting', name), dim, folds, radius)
                    submit_spotting(plans[name], pool)
        _, failures = pool.wait()
    raise_failures(failures, 'workout trainings', work_dir)
    for name in feature_sets:
        if 'fewshot_bigru' in tasks:
            results[name]['fewshot_bigru'] = _read_bigru(name, subsets, work_dir)
        if name in plans:
            preds = spotting_predictions(plans[name], min_distance)
            results[name]['count_bigru'] = counting_summary(preds, markers, tolerances, bootstrap, seed)
    summary = dict(
        task='workout',
        root=osp.abspath(root),
        classes=info['classes'],
        num_clips=len(kept),
        left_out=left_out,
        skipped=info.get('skipped', []),
        max_frames=info['protocol']['max_frames'],
        step_pattern=step_pattern,
        fewshot_k=list(subsets),
        trials=max(len(v) for v in subsets.values()),
        counting_clips=len(markers),
        tolerances=list(tolerances),
        spotting=dict(folds=folds, radius=radius, min_distance=min_distance),
        pairs=dict(pairs or {}),
        results=results)
    atomic_write_json(osp.join(work_dir, 'workout.json'), summary, indent=1)
    atomic_write_text(osp.join(work_dir, 'workout.md'), '# Workout videos\n\n' + workout_markdown(summary))
    return summary


def _clip_features(actions_file: str, dirs: Sequence[str],
                   root: str) -> Tuple[List[np.ndarray], np.ndarray, List]:
    from .runner_utils import build_dataset, dataset_actions
    ds = build_dataset(
        dict(
            type='FeatureSequenceDataset',
            ann_file=actions_file,
            feature_dirs=list(dirs),
            dataset_info_file=osp.join(root, 'dataset.json'),
            view_mode='stack',
            on_empty='skip',
            test_mode=True))
    return dataset_actions(ds)


def _video_features(dirs: Sequence[str], vid: str) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    from vpd_mm.datasets.feature_sequence_dataset import load_video_features
    try:
        return load_video_features(dirs, vid)
    except (FileNotFoundError, ValueError):
        return None


def _ci(cell: dict) -> str:
    return f"{cell['value']:.1f} [{cell['ci'][0]:.1f}, {cell['ci'][1]:.1f}]"


def _spread_md(cell: dict) -> str:
    return f"{cell['mean']:.1f} ± {cell['std']:.1f}" if cell['values'] else '-'


def workout_markdown(summary: dict) -> str:
    """Tables of the workout evaluation: recognition / retrieval, few-shot, counting, student vs teacher."""
    res = summary['results']
    lines = []
    loo = {n: r['loo'] for n, r in res.items() if 'loo' in r}
    if loo:
        ks = [k for k in next(iter(loo.values())) if k.startswith('P@')]
        lines += [
            f"Leave-one-out over {summary['num_clips']} clips (first {summary['max_frames']} frames each, "
            f"DTW {summary['step_pattern']} over all flip combinations); 95 % bootstrap intervals over "
            'the clips.',
            '', '| features | NNS top-1 % | ' + ' | '.join(f'{k} %' for k in ks) + ' |',
            '|---|' + '---|' * (len(ks) + 1)
        ]
        for n, r in loo.items():
            lines.append(f'| {n} | {_ci(r["nns"])} | ' + ' | '.join(_ci(r[k]) for k in ks) + ' |')
        lines.append('')
    few = {n: r for n, r in res.items() if 'fewshot_nns' in r}
    if few:
        ks = summary['fewshot_k']
        lines += [
            f"Few-shot top-1 %: k clips per class (at most all but one), {summary['trials']} seeded subsets, "
            'test = the other clips; mean ± std over the subsets.', '',
            '| features / method | ' + ' | '.join(f'k={k}' for k in ks) + ' |', '|---|' + '---|' * len(ks)
        ]
        for n, r in few.items():
            for method in ('nns', 'bigru'):
                cells = r.get(f'fewshot_{method}')
                if cells:
                    lines.append(f'| {n} / {method} | ' + ' | '.join(_spread_md(cells[k]) for k in ks) + ' |')
        lines.append('')
    counts = [(n, m, r[f'count_{m}']) for n, r in res.items() for m in ('periodicity', 'bigru')
              if f'count_{m}' in r]
    if counts:
        tols = summary['tolerances']
        lines += [
            f"Repetition counting on the {summary['counting_clips']} clips with markers (whole clips): "
            'periodicity = no training (autocorrelation period, peaks of the first principal component); '
            f"bigru = per-frame BiGRU boundary spotting, {summary['spotting']['folds']}-fold cross-validated "
            'over clips. MAE = mean |count error|, OBO = share with |error| <= 1 (95 % bootstrap '
            f"intervals); event AP at +-{', +-'.join(map(str, tols))} frames.", '',
            '| features / counter | MAE | OBO % | exact % | ' + ' | '.join(f'AP@{t} %' for t in tols) + ' |',
            '|---|' + '---|' * (3 + len(tols))
        ]
        for n, m, c in counts:
            lines.append(f"| {n} / {m} | {c['mae']:.2f} [{c['mae_ci'][0]:.2f}, {c['mae_ci'][1]:.2f}] | "
                         f"{100 * c['obo']:.1f} [{100 * c['obo_ci'][0]:.1f}, {100 * c['obo_ci'][1]:.1f}] | "
                         f"{100 * c['exact']:.1f} | " + ' | '.join(f"{100 * c[f'ap@{t}']:.1f}"
                                                                   for t in tols) + ' |')
        lines.append('')
    pairs = {s: t for s, t in summary.get('pairs', {}).items() if s in res and t in res}
    if pairs:
        lines += [
            'Student minus teacher (positive = the student is better; for MAE, teacher minus student).', '',
            '| student vs teacher | NNS top-1 | periodicity MAE | BiGRU count MAE |', '|---|---|---|---|'
        ]
        for s, t in pairs.items():
            a, b = res[s], res[t]
            nns = (f"{a['loo']['nns']['value'] - b['loo']['nns']['value']:+.1f}"
                   if 'loo' in a and 'loo' in b else '-')
            mae = [
                f"{b[key]['mae'] - a[key]['mae']:+.2f}" if key in a and key in b else '-'
                for key in ('count_periodicity', 'count_bigru')
            ]
            lines.append(f'| {s} vs {t} | {nns} | {mae[0]} | {mae[1]} |')
        lines.append('')
    if summary.get('left_out'):
        lines.append(f"Left out (no frame with features in every set): {', '.join(summary['left_out'])}.")
    if summary.get('skipped'):
        lines.append('Skipped videos (do not decode): ' +
                     ', '.join(osp.basename(s['path']) for s in summary['skipped']) + '.')
    return '\n'.join(lines).rstrip() + '\n'


def stage_times(stamp_dir: str, extra: Optional[Dict[str, float]] = None) -> dict:
    """The seconds each finished stage of a job took when it last ran (``StageRunner`` stamps), in finishing
    order, plus ``extra`` ``{name: seconds}`` (a stage still running, e.g. the caller): ``task='stages'``."""
    rows = []
    for name in sorted(os.listdir(stamp_dir)) if osp.isdir(stamp_dir) else []:
        if not name.endswith('.json'):
            continue
        stamp = load_json(osp.join(stamp_dir, name))
        if stamp.get('state') == 'done' and 'seconds' in stamp:
            rows.append(
                dict(
                    name=name[:-5],
                    seconds=round(float(stamp['seconds']), 1),
                    finished=stamp.get('finished', '')))
    rows.sort(key=lambda r: r['finished'])
    rows += [dict(name=n, seconds=round(float(v), 1), finished='') for n, v in (extra or {}).items()]
    return dict(task='stages', stages=rows, total_seconds=round(sum(r['seconds'] for r in rows), 1))


def stages_markdown(result: dict) -> str:
    """Table of stage times (seconds and minutes) with their sum."""
    lines = ['| stage | seconds | finished |', '|---|---|---|']
    lines += [f"| {r['name']} | {r['seconds']:.0f} | {r['finished']} |" for r in result['stages']]
    total = result['total_seconds']
    lines.append(f'| total (stages one after another) | {total:.0f} ({total / 60:.1f} min) | |')
    note = ('Stages that do not depend on each other run side by side, so the job takes at most the '
            'total.')
    return '\n'.join(lines) + '\n\n' + note + '\n'
