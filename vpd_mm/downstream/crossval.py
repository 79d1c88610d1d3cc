"""Recognition cross-validated by video: every labelled action is a test action once.

The labelled videos (training, validation and test splits together) are dealt into ``folds`` folds
(seeded). For fold ``i`` the actions of its videos are the test actions and those of every other video
the training actions, so no model sees a test action's video (its athlete, camera and routine). Per
feature set:

* ``nns``: each test action takes the class of its DTW nearest training action (the paper's rule,
  :func:`~vpd_mm.downstream.fewshot.nns_classify`);
* ``bigru``: the recognition config's BiGRU, trained (mmengine Runner) on the fold's training actions,
  predicts its test actions.

The folds' predictions are pooled, so a number is a share of every labelled action: top-1 with a 95 %
percentile-bootstrap interval (resampling the actions), and for each ``(student, teacher)`` pair the
paired difference in points with its interval and a verdict: the student is better (the interval is
above 0), worse (below 0), or the data cannot tell. With ``reference`` (what a longer run found, e.g.
"students beat their teachers" on SynthSport standard) the summary says whether this run agrees.

``class_groups`` merges classes into coarser ones (e.g. SynthSport's 16 elements into their shapes), so
that a small dataset has enough actions per class. Feature sets are scored on the same actions: an
action some feature set has no frame of is left out of all (listed). Each fold's predictions are cached
with a digest of their inputs (``runs/<feature set>_fold<i>.json``), so a killed run resumes and a
changed input is recomputed. Writes ``crossval.json`` and ``crossval.md``.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.config import Config

from vpd_mm.evaluation.functional.bootstrap import paired_difference, percent_interval
from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text, load_json

from .fewshot import cap_epochs, data_digest, exclude_actions, inputs_digest, nns_classify, update_run_file
from .run_pool import RunPool, raise_failures
from .runner_utils import (_dataset_cfg, build_dataset, build_runner, dropped_summary, fit_model_to_data,
                           set_epochs, set_feature_dirs, skipped_actions)
from .summaries import dropped_note, value_with_interval

METHODS = ('nns', 'bigru')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def deal_folds(videos: Sequence[str], folds: int, seed: int = 0) -> List[List[str]]:
    """Deal the videos into ``folds`` folds of near-equal size (seeded shuffle, then round robin).

    Raises:
        ValueError: Fewer than 2 folds, or more folds than videos.
    """
    videos = sorted(set(map(str, videos)))
    if not 2 <= folds <= len(videos):
        raise ValueError(f'cross-validation needs 2 <= folds <= videos ({len(videos)}), got folds={folds}')
    order = np.random.default_rng([seed, 7]).permutation(len(videos))
    return [sorted(videos[j] for j in order[i::folds]) for i in range(folds)]


def fold_training_videos(fold_videos: Sequence[Sequence[str]], fold: int) -> List[str]:
    """The videos fold ``fold``'s model trains on: those of every other fold."""
    return [v for j, videos in enumerate(fold_videos) if j != fold for v in videos]


def group_annotations(ann_file: str, classes: Sequence[str], groups: Dict[str, Sequence[str]],
                      out: str) -> List[str]:
    """Write ``ann_file``'s actions to ``out`` with each class replaced by its group.

    Args:
        ann_file: Actions JSON (``[{"id", "video", "label", ...}]``, labels index ``classes``).
        classes: The dataset's class names.
        groups: ``{group name: [class names]}``; every class in exactly one group.
        out: Where the regrouped actions go (atomically).

    Returns:
        The group names (index = new label).

    Raises:
        ValueError: A group names an unknown class, or a class is in no group or in two.
    """
    names = list(groups)
    group_of: Dict[str, int] = {}
    for g, members in enumerate(groups.values()):
        for name in members:
            if name not in classes:
                raise ValueError(f'class_groups: {names[g]!r} names unknown class {name!r}; '
                                 f'classes: {list(classes)}')
            if name in group_of:
                raise ValueError(
                    f'class_groups: class {name!r} is in {names[group_of[name]]!r} and {names[g]!r}')
            group_of[name] = g
    missing = [c for c in classes if c not in group_of]
    if missing:
        raise ValueError(f'class_groups: classes in no group: {missing}')
    actions = []
    for el in load_json(ann_file):
        name = el['class_name'] if 'class_name' in el else classes[int(el['label'])]
        actions.append(dict(el, label=group_of[name], class_name=names[group_of[name]], fine_class=name))
    atomic_write_json(out, actions, indent=0)
    return names


