"""Every public module, class, function and method of ``vpd_mm`` has a docstring."""
import ast


def _missing(package_sources):
    out = []
    for src in package_sources:
        if not src.rel.endswith('__init__.py') and ast.get_docstring(src.tree) is None:
            out.append(f'{src.rel}: module')
        stack = [(src.tree, '')]
        while stack:
            node, prefix = stack.pop()
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    if child.name.startswith('_'):
                        continue
                    if ast.get_docstring(child) is None:
                        out.append(f'{src.rel}:{child.lineno} {prefix}{child.name}')
                    if isinstance(child, ast.ClassDef):
                        stack.append((child, f'{prefix}{child.name}.'))
    return out


def test_public_api_is_documented(package_sources):
    missing = _missing(package_sources)
    assert not missing, f'{len(missing)} public names without a docstring:\n' + '\n'.join(missing)
