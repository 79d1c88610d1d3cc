"""Few-shot recognition protocol: BiGRU (mmengine Runner), DTW nearest neighbour and baselines per k.

For each feature set, each ``k`` and each trial, the BiGRU config is trained on the fixed few-shot
subset (``annotations/fewshot.json``: k examples per class, trial = subset index) and evaluated on
the full test split; NNS-DTW classifies the same test split against the same subset. mmaction2
baselines (ST-GCN on 2D poses, TSN on clips; :class:`BaselineSubsets`) are trained on the same subsets
and tested on the same test split. ``k='all'`` uses the full training split (one trial) and gives the
full-data table. Results are cached per run (resumable) with a digest of their inputs (config and
data): a result whose features, annotations or config changed since is computed again. The trainings
can be spread over worker processes (``workers``, :class:`~vpd_mm.downstream.run_pool.RunPool`) with the
same result per run.
"""
import copy
import hashlib
import json
import math
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Optional, Sequence, Union

import numpy as np
from mmengine.config import Config

from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text, content_digest, load_json

from .run_pool import RunPool, raise_failures
from .runner_utils import (_dataset_cfg, build_dataset, dataset_features, dropped_summary, fit_model_to_data,
                           set_epochs, set_feature_dirs, train_and_test)
from .summaries import write_fewshot_outputs

K = Union[int, str]


def nns_classify(train_feats: List[np.ndarray], train_labels: np.ndarray, test_feats: List[np.ndarray]):
    """1-NN DTW classification of ``test_feats`` against the training actions, the published code's rule.

    ``symmetricP2`` over all flip combinations; a test action with no admissible path to any training
    action is searched again with ``symmetric2``, then given the majority class.

    Returns:
        :class:`~vpd_mm.evaluation.functional.knn.KNNResult` (predictions and which rule gave each).
    """
    from vpd_mm.evaluation.functional.knn import dtw_1nn_classify
    return dtw_1nn_classify(test_feats, train_feats, train_labels)


def nns_top1(train_feats: List[np.ndarray], train_labels: np.ndarray, test_feats: List[np.ndarray],
             test_labels: np.ndarray) -> float:
    """Top-1 (%) of 1-NN DTW classification (:func:`nns_classify`)."""
    pred = nns_classify(train_feats, train_labels, test_feats).pred
    return float(100.0 * np.mean(pred == np.asarray(test_labels)))


def common_action_exclusions(cfgs: Dict[str, Config],
                             keys: Sequence[str] = ('train_dataloader', 'val_dataloader', 'test_dataloader')):
    """The actions to leave out of every feature set so that all are scored on the same actions.

    Builds each config's datasets (whole splits, no few-shot subset) and collects the actions each
    left out for lack of feature frames (``on_empty='skip'``).

    Args:
        cfgs: ``{feature set: config pointed at it}``.
        keys: Dataloaders whose datasets are read.

    Returns:
        ``(dropped, skipped)``: the union of the left-out action ids (strings) and
        ``{feature set: its own left-out ids}``.
    """
    from .runner_utils import skipped_actions
    skipped = {}
    for name, cfg in cfgs.items():
        datasets = [
            build_dataset(_dataset_cfg(cfg[key]), pipeline=[], view_mode='stack', fewshot_k=None)
            for key in keys if cfg.get(key, None) is not None
        ]
        skipped[name] = skipped_actions(datasets)
    return set().union(*skipped.values()), skipped


def exclude_actions(cfg: Config, ids: Sequence[str],
                    keys: Sequence[str] = ('train_dataloader', 'val_dataloader', 'test_dataloader')) -> None:
    """Leave the actions ``ids`` out of every dataloader's dataset of ``cfg`` (``exclude_ids``)."""
    for key in keys:
        if cfg.get(key, None) is not None:
            _dataset_cfg(cfg[key])['exclude_ids'] = sorted(map(str, ids))