class _Actions:
    """The actions of one feature set: ids, videos, labels, features (views stacked), in dataset order,
    and ``skipped``: the ids its datasets left out for lack of feature frames."""

    def __init__(self, cfg: Config):
        self.ids, self.videos, self.labels, self.feats = [], [], [], []
        seen, datasets = set(), []
        for key in LOADERS:
            if cfg.get(key, None) is None:
                continue
            dataset = build_dataset(_dataset_cfg(cfg[key]), pipeline=[], view_mode='stack', fewshot_k=None)
            datasets.append(dataset)
            self.classes = list(dataset.metainfo['classes'])
            for i in range(len(dataset)):
                info = dataset.get_data_info(i)
                if str(info['element_id']) in seen:
                    continue
                seen.add(str(info['element_id']))
                self.ids.append(str(info['element_id']))
                self.videos.append(str(info['video']))
                self.labels.append(int(info['label']))
                self.feats.append(np.asarray(info['features'], np.float32))
        self.labels = np.asarray(self.labels, np.int64)
        self.skipped = skipped_actions(datasets)

    def drop(self, ids: set) -> None:
        """Leave out the actions ``ids`` (those another feature set has no frame of)."""
        keep = [i for i, a in enumerate(self.ids) if a not in ids]
        self.ids, self.videos = [self.ids[i] for i in keep], [self.videos[i] for i in keep]
        self.feats, self.labels = [self.feats[i] for i in keep], self.labels[keep]

    def where(self, videos: Sequence[str]) -> np.ndarray:
        """Indices of the actions in ``videos``."""
        videos = set(videos)
        return np.asarray([i for i, v in enumerate(self.videos) if v in videos], np.int64)


def _fold_config(base: Config, split_file: str, epochs: Optional[int]) -> Config:
    """``base`` trained on the fold's ``train`` videos and tested on its ``test`` videos, no validation."""
    cfg = copy.deepcopy(base)
    for key, split in (('train_dataloader', 'train'), ('test_dataloader', 'test')):
        _dataset_cfg(cfg[key]).update(split_file=split_file, split=split, fewshot_k=None)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    for key in ('val_begin', 'val_interval'):
        cfg.train_cfg.pop(key, None)
    if epochs is not None:
        set_epochs(cfg, epochs)
        cfg.train_cfg.pop('val_interval', None)
    return cfg


def predict_labels(model, dataset, batch_size: int = 32) -> List[int]:
    """Top-1 class of every sample of ``dataset`` (its pipeline packs) by an mmaction2 recognizer."""
    import torch
    from mmengine.dataset import pseudo_collate
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(dataset), batch_size):
            batch = pseudo_collate([dataset[i] for i in range(start, min(start + batch_size, len(dataset)))])
            out += [int(sample.pred_score.argmax()) for sample in model.test_step(batch)]
    return out


def train_fold(cfg: Config, work_dir: str, name: str, out: str, fields: dict) -> str:
    """Train the fold's BiGRU, predict its test actions, write ``out`` (``bigru`` ids / pred) atomically.

    A top-level function of picklable arguments, so that folds can run in :class:`RunPool` workers.
    """
    test_set = build_dataset(_dataset_cfg(cfg.test_dataloader))  # bad test data fails before training
    runner = build_runner(copy.deepcopy(cfg), work_dir, name)
    model = runner.train()
    pred = predict_labels(model, test_set)
    ids = [str(test_set.get_data_info(i)['element_id']) for i in range(len(test_set))]
    update_run_file(out, dict(fields, bigru=dict(ids=ids, pred=pred, digest=fields['bigru_digest'])))
    return out


def _cached(out: str, method: str, digest: str) -> Optional[dict]:
    run = load_json(out) if osp.isfile(out) else {}
    entry = run.get(method)
    return entry if isinstance(entry, dict) and entry.get('digest') == digest else None


