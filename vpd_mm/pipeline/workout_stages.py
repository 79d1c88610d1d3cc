"""The main job's stages for labelled workout clips (``configs/pipeline/vpd_workout.py``).

* ``prepare`` (before the teacher): ``tools/prepare_workout.py`` turns the workout folder
  (``cfg.data_root``: ``videos/<class>/*.mp4`` + repetition markers) into the job's data root
  (``prepare.out_root``, default ``WORK_DIR/data``): links to the videos and the evaluation protocol.
* ``workout`` (after the students): ``tools/eval_workout.py``, NNS / retrieval / few-shot / repetition
  counting per feature set, teacher vs student;
* ``report``: one Markdown + HTML report.
"""
import os.path as osp
from typing import Dict, List, Optional

from mmengine.config import Config

from .stage import Stage


def prepare_stage(cfg: Config, env: Dict[str, str]) -> Optional[Stage]:
    """The ``prepare`` stage of a config with ``prepare = dict(...)``, else None.

    Its first output is the data root the later stages use.
    """
    prep = cfg.get('prepare')
    if not prep:
        return None
    source = cfg.data_root
    if not osp.isdir(source):
        raise FileNotFoundError(f'{source}: no such folder (the labelled clips to prepare; set --data-root)')
    root = prep.get('out_root') or osp.join(cfg.work_dir, 'data')
    cmd = [prep.get('tool', 'tools/prepare_workout.py'), source, '-o', root
           ] + [str(a) for a in prep.get('args', [])]
    return Stage(
        'prepare',
        cmd,
        inputs=[source],
        outputs=[root, osp.join(root, 'videos'),
                 osp.join(root, 'dataset.json')],
        env=env)


def workout_stages(cfg: Config, root: str, feature_dirs: Dict[str, str], env: Dict[str, str]) -> List[Stage]:
    """The evaluation and report stages of ``cfg.workout`` on the data root ``root``.

    Args:
        cfg: The pipeline config (``workout = dict(features=[...], pairs={student: teacher}, tasks=[...],
            folds=5, workers=2)``).
        root: The prepared data root.
        feature_dirs: ``{feature set: folder}`` of the teacher features and the students.
    """
    ev = cfg.workout
    names = [n for n in ev.features if n in feature_dirs]
    missing = [n for n in ev.features if n not in feature_dirs]
    if missing:
        raise ValueError(
            f'workout.features: unknown feature sets {missing}; the job makes {sorted(feature_dirs)}')
    out = osp.join(cfg.work_dir, 'workout')
    cmd = [
        'tools/eval_workout.py', root, '--features',
        *[f'{n}={osp.relpath(feature_dirs[n], root)}' for n in names], '--work-dir', out, '--tasks',
        *ev.get('tasks', ['nns', 'fewshot', 'fewshot_bigru', 'count', 'spot']), '--folds',
        str(ev.get('folds', 5))
    ]
    for key, flag in (('recognition_config', '--recognition-config'),
                      ('spotting_config', '--spotting-config'), ('step_pattern', '--step-pattern')):
        if ev.get(key):
            cmd += [flag, ev[key]]
    cmd += ['--stage-stamps', osp.join(cfg.work_dir, 'stages')]  # the stage table of the report
    pairs = [f'{s}={t}' for s, t in (ev.get('pairs') or {}).items()]
    if pairs:
        cmd += ['--pairs', *pairs]
    configs = [
        ev.get('recognition_config', 'configs/recognition/bigru_workout.py'),
        ev.get('spotting_config', 'configs/detection/bigru-spot_workout-reps.py')
    ]
    inputs = [osp.join(root, 'annotations'), *configs, *[feature_dirs[n] for n in names]]
    stages = [
        Stage(
            'workout',
            cmd,
            inputs=inputs,
            outputs=[osp.join(out, 'workout.json')],
            env=env,
            fresh_args=['--overwrite'],
            speed_args=['--workers', str(ev.get('workers', 1))])
    ]
    report = osp.join(cfg.work_dir, 'report', 'report')
    stages.append(
        Stage(
            'report', [
                'tools/report.py', out, '-o', report, '--title',
                f'vpd_mm: VPD on {osp.basename(osp.normpath(cfg.data_root))}'
            ],
            inputs=[out],
            outputs=[report + '.html'],
            env=env))
    return stages