def _subset_overrides(k: K, trial: int) -> dict:
    return dict(
        fewshot_k=None, fewshot_trial=0) if str(k) == 'all' else dict(
            fewshot_k=int(k), fewshot_trial=trial)


def _subset_key(ids: Sequence) -> str:
    """Digest of a training subset (order-free): runs on equal subsets give equal results."""
    return hashlib.sha1('\n'.join(sorted(map(str, ids))).encode()).hexdigest()[:16]


# dataset fields that select a run's training subset: covered by the subset digest instead
_SUBSET_FIELDS = ('fewshot_k', 'fewshot_trial', 'split', 'ann_file')


def inputs_digest(cfg: Config, data: str) -> str:
    """Digest of what a run's result depends on: ``cfg`` (less its work dir and training subset) and
    the digest of its data files."""
    cfg_dict = copy.deepcopy(cfg.to_dict())
    for key in ('work_dir', 'experiment_name'):
        cfg_dict.pop(key, None)
    if 'train_dataloader' in cfg_dict:
        train = _dataset_cfg(cfg_dict['train_dataloader'])
        for key in _SUBSET_FIELDS:
            train.pop(key, None)
    text = json.dumps(cfg_dict, sort_keys=True, default=str)
    return hashlib.sha1(f'{data}\n{text}'.encode()).hexdigest()[:16]


def data_digest(dataset_cfg: dict, dir_keys: Sequence[str] = ('feature_dirs', ),
                 extra_files: Sequence[Optional[str]] = ()) -> str:
    """Content digest of a dataset config's data: its ``*_file`` entries and the dirs under ``dir_keys``
    (under its ``data_root``, as the datasets resolve them), and ``extra_files`` (given paths)."""
    root = dataset_cfg.get('data_root') or ''
    paths = [v for k, v in sorted(dataset_cfg.items()) if k.endswith('_file') and isinstance(v, str)]
    for key in dir_keys:
        dirs = dataset_cfg.get(key) or []
        paths += [dirs] if isinstance(dirs, str) else list(dirs)
    return content_digest([osp.join(root, p) for p in paths] + [p for p in extra_files if p])


def _finished(out: str, key: str, method: str, digest: str) -> bool:
    """Whether the run file ``out`` holds result ``key`` of ``method`` computed from inputs ``digest``.

    A result from other inputs (features re-extracted, config edited) is stale: it is removed from the
    file, so that a failed recomputation cannot leave it in the tables.
    """
    run = load_json(out) if osp.isfile(out) else {}
    if key not in run:
        return False
    if run.get('inputs', {}).get(method) == digest:
        return True
    for name in (key, f'{key}_metrics'):
        run.pop(name, None)
    run.get('same_as', {}).pop(key, None)
    for name in ('inputs', 'subsets'):
        run.get(name, {}).pop(method, None)
    atomic_write_json(out, run, indent=1)
    return False


def _trials_of(k: K, trials: int) -> int:
    return 1 if str(k) == 'all' else trials


def is_feature_config(cfg: Config) -> bool:
    """Whether ``cfg`` is a feature-sequence (BiGRU) recognition config, not an mmaction2 baseline."""
    return cfg.model.get('type') == 'FeatureSequenceRecognizer'


def baseline_name(config: Union[str, Config]) -> str:
    """Row name of a baseline config in the tables: its file name (``stgcn_synthsport-mini_gt-2d``)."""
    if isinstance(config, str):
        return osp.splitext(osp.basename(config))[0]
    return osp.splitext(osp.basename(config.filename or 'baseline'))[0]