def run_crossval(config: Union[str, Config],
                 feature_sets: Dict[str, Sequence[str]],
                 work_dir: str = 'work_dirs/crossval',
                 folds: int = 4,
                 methods: Sequence[str] = METHODS,
                 epochs: Optional[int] = None,
                 max_iters: Optional[int] = None,
                 class_groups: Optional[Dict[str, Sequence[str]]] = None,
                 pairs: Sequence[Tuple[str, str]] = (),
                 reference: Optional[str] = None,
                 bootstrap: int = 2000,
                 seed: int = 0,
                 workers: int = 1,
                 progress: bool = True) -> dict:
    """Cross-validate ``methods`` on every feature set; write ``crossval.json`` / ``.md``; return the summary.

    Args:
        config: BiGRU recognition config (``configs/recognition/``) whose datasets define the actions.
        feature_sets: ``{name: feature dirs}`` (empty: the config's own).
        work_dir: Output folder (``runs/`` caches the folds' predictions).
        folds: Folds of videos (the number of videos: leave one video out).
        methods: Subset of :data:`METHODS`.
        epochs: Override the BiGRU's epochs.
        max_iters: Cap a BiGRU training at about this many steps (fewer epochs).
        class_groups: ``{group: [class names]}`` to score coarser classes.
        pairs: ``(student, teacher)`` feature-set pairs whose paired difference is reported.
        reference: What a longer run found for the pairs (``'student'``: students beat their teachers,
            ``'teacher'``), with where it is documented after a colon, e.g.
            ``'student: SynthSport standard, docs/results.md'``.
        bootstrap: Bootstrap resamples of the intervals.
        seed: Seed of the folds and of the bootstrap.
        workers: BiGRU trainings at a time (single-threaded processes; ``1``: in this process).
        progress: Show progress bars.

    Raises:
        ValueError: Unknown method or pair member, bad ``folds`` or ``class_groups``.
        RuntimeError: Some trainings failed (named); the finished folds stay cached.
    """
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f'unknown method(s) {unknown}; expected some of {METHODS}')
    for pair in pairs:
        missing = [n for n in pair if n not in feature_sets]
        if missing:
            raise ValueError(f'pair {pair}: no feature set {missing}; feature sets: {sorted(feature_sets)}')
    base = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    cfgs = {}
    for name, dirs in feature_sets.items():
        cfgs[name] = copy.deepcopy(base)
        if dirs:
            set_feature_dirs(cfgs[name], dirs)
    if class_groups:
        first = _dataset_cfg(next(iter(cfgs.values())).test_dataloader)
        ann = osp.join(first.get('data_root') or '', first['ann_file'])
        classes = list(build_dataset(first, pipeline=[], view_mode='stack').metainfo['classes'])
        grouped = osp.join(osp.abspath(work_dir), 'annotations_grouped.json')
        names = group_annotations(ann, classes, class_groups, grouped)
        for cfg in cfgs.values():
            for key in LOADERS:
                if cfg.get(key, None) is not None:
                    _dataset_cfg(cfg[key]).update(ann_file=grouped, classes=names)
    # every feature set is scored on the actions all of them have (one read of each feature set)
    actions = {name: _Actions(cfg) for name, cfg in cfgs.items()}
    skipped = {name: acts.skipped for name, acts in actions.items()}
    dropped = set().union(*skipped.values())
    for name, acts in actions.items():
        acts.drop(dropped)
        exclude_actions(cfgs[name], dropped)  # for the BiGRU trainings' datasets
    first = next(iter(actions.values()))
    for name, acts in actions.items():
        if acts.ids != first.ids:
            raise ValueError(f'feature set {name!r} reads other actions than {next(iter(actions))!r}')
    fold_videos = deal_folds(first.videos, folds, seed)
    split_files = []
    for i, videos in enumerate(fold_videos):
        path = osp.join(osp.abspath(work_dir), 'folds', f'fold{i}.json')
        split = dict(train=fold_training_videos(fold_videos, i), test=videos)
        if not (osp.isfile(path) and load_json(path) == split):
            atomic_write_json(path, split, indent=1)
        split_files.append(path)

    runs_dir = osp.join(work_dir, 'runs')
    if 'nns' in methods:
        _nns_folds(actions, fold_videos, runs_dir, cfgs, progress)
    if 'bigru' in methods:
        with RunPool(workers, progress, desc='cross-validation trainings') as pool:
            for name, cfg in cfgs.items():
                for i, split_file in enumerate(split_files):
                    _submit_bigru(pool, name, i, _fold_config(cfg, split_file, epochs), max_iters, work_dir)
            _, failures = pool.wait()
        raise_failures(failures, 'cross-validation trainings', runs_dir)
    summary = summarize_crossval(actions, fold_videos, runs_dir, methods, pairs, reference, bootstrap, seed)
    summary.update(dropped_actions=dropped_summary(dropped, skipped), class_groups=dict(class_groups or {}))
    atomic_write_json(osp.join(work_dir, 'crossval.json'), summary, indent=1)
    atomic_write_text(osp.join(work_dir, 'crossval.md'),
                      '# Cross-validated recognition, top-1 (%)\n\n' + crossval_markdown(summary))
    return summary


