"""Catch mistyped config keys before a job starts, naming the key and the nearest valid one.

mmengine ignores a top-level key it does not know (``optim_wraper = ...`` silently trains with the
base's optimizer), adds any ``--cfg-options`` key that does not exist (``train_cfg.max_epoch=2`` is
ignored by the loop) and reports a wrong argument of a built component only as a ``TypeError`` from
deep inside the build. :func:`check_config` checks, before the Runner is built:

* every ``--cfg-options`` key path against the loaded config: an absent key that is close to an
  existing one at the same level is an error (new keys without a close match are allowed: options
  may add settings);
* every top-level key against the Runner's settings: a key that is not one, but close to one, is an
  error (other top-level names are the config's own variables);
* every dict with a ``type`` that resolves in the registries (mmaction2 scope) to a class whose
  ``__init__`` takes no ``**kwargs``: a key that is not an argument of it is an error.
"""
import difflib
import inspect
from typing import Dict, Iterable, List, Optional

#: Top-level settings read by ``mmengine.runner.Runner.from_cfg`` (and the plugin's import list).
RUNNER_KEYS = frozenset({
    'model', 'work_dir', 'train_dataloader', 'val_dataloader', 'test_dataloader', 'train_cfg', 'val_cfg',
    'test_cfg', 'auto_scale_lr', 'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from', 'resume', 'launcher', 'env_cfg',
    'log_processor', 'log_level', 'visualizer', 'default_scope', 'randomness', 'experiment_name',
    'custom_imports', 'vis_backends'
})
#: Keys a builder consumes before calling the class (never constructor arguments).
_BUILDER_KEYS = frozenset({'type', '_scope_', 'constructor', 'paramwise_cfg', 'convert_to_iter_based', 'priority'})
_CUTOFF = 0.8


class ConfigKeyError(KeyError):
    """A config key that is not valid where it stands; the message names it and the nearest valid key."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def nearest_key(key: str, valid: Iterable[str], cutoff: float = _CUTOFF) -> Optional[str]:
    """The valid key closest to ``key`` (difflib ratio >= ``cutoff``), or ``None``."""
    match = difflib.get_close_matches(str(key), sorted(map(str, valid)), n=1, cutoff=cutoff)
    return match[0] if match else None


def check_cfg_options(cfg, options: Optional[Dict[str, object]], source: str = '--cfg-options') -> None:
    """Check ``key.path=value`` overrides against the config they will be merged into.

    Raises:
        ConfigKeyError: A key path whose last existing level has no such key but a close one.
    """
    for dotted in (options or {}):
        node, done = cfg, []
        for part in str(dotted).split('.'):
            if isinstance(node, (list, tuple)) and part.isdigit():
                if int(part) >= len(node):
                    break
                node, done = node[int(part)], done + [part]
                continue
            if not hasattr(node, 'keys'):
                break
            if part not in node:
                near = nearest_key(part, node.keys())
                if near is not None:
                    where = '.'.join(done) or 'the top level'
                    raise ConfigKeyError(f'{source}: unknown config key {dotted!r}: {where} has no {part!r}; '
                                         f'did you mean {".".join(done + [near])!r}?')
                break
            node, done = node[part], done + [part]


def _registries() -> list:
    from mmaction import registry as r
    names = ('MODELS', 'DATASETS', 'TRANSFORMS', 'HOOKS', 'LOOPS', 'METRICS', 'PARAM_SCHEDULERS',
             'OPTIM_WRAPPERS', 'OPTIMIZERS', 'DATA_SAMPLERS', 'VISUALIZERS', 'VISBACKENDS', 'LOG_PROCESSORS')
    return [getattr(r, n) for n in names if hasattr(r, n)]


def _resolve(type_name: str, registries: list):
    """The one class ``type_name`` names in the registries, or ``None`` (unknown or ambiguous)."""
    found = set()
    for reg in registries:
        try:
            obj = reg.get(type_name)
        except Exception:  # noqa: BLE001 - a scope that cannot be imported here: not our business
            obj = None
        if obj is not None:
            found.add(obj)
    return found.pop() if len(found) == 1 else None


def _arguments(obj) -> Optional[List[str]]:
    """Keyword arguments a class accepts, following ``**kwargs`` up its bases (``__init__(..., **kwargs)``
    passing them to ``super().__init__``); ``None`` when the chain stays open (any keyword is taken)."""
    if not inspect.isclass(obj):
        return None
    names: List[str] = []
    for klass in obj.__mro__:
        if '__init__' not in vars(klass):
            continue
        if klass is object:
            return names
        try:
            params = list(inspect.signature(klass.__init__).parameters.values())
        except (TypeError, ValueError):
            return None
        names += [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != 'self']
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            return names
    return None


def _walk_typed(node, path: str, registries: list, source: str) -> None:
    if hasattr(node, 'keys'):
        type_name = node.get('type') if 'type' in node else None
        if isinstance(type_name, str):
            obj = _resolve(type_name, registries)
            args = _arguments(obj) if obj is not None else None
            if args is not None:
                for key in node.keys():
                    if key in _BUILDER_KEYS or key in args:
                        continue
                    near = nearest_key(key, args, cutoff=0.6)
                    hint = f'; did you mean {f"{path}.{near}" if path else near!r}?' if near else \
                        f' (it takes {sorted(args)})'
                    raise ConfigKeyError(f'{source}: unknown config key {f"{path}.{key}" if path else key!r}: '
                                         f'{type_name} has no argument {key!r}{hint}')
        for key in node.keys():
            _walk_typed(node[key], f'{path}.{key}' if path else str(key), registries, source)
    elif isinstance(node, (list, tuple)):
        for i, item in enumerate(node):
            _walk_typed(item, f'{path}.{i}', registries, source)


def check_config(cfg, source: str = 'config', cfg_options: Optional[Dict[str, object]] = None) -> None:
    """Check a loaded config (before ``--cfg-options`` are merged) and the overrides.

    Args:
        cfg: The loaded ``mmengine.Config``.
        source: The config file, for messages.
        cfg_options: The ``--cfg-options`` overrides (checked against ``cfg``, then merged into a copy
            for the other checks).

    Raises:
        ConfigKeyError: The first mistyped key, with the nearest valid one.
    """
    check_cfg_options(cfg, cfg_options)
    if cfg_options:
        cfg = cfg.copy()
        cfg.merge_from_dict(cfg_options)
    for key in cfg.keys():
        if key not in RUNNER_KEYS:
            near = nearest_key(key, RUNNER_KEYS, cutoff=0.85)
            if near is not None:
                raise ConfigKeyError(f'{source}: unknown config key {key!r}: not a Runner setting; '
                                     f'did you mean {near!r}?')
    from mmengine.registry import init_default_scope
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    if cfg.get('default_scope', 'mmaction') == 'mmaction':
        registries = _registries()
        for key in RUNNER_KEYS & set(cfg.keys()):
            _walk_typed(cfg[key], key, registries, source)


def check_config_or_exit(cfg, source: str = 'config', cfg_options: Optional[Dict[str, object]] = None) -> None:
    """:func:`check_config` for the command-line tools: a mistyped key ends the tool with its message."""
    try:
        check_config(cfg, source, cfg_options)
    except ConfigKeyError as e:
        raise SystemExit(f'error: {e}') from None