class BaselineSubsets:
    """Few-shot training subsets of an mmaction2 baseline config (ST-GCN on a pose pickle, TSN on a list).

    * Pose pickles (``PoseDataset``, ``ann_file`` ``*.pkl``): subset ``(k, trial)`` is the pickle's split
      key ``train_k{k}_s{trial}`` (SynthSport writes them from ``annotations/fewshot.json``).
    * List files (``VideoDataset``/``RawframeDataset``, ``ann_file`` ``*.txt``): the config names the
      few-shot file (``fewshot_file``, ``{"k": [[element ids] per trial]}``); the subset is the lines of
      the training list whose file stem is one of the ids, written to ``list_dir``.

    ``k='all'`` keeps the config's training split.
    """

    def __init__(self, cfg: Config, list_dir: str):
        self.cfg = copy.deepcopy(cfg)
        self.ds = _dataset_cfg(self.cfg.train_dataloader)
        self.ann_file = str(self.ds.get('ann_file', ''))
        self.list_dir = list_dir
        if self.ann_file.endswith('.pkl') and 'split' in self.ds:
            self.kind = 'pose'
        elif self.ann_file.endswith('.txt'):
            self.kind = 'list'
        else:
            raise ValueError(f'{baseline_name(cfg)}: cannot make few-shot subsets for training data '
                             f'{self.ann_file!r}: expected a pose pickle with a split key or a list file')
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'{baseline_name(cfg)}: training annotations {self.ann_file} not found')

    def _pose_splits(self) -> dict:
        import pickle
        with open(self.ann_file, 'rb') as f:
            data = pickle.load(f)
        return data.get('split', {}) if isinstance(data, dict) else {}

    def _list_lines(self) -> List[str]:
        with open(self.ann_file) as f:
            return [line for line in f.read().splitlines() if line.strip()]

    @staticmethod
    def _stem(line: str) -> str:
        name = line.split()[0]
        return osp.splitext(osp.basename(name))[0]

    def ids(self, k: K, trial: int) -> List[str]:
        """Element ids of the training subset ``(k, trial)``."""
        if self.kind == 'pose':
            splits = self._pose_splits()
            key = self.ds['split'] if str(k) == 'all' else f'{self.ds["split"]}_k{k}_s{trial}'
            if key not in splits:
                raise KeyError(f'{self.ann_file}: no split {key!r} for k={k} trial {trial} '
                               f'(has {sorted(splits)[:8]}...)')
            return [str(i) for i in splits[key]]
        stems = [self._stem(line) for line in self._list_lines()]
        if str(k) == 'all':
            return stems
        fewshot_file = self.cfg.get('fewshot_file', None)
        if not fewshot_file:
            raise ValueError(f'{baseline_name(self.cfg)}: few-shot subsets of a list file need '
                             '`fewshot_file` (annotations/fewshot.json) in the config')
        if not osp.isfile(fewshot_file):
            raise FileNotFoundError(f'{baseline_name(self.cfg)}: few-shot file {fewshot_file} not found')
        subsets = load_json(fewshot_file)
        if str(k) not in subsets or not 0 <= trial < len(subsets[str(k)]):
            raise KeyError(f'{fewshot_file}: no subset for k={k} trial {trial}')
        wanted = [str(i) for i in subsets[str(k)][trial]]
        missing = sorted(set(wanted) - set(stems))
        if missing:
            raise KeyError(f'{fewshot_file}: k={k} trial {trial} names actions {missing[:5]} that have no '
                           f'line in {self.ann_file}')
        return wanted

    def apply(self, cfg: Config, k: K, trial: int) -> None:
        """Point ``cfg``'s training data at the subset ``(k, trial)``."""
        if str(k) == 'all':
            return
        ds = _dataset_cfg(cfg.train_dataloader)
        if self.kind == 'pose':
            self.ids(k, trial)  # checks the split key exists
            ds['split'] = f'{self.ds["split"]}_k{k}_s{trial}'
            return
        wanted = set(self.ids(k, trial))
        lines = [line for line in self._list_lines() if self._stem(line) in wanted]
        path = osp.join(self.list_dir, f'{baseline_name(self.cfg)}_k{k}_t{trial}.txt')
        atomic_write_text(path, '\n'.join(lines) + '\n')
        ds['ann_file'] = path