def _nns_folds(actions: Dict[str, _Actions], fold_videos: List[List[str]], runs_dir: str,
               cfgs: Dict[str, Config], progress: bool) -> None:
    """NNS-DTW predictions of every fold's test actions, cached per fold (digest: data + fold)."""
    jobs = [(name, i) for name in actions for i in range(len(fold_videos))]
    if progress:
        from tqdm import tqdm
        jobs = tqdm(jobs, desc='cross-validation NNS', unit='fold')
    for name, i in jobs:
        acts, out = actions[name], osp.join(runs_dir, f'{name}_fold{i}.json')
        test = acts.where(fold_videos[i])
        train = np.setdiff1d(np.arange(len(acts.ids)), test)
        data = data_digest(_dataset_cfg(cfgs[name].test_dataloader))
        digest = inputs_digest(Config(dict(test_dataloader=cfgs[name].test_dataloader,
                                           fold=fold_videos[i])), data)
        if _cached(out, 'nns', digest):
            continue
        knn = nns_classify([acts.feats[j] for j in train], acts.labels[train], [acts.feats[j] for j in test])
        entry = dict(ids=[acts.ids[j] for j in test], pred=knn.pred.tolist(), digest=digest,
                     fallbacks=knn.counts())
        update_run_file(out, dict(nns=entry))


def _submit_bigru(pool: RunPool, name: str, fold: int, cfg: Config, max_iters: Optional[int],
                  work_dir: str) -> None:
    train_set = build_dataset(_dataset_cfg(cfg.train_dataloader), pipeline=[], view_mode='stack')
    fit_model_to_data(cfg, train_set)
    if max_iters:
        cap_epochs(cfg, train_set, max_iters)
    digest = inputs_digest(cfg, data_digest(_dataset_cfg(cfg.train_dataloader)))
    out = osp.join(work_dir, 'runs', f'{name}_fold{fold}.json')
    if _cached(out, 'bigru', digest):
        return
    run_name = f'{name}_fold{fold}'
    pool.submit(run_name, train_fold, cfg, osp.join(work_dir, 'work', run_name), run_name, out,
                dict(feature_set=name, fold=fold, num_train=len(train_set), bigru_digest=digest))


def _verdict(diff: dict) -> str:
    lo, hi = diff['ci']
    return 'student' if lo > 0 else 'teacher' if hi < 0 else 'unresolved'


