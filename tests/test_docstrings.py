"""Every public module, class, function and method of ``vpd_mm`` has a docstring."""
import ast
import os
import os.path as osp

ROOT = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'vpd_mm')


def _missing():
    out = []
    for folder, _, names in os.walk(ROOT):
        for name in sorted(names):
            if not name.endswith('.py'):
                continue
            path = osp.join(folder, name)
            tree = ast.parse(open(path).read(), path)
            rel = osp.relpath(path, osp.dirname(ROOT))
            if name != '__init__.py' and ast.get_docstring(tree) is None:
                out.append(f'{rel}: module')
            stack = [(tree, '')]
            while stack:
                node, prefix = stack.pop()
                for child in node.body:
                    if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        if child.name.startswith('_'):
                            continue
                        if ast.get_docstring(child) is None:
                            out.append(f'{rel}:{child.lineno} {prefix}{child.name}')
                        if isinstance(child, ast.ClassDef):
                            stack.append((child, f'{prefix}{child.name}.'))
    return out


def test_public_api_is_documented():
    missing = _missing()
    assert not missing, f'{len(missing)} public names without a docstring:\n' + '\n'.join(missing)