def _top1(metrics: dict) -> float:
    """The classifier's top-1 (%): mmaction2's ``acc/top1``, else the only ``*top1`` metric."""
    if 'acc/top1' in metrics:
        return 100.0 * metrics['acc/top1']
    top1 = [v for key, v in metrics.items() if key.endswith('top1')]
    if len(top1) != 1:
        raise KeyError(f'test metrics {sorted(metrics)} hold no single top-1 accuracy')
    return 100.0 * top1[0]


def _reuse(cache: Dict[tuple, dict], tag: str, key: str, subset: str, digest: str,
           runs_dir: str) -> Optional[dict]:
    """The run of method ``tag`` trained on an earlier subset equal to ``subset`` (``run['subsets'][tag]``)
    from the same inputs ``digest`` (``run['inputs'][tag]``).

    Returns ``dict(run=name, out=path)`` plus ``value`` (its result ``key``) once known, or ``None``.
    """
    if (tag, subset, digest) in cache:
        return cache[(tag, subset, digest)]
    for f in sorted(os.listdir(runs_dir)) if osp.isdir(runs_dir) else []:
        if f.endswith('.json'):
            run = load_json(osp.join(runs_dir, f))
            if (run.get('subsets', {}).get(tag) == subset and run.get('inputs', {}).get(tag) == digest
                    and key in run and key not in run.get('same_as', {})):
                cache[(tag, subset, digest)] = dict(value=run[key], run=f[:-5], out=osp.join(runs_dir, f))
                return cache[(tag, subset, digest)]
    return None


def update_run_file(out: str, fields: dict) -> None:
    """Merge ``fields`` into the run file ``out`` (``subsets`` / ``inputs`` / ``same_as`` key by key),
    atomically."""
    run = load_json(out) if osp.isfile(out) else {}
    for key, value in fields.items():
        run[key] = dict(run.get(key, {}), **value) if key in ('subsets', 'inputs', 'same_as') else value
    atomic_write_json(out, run, indent=1)


@dataclass
class TrainRun:
    """One few-shot training run: Runner training + test of ``cfg``, top-1 written to ``out[key]``.

    Attributes:
        name: Run name (``<feature set or baseline>_k<k>_t<trial>``), also the Runner's name.
        cfg: The complete config (subset, epochs and model size already applied).
        work_dir: The Runner's work dir.
        out: The run file (``runs/<name>.json``).
        key: Result key in the run file (``bigru`` or the baseline's name); the test metrics go to
            ``<key>_metrics``.
        fields: Further entries of the run file (feature set, k, trial, subset keys).
    """
    name: str
    cfg: Config
    work_dir: str
    out: str
    key: str
    fields: dict = field(default_factory=dict)


def train_run(run: TrainRun) -> float:
    """Train and test ``run`` (in this process), write its run file atomically; return its top-1 (%)."""
    metrics = train_and_test(run.cfg, run.work_dir, name=run.name)
    top1 = _top1(metrics)
    update_run_file(run.out, dict(run.fields, **{run.key: top1, f'{run.key}_metrics': metrics}))
    return top1