def summarize_crossval(actions: Dict[str, _Actions], fold_videos: List[List[str]], runs_dir: str,
                       methods: Sequence[str], pairs: Sequence[Tuple[str, str]], reference: Optional[str],
                       bootstrap: int, seed: int) -> dict:
    """Pool the folds' cached predictions into top-1 intervals and paired differences per method."""
    correct: Dict[Tuple[str, str], np.ndarray] = {}
    results: Dict[str, dict] = {}
    for name, acts in actions.items():
        label = dict(zip(acts.ids, acts.labels.tolist()))
        results[name] = {}
        for method in methods:
            hits = {}
            for i in range(len(fold_videos)):
                entry = load_json(osp.join(runs_dir, f'{name}_fold{i}.json')).get(method, {})
                predicted = zip(entry.get('ids', []), entry.get('pred', []))
                hits.update({a: int(p == label[a]) for a, p in predicted})
            if sorted(hits) != sorted(acts.ids):
                raise RuntimeError(
                    f'{runs_dir}: {name}/{method} predicted {len(hits)} of {len(acts.ids)} actions')
            correct[(name, method)] = np.asarray([hits[a] for a in acts.ids], np.float64)
            results[name][method] = percent_interval(correct[(name, method)], bootstrap, seed)
    comparisons = []
    for student, teacher in pairs:
        for method in methods:
            diff = paired_difference(correct[(student, method)], correct[(teacher, method)], bootstrap, seed)
            comparisons.append(
                dict(student=student, teacher=teacher, method=method, verdict=_verdict(diff), **diff))
    first = next(iter(actions.values()))
    return dict(task='crossval', metric='top-1 (%)', folds=[list(f) for f in fold_videos],
                num_actions=len(first.ids), num_videos=sum(map(len, fold_videos)), classes=first.classes,
                methods=list(methods), results=results, comparisons=comparisons, reference=reference)


def agreement_sentence(summary: dict) -> str:
    """One sentence: does this run's student-vs-teacher outcome agree with ``summary['reference']``?"""
    comps = summary.get('comparisons') or []
    if not comps:
        return ''
    winner, _, where = (summary.get('reference') or '').partition(':')
    won = [c for c in comps if c['verdict'] == 'student']
    lost = [c for c in comps if c['verdict'] == 'teacher']
    told = (f"students better in {len(won)}, teachers better in {len(lost)} and no clear difference in "
            f"{len(comps) - len(won) - len(lost)} of the {len(comps)} comparisons")
    if winner.strip() not in ('student', 'teacher'):
        return f'Here: {told}.'
    ref = f"the reference run ({where.strip() or 'see the docs'}), where the {winner.strip()}s win"
    agree = won if winner.strip() == 'student' else lost
    against = lost if winner.strip() == 'student' else won
    if against:
        return f'Disagrees with {ref}: {told}.'
    if len(agree) == len(comps):
        return f'Agrees with {ref}: {told}.'
    if agree:
        return f'Agrees in part with {ref}, and contradicts it nowhere: {told}.'
    return f'Cannot confirm {ref}: {told}; every interval includes 0.'


def crossval_markdown(summary: dict) -> str:
    """Table of top-1 [95 % interval] per feature set and method, the paired differences and the verdict."""
    methods = summary['methods']
    lines = ['| features | ' + ' | '.join(methods) + ' |', '|---|' + '---|' * len(methods)]
    for name, row in summary['results'].items():
        cells = [value_with_interval(row[m]['value'], row[m]['ci']) if m in row else '-' for m in methods]
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    text = '\n'.join(lines) + '\n'
    text += (f"\n{len(summary['folds'])}-fold cross-validation by video: each of the "
             f"{summary['num_actions']} actions of {summary['num_videos']} videos is tested once, by a "
             f"model that never saw its video; {len(summary['classes'])} classes. One action = "
             f"{100.0 / max(summary['num_actions'], 1):.1f} points. [95 % bootstrap interval over the "
             'actions].\n')
    if summary.get('class_groups'):
        groups = summary['class_groups'].items()
        text += '\nClasses: ' + '; '.join(f'{g} = {", ".join(m)}' for g, m in groups) + '.\n'
    if summary.get('comparisons'):
        text += '\n| student - teacher | method | difference (points) [95 %] | better |\n|---|---|---|---|\n'
        for c in summary['comparisons']:
            text += (f"| {c['student']} - {c['teacher']} | {c['method']} | {c['value']:+.1f} "
                     f"[{c['ci'][0]:+.1f}, {c['ci'][1]:+.1f}] | {c['verdict']} |\n")
        text += '\n' + agreement_sentence(summary) + '\n'
    return text + dropped_note(summary.get('dropped_actions'))
