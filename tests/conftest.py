"""Shared pytest fixtures for vpd_mm."""
import ast
import os
import os.path as osp
from typing import List, NamedTuple

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = os.environ.get('VPD_MM_SHARED_DATA', osp.join(osp.dirname(REPO_ROOT), 'shared', 'data'))


@pytest.fixture(scope='session')
def repo_root() -> str:
    """Absolute path of the checkout."""
    return REPO_ROOT


@pytest.fixture(scope='session')
def shared_data() -> str:
    """``../shared/data`` (research data, read-only); skips the test when it is absent."""
    if not osp.isdir(SHARED_DATA):
        pytest.skip(f'research data not found at {SHARED_DATA}')
    return SHARED_DATA


@pytest.fixture(scope='session')
def quick_main_job(tmp_path_factory) -> dict:
    """The main job's --quick variant (tools/run_vpd.py), run once per test session (a few minutes).

    Returns:
        ``{'data': data root, 'work': work dir, 'proc': CompletedProcess, 'env': its environment}``;
        the tests that use it assert ``proc.returncode == 0`` themselves.
    """
    import subprocess
    import sys
    root = tmp_path_factory.mktemp('quick_main_job')
    data, work = str(root / 'data'), str(root / 'work')
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO_ROOT)
    cmd = [sys.executable, 'tools/run_vpd.py', '--quick', '--data-root', data, '--work-dir', work]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    return dict(data=data, work=work, proc=proc, env=env)


PACKAGE = osp.join(REPO_ROOT, 'vpd_mm')


class Source(NamedTuple):
    """One module: its path relative to the repository, dotted name, package parts and syntax tree."""
    rel: str
    module: str
    package: List[str]
    tree: ast.Module


@pytest.fixture(scope='session')
def package_sources() -> tuple:
    """Every ``.py`` file under ``vpd_mm/`` as a :class:`Source` (path relative to the checkout,
    dotted module name, package parts, syntax tree), in a fixed order: for the tests that read the
    code itself (``test_layers.py``, ``test_docstrings.py``)."""
    out = []
    for folder, _, names in sorted(os.walk(PACKAGE)):
        for name in sorted(n for n in names if n.endswith('.py')):
            path = osp.join(folder, name)
            rel = osp.relpath(path, osp.dirname(PACKAGE))
            module = rel[:-3].replace(os.sep, '.')
            module = module[:-len('.__init__')] if module.endswith('.__init__') else module
            package = module.split('.') if name == '__init__.py' else module.split('.')[:-1]
            out.append(Source(rel, module, package, ast.parse(open(path).read(), path)))
    return tuple(out)