class _RunPlan:
    """Dispatches the training runs in protocol order; a run on a training subset equal to an earlier
    run's (this job's or a finished one's) reuses that result instead of training again.

    Args:
        pool: Where the trainings run.
        runs_dir: Folder of the run files (finished runs found there are reused too).
        reuse: Reuse equal subsets at all.
    """

    def __init__(self, pool: RunPool, runs_dir: str, reuse: bool = True):
        self.pool, self.runs_dir, self.reuse = pool, runs_dir, reuse
        self._cache: Dict[tuple, dict] = {}
        self._waiting: List[tuple] = []

    def add(self, run: TrainRun, tag: str, subset: str, digest: str) -> None:
        """Train ``run`` (method ``tag``, training subset digest ``subset``, inputs digest ``digest``) or
        reuse an equal one."""
        earlier = _reuse(self._cache, tag, run.key, subset, digest, self.runs_dir) if self.reuse else None
        if earlier is None:
            self._cache[(tag, subset, digest)] = dict(run=run.name, out=run.out)
            self.pool.submit(run.name, train_run, run)
            return
        if 'value' not in earlier and earlier['run'] in self.pool.results:
            earlier['value'] = self.pool.results[earlier['run']]
        if 'value' in earlier:
            self._write_reused(run, earlier)
        else:  # its source is still training
            self._waiting.append((run, earlier))

    @staticmethod
    def _write_reused(run: TrainRun, earlier: dict) -> None:
        reused = {run.key: earlier['value'], 'same_as': {run.key: earlier['run']}}
        update_run_file(run.out, dict(run.fields, **reused))

    def finish(self) -> Dict[str, str]:
        """Wait for the trainings, write the runs reusing them; return ``{run name: error}`` of failures."""
        results, failures = self.pool.wait()
        for run, earlier in self._waiting:
            if earlier['run'] in failures:
                failures[run.name] = f'reuses the failed run {earlier["run"]}'
                continue
            earlier['value'] = results[earlier['run']]
            self._write_reused(run, earlier)
        self._waiting = []
        return failures


class _Baseline(NamedTuple):
    """A baseline config ready for its few-shot runs."""
    name: str
    base: Config  # epochs applied
    subsets: 'BaselineSubsets'
    digest: str  # inputs digest of every run of it


def _prepare_baseline(config: Union[str, Config], work_dir: str, epochs: Optional[int], name: str) -> _Baseline:
    base = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    if epochs is not None:
        set_epochs(base, epochs)
    subsets = BaselineSubsets(base, osp.join(work_dir, 'lists'))
    # the training annotations (pose pickle or list + few-shot file); the video clips a list names are
    # not hashed
    digest = inputs_digest(base, data_digest(_dataset_cfg(base.train_dataloader), (),
                                               [base.get('fewshot_file', None)]))
    return _Baseline(name, base, subsets, digest)


def _plan_baseline_runs(plan: _RunPlan, baseline: _Baseline, ks: Sequence[K], trials: int,
                        work_dir: str) -> List[str]:
    """Dispatch the unfinished runs of a baseline to ``plan``; return all its run names."""
    name, base, subsets, digest = baseline
    names = []
    for k, trial in [(k, t) for k in ks for t in range(_trials_of(k, trials))]:
        run_name = f'{name}_k{k}_t{trial}'
        names.append(run_name)
        out = osp.join(plan.runs_dir, run_name + '.json')
        if _finished(out, name, name, digest):
            continue
        ids = subsets.ids(k, trial)
        subset = _subset_key(ids)
        cfg = copy.deepcopy(base)
        subsets.apply(cfg, k, trial)
        fields = dict(
            feature_set=name, k=str(k), trial=trial, num_train=len(ids), subsets={name: subset},
            inputs={name: digest})
        run = TrainRun(run_name, cfg, osp.join(work_dir, 'work', run_name), out, name, fields)
        plan.add(run, name, subset, digest)
    return names


def run_baseline_fewshot(config: Union[str, Config],
                         ks: Sequence[K] = (4, 8, 16, 32, 64),
                         trials: int = 5,
                         work_dir: str = 'work_dirs/fewshot',
                         epochs: Optional[int] = None,
                         name: Optional[str] = None,
                         progress: bool = True,
                         reuse_equal_subsets: bool = True,
                         workers: int = 1) -> List[str]:
    """Train and test an mmaction2 baseline config on every few-shot subset; return the run names.

    Writes ``work_dir/runs/<name>_k<k>_t<trial>.json`` with the test top-1 (%) under the key ``name``.
    A subset equal to one already run (same element ids; on small data the subsets of large k are
    the whole training split) reuses that result (``same_as``) instead of training again. ``workers``
    spreads the trainings over that many processes (:class:`RunPool`).
    """
    name = name or baseline_name(config)
    runs_dir = osp.join(work_dir, 'runs')
    with RunPool(workers, progress, desc=f'few-shot {name}') as pool:
        plan = _RunPlan(pool, runs_dir, reuse_equal_subsets)
        names = _plan_baseline_runs(plan, _prepare_baseline(config, work_dir, epochs, name), ks, trials, work_dir)
        failures = plan.finish()
    raise_failures(failures, 'few-shot runs', runs_dir)
    return names


