"""The package reads top-down: no module imports a layer above its own, and no two modules import
each other (lazy imports inside functions included).

Layers, top to bottom (``tools/`` sits above them all)::

    apis -> pipeline, downstream -> models, evaluation, engine -> datasets, baselines -> synthsport
    -> pose -> crops, teachers -> tracking -> compat -> utils
"""
import ast
import os
import os.path as osp
from collections import defaultdict

LAYERS = [('apis', ), ('pipeline', 'downstream'), ('models', 'evaluation', 'engine'),
          ('datasets', 'baselines'), ('synthsport', ), ('pose', ), ('crops', 'teachers'), ('tracking', ),
          ('compat', ), ('utils', )]
RANK = {pkg: rank for rank, pkgs in enumerate(LAYERS) for pkg in pkgs}


def _imports(package_sources):
    """``{module: {(imported module, line)}}`` of every ``vpd_mm`` import, top-level or lazy."""
    out = defaultdict(set)
    for src in package_sources:
        for node in ast.walk(src.tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                targets = [node.module]
            elif isinstance(node, ast.ImportFrom):
                base = '.'.join(src.package[:len(src.package) - node.level + 1])
                targets = [f'{base}.{node.module}' if node.module else f'{base}.{a.name}'
                           for a in node.names]
            else:
                continue
            out[src.module].update((t, node.lineno) for t in targets if t and t.startswith('vpd_mm.'))
    return out


def _package(mod):
    return mod.split('.')[1] if mod.count('.') else ''


def test_every_package_has_a_layer(repo_root):
    packages = {d for d in os.listdir(osp.join(repo_root, 'vpd_mm'))
                if osp.isfile(osp.join(repo_root, 'vpd_mm', d, '__init__.py'))}
    assert packages <= set(RANK), f'place these packages in LAYERS: {sorted(packages - set(RANK))}'


def test_no_import_runs_up_the_layers(package_sources):
    upward = []
    for mod, targets in _imports(package_sources).items():
        src = _package(mod)
        for target, line in targets:
            dst = _package(target)
            if src in RANK and dst in RANK and dst != src and RANK[dst] <= RANK[src]:
                upward.append(f'{mod}:{line} imports {target} ({src} is not above {dst})')
    assert not upward, '\n'.join(sorted(upward))


def test_no_two_modules_import_each_other(package_sources):
    imports = _imports(package_sources)
    known = set(imports)
    edges = {mod: {t for t, _ in targets if t in known and t != mod} for mod, targets in imports.items()}
    cycles = sorted({tuple(sorted((a, b)))
                     for a, targets in edges.items() for b in targets
                     if a in edges.get(b, ()) and not (a.startswith(b + '.') or b.startswith(a + '.'))})
    assert not cycles, cycles