def run_fewshot(config: Union[str, Config],
                feature_sets: Dict[str, Sequence[str]],
                ks: Sequence[K] = (4, 8, 16, 32, 64),
                trials: int = 5,
                work_dir: str = 'work_dirs/fewshot',
                epochs: Optional[int] = None,
                methods: Sequence[str] = ('bigru', 'nns'),
                progress: bool = True,
                baselines: Optional[Dict[str, Union[str, Config]]] = None,
                baseline_ks: Optional[Sequence[K]] = None,
                baseline_epochs: Optional[int] = None,
                reuse_equal_subsets: bool = True,
                workers: int = 1,
                max_iters: Optional[int] = None) -> dict:
    """Run the protocol; write ``work_dir/runs/*.json`` per run and return the summary dict.

    Args:
        config: BiGRU recognition config (``configs/recognition/*.py``), or ``None`` to run only
            ``baselines``.
        feature_sets: ``{name: [feature dirs]}``; an empty list keeps the config's dirs.
        ks: Shots per class; ``'all'`` for the full training split.
        trials: Subsets per k (the fixed subsets 0..trials-1).
        work_dir: Output folder.
        epochs: Override the config's epoch count.
        methods: Subset of ``('bigru', 'nns')``.
        baselines: ``{row name: mmaction2 config}`` trained on the same subsets (see
            :class:`BaselineSubsets`) and tested on their config's test split.
        baseline_ks: The ks for the baselines (default: ``ks``).
        baseline_epochs: Override the baselines' epoch count.
        reuse_equal_subsets: Reuse the result of a run on an equal training subset (same element
            ids) instead of training again (deterministic training gives the same result).
        workers: Processes for the BiGRU and baseline trainings (``1``: all in this process). Each
            run gives the same result either way; NNS-DTW always runs here, before the trainings.
        max_iters: Cap a BiGRU run at about this many training steps: a large k (many steps an
            epoch) trains fewer epochs, as the paper trains fewer epochs on large sets.

    Raises:
        RuntimeError: Some runs failed (named in the message); the other runs' files are written.
    """
    baselines = dict(baselines or {})
    rows = [f'{fs}/{m}' for fs in feature_sets for m in methods] if config is not None else []
    runs_dir = osp.join(work_dir, 'runs')
    # before any training: a baseline without its data fails at once, not after the feature runs
    prepared = [_prepare_baseline(cfg, work_dir, baseline_epochs, name) for name, cfg in baselines.items()]
    dropped = None
    with RunPool(workers, progress, desc='few-shot trainings') as pool:
        plan = _RunPlan(pool, runs_dir, reuse_equal_subsets)
        if config is not None:
            dropped = _run_feature_fewshot(plan, config, feature_sets, ks, trials, work_dir, epochs, methods,
                                           progress, max_iters)
        # k-major as the feature sets: a run cut short still compares every baseline at the small ks
        for k in ks if baseline_ks is None else baseline_ks:
            for baseline in prepared:
                _plan_baseline_runs(plan, baseline, [k], trials, work_dir)
        rows += list(baselines)
        failures = plan.finish()
    raise_failures(failures, 'few-shot runs', runs_dir)
    all_ks = list(ks) + [k for k in (baseline_ks or []) if str(k) not in map(str, ks)]
    summary = summarize_fewshot(work_dir, rows, all_ks, trials)
    if dropped is not None:
        summary['dropped_actions'] = dropped
    write_fewshot_outputs(summary, work_dir)
    return summary


class _FeatureSet(NamedTuple):
    """A feature set ready for its few-shot runs."""
    cfg: Config  # the protocol's config pointed at the feature set
    data: str  # content digest of its feature files and annotations


class _FeatureRun(NamedTuple):
    """One feature set's run ``(k, trial)``."""
    cfg: Config  # subset, model size (and epochs, when capped) applied
    train_set: object  # the training subset, views stacked
    subset: str  # digest of the training subset's element ids


def _prepare_feature_set(base: Config, dirs: Sequence[str]) -> _FeatureSet:
    cfg = copy.deepcopy(base)
    if dirs:
        set_feature_dirs(cfg, dirs)
    return _FeatureSet(cfg, data_digest(_dataset_cfg(cfg.train_dataloader)))


def _feature_run(feature_set: _FeatureSet, k: K, trial: int, max_iters: Optional[int] = None) -> _FeatureRun:
    """Build the run ``(k, trial)`` of a feature set (reads its training features)."""
    cfg = copy.deepcopy(feature_set.cfg)
    train_cfg = _dataset_cfg(cfg.train_dataloader)
    train_cfg.update(_subset_overrides(k, trial))
    train_set = build_dataset(train_cfg, pipeline=[], view_mode='stack')
    fit_model_to_data(cfg, train_set)
    if max_iters:
        cap_epochs(cfg, train_set, max_iters)
    ids = [train_set.get_data_info(i)['element_id'] for i in range(len(train_set))]
    return _FeatureRun(cfg, train_set, _subset_key(ids))


def cap_epochs(cfg: Config, train_set, max_iters: int) -> None:
    """Fewer epochs where more than ``max_iters`` training steps would run (large k: many steps an epoch)."""
    loader = cfg.train_dataloader
    views = 1
    if _dataset_cfg(loader).get('view_mode', 'stack') == 'samples' and len(train_set):
        views = int(train_set.get_data_info(0)['features'].shape[1])
    samples = len(train_set) * views
    steps = samples // loader.batch_size if loader.get('drop_last') else math.ceil(samples / loader.batch_size)
    epochs = max(1, math.ceil(max_iters / max(steps, 1)))
    if epochs < cfg.train_cfg.max_epochs:
        set_epochs(cfg, epochs)


def _run_feature_fewshot(plan: _RunPlan, config, feature_sets, ks, trials, work_dir, epochs, methods,
                         progress, max_iters=None) -> dict:
    """NNS-DTW over every run here, then dispatch the unfinished BiGRU trainings to ``plan``.

    Every feature set is trained and tested on the same actions: the actions any of them lacks
    features for are left out of all (:func:`common_action_exclusions`).

    Returns:
        ``{'count', 'ids', 'by_feature_set'}`` of the actions left out of every feature set.
    """
    base = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    if epochs is not None:
        set_epochs(base, epochs)
    # k-major, feature sets innermost: a run cut short still compares every feature set at the small ks;
    # the cheap NNS pass over every run comes before the BiGRU trainings.
    runs = [(fs, k, t) for k in ks for t in range(_trials_of(k, trials)) for fs in feature_sets]
    prepared = {fs: _prepare_feature_set(base, dirs) for fs, dirs in feature_sets.items()}
    dropped, skipped = common_action_exclusions({fs: p.cfg for fs, p in prepared.items()})
    if dropped:
        for fs in prepared.values():
            exclude_actions(fs.cfg, dropped)
    if 'nns' in methods:
        _nns_pass(prepared, runs, plan.runs_dir, progress)
    if 'bigru' not in methods:
        return dropped_summary(dropped, skipped)
    for fs, k, trial in runs:
        run_name = f'{fs}_k{k}_t{trial}'
        out = osp.join(plan.runs_dir, run_name + '.json')
        method = f'{fs}/bigru'
        run = _feature_run(prepared[fs], k, trial, max_iters)
        digest = inputs_digest(run.cfg, prepared[fs].data)
        if _finished(out, 'bigru', method, digest):
            continue
        fields = dict(feature_set=fs, k=str(k), trial=trial, num_train=len(run.train_set),
                      subsets={method: run.subset}, inputs={method: digest})
        plan.add(TrainRun(run_name, run.cfg, osp.join(work_dir, 'work', run_name), out, 'bigru', fields), method,
                 run.subset, digest)
    return dropped_summary(dropped, skipped)


def _nns_pass(feature_sets: Dict[str, _FeatureSet], runs: List[tuple], runs_dir: str, progress: bool) -> None:
    """NNS-DTW top-1 of every unfinished run ``(feature set, k, trial)``, written to its run file."""
    test_cache: Dict[str, tuple] = {}
    iterator = runs
    if progress:
        from tqdm import tqdm
        iterator = tqdm(runs, desc='few-shot NNS', unit='run')
    for fs, k, trial in iterator:
        out = osp.join(runs_dir, f'{fs}_k{k}_t{trial}.json')
        method = f'{fs}/nns'
        # NNS depends on the data and the datasets' settings, not on the training schedule
        feature_set = feature_sets[fs]
        digest = inputs_digest(Config(dict(test_dataloader=feature_set.cfg.test_dataloader)), feature_set.data)
        if _finished(out, 'nns', method, digest):
            continue
        run = _feature_run(feature_set, k, trial)
        if fs not in test_cache:
            test_cache[fs] = dataset_features(
                build_dataset(_dataset_cfg(run.cfg.test_dataloader), pipeline=[], view_mode='stack'))
        tr_x, tr_y = dataset_features(run.train_set)
        te_x, te_y = test_cache[fs]
        knn = nns_classify(tr_x, tr_y, te_x)
        counts = knn.counts()
        fields = dict(feature_set=fs, k=str(k), trial=trial, num_train=len(run.train_set))
        update_run_file(
            out, dict(fields, subsets={method: run.subset}, inputs={method: digest},
                      nns=float(100.0 * np.mean(knn.pred == np.asarray(te_y))),
                      nns_fallbacks=dict(symmetric2=counts['fallback'], majority=counts['majority'])))


def summarize_fewshot(work_dir: str, rows: Sequence[str], ks: Sequence[K], trials: int) -> dict:
    """Mean/std top-1 per (row, k) from the cached run files.

    Args:
        rows: ``'<feature set>/<method>'`` (run files ``<feature set>_k<k>_t<trial>.json``, key
            ``<method>``) or a baseline name (run files ``<name>_k<k>_t<trial>.json``, key ``<name>``).
    """
    table = {}
    for row in rows:
        prefix, _, key = row.rpartition('/') if '/' in row else (row, '', row)
        cells = {}
        for k in ks:
            vals, unique, fallbacks = [], set(), {}
            for t in range(_trials_of(k, trials)):
                name = f'{prefix}_k{k}_t{t}'
                path = osp.join(work_dir, 'runs', name + '.json')
                run = load_json(path) if osp.isfile(path) else {}
                if key in run:
                    vals.append(run[key])
                    unique.add(run.get('same_as', {}).get(key, name))
                    for rule, n in run.get(f'{key}_fallbacks', {}).items():
                        fallbacks[rule] = fallbacks.get(rule, 0) + n
            if vals:
                cells[str(k)] = dict(
                    mean=float(np.mean(vals)),
                    std=float(np.std(vals)),
                    n=len(vals),
                    values=vals,
                    trained=len(unique))
                if fallbacks:
                    cells[str(k)]['fallbacks'] = fallbacks
        table[row] = cells
    return dict(task='fewshot', metric='top-1 (%)', ks=[str(k) for k in ks], trials=trials, results=table)
