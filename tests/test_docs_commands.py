"""Every command in README.md and docs/*.md runs as written, up to the point where it would start work.

Each ``bash`` block is split into commands. For ``python tools/X.py ARGS`` (and ``benchmarks/``) the
tool is run as ``__main__`` with ``ARGS`` until its argument parser has parsed them, then stopped: an
unknown flag, a bad choice or a missing argument fails the test. ``bash tools/X.sh`` must exist, and
every repository path a command names (``configs/...``, ``tools/...``, ...) must exist. ``python``
blocks must compile, and the names they import from ``vpd_mm`` must exist.
Commands with placeholders that are not arguments (``[--opt]``, ``a|b``, ``...``) are checked for
paths only.
"""
import argparse
import ast
import glob
import importlib
import os.path as osp
import re
import runpy
import shlex
import sys
import textwrap

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DOCS = [osp.join(REPO, 'README.md')] + sorted(glob.glob(osp.join(REPO, 'docs', '*.md')))
REPO_DIRS = ('configs/', 'tools/', 'docs/', 'benchmarks/', 'checkpoints/', 'requirements/', 'vpd_mm/')
TOOL_DIRS = ('tools/', 'benchmarks/')
PYTHONS = ('python', 'python3', '$ENV/bin/python', '"$PY"', '$PY')


def _blocks(path, lang):
    text = open(path, encoding='utf-8').read()
    return re.findall(rf'```{lang}\n(.*?)```', text, flags=re.S)


def _commands(block):
    """Commands of a bash block: continuation lines joined, comments dropped, split at ``&&`` / ``;``."""
    text = block.replace('\\\n', ' ')
    out = []
    for line in text.split('\n'):
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError:
            continue
        segment = []
        for tok in tokens + [';']:
            if tok in ('&&', ';', '||', '|', '&'):
                if segment:
                    out.append(segment)
                segment = []
            else:
                segment.append(tok.rstrip(';'))
    return out


def _doc_commands():
    cases = []
    for path in DOCS:
        for block in _blocks(path, 'bash'):
            for cmd in _commands(block):
                cases.append(pytest.param(cmd, id=f'{osp.basename(path)}: {" ".join(cmd)[:80]}'))
    return cases


def _strip_env(cmd):
    while cmd and re.match(r'^[A-Z_]+=', cmd[0]):
        cmd = cmd[1:]
    return cmd


def _is_placeholder_free(args):
    return not any(t == '...' or t.startswith('[') or t.endswith(']') or '|' in t for t in args)


class _Parsed(BaseException):
    """Raised once the tool's parser accepted the command line."""


def _run_as_main(script, args, monkeypatch):
    """Run ``script`` as ``__main__`` with the command-line arguments ``args``."""
    monkeypatch.setattr(sys, 'argv', [script] + list(args))
    monkeypatch.syspath_prepend(REPO)
    runpy.run_path(script, run_name='__main__')


def _dry_parse(script, args, monkeypatch):
    """Run ``script`` as ``__main__`` with ``args`` until its parser has parsed them."""
    original = argparse.ArgumentParser.parse_args

    def parse_then_stop(self, args=None, namespace=None):
        original(self, args, namespace)
        raise _Parsed

    monkeypatch.setattr(argparse.ArgumentParser, 'parse_args', parse_then_stop)
    try:
        _run_as_main(script, args, monkeypatch)
    except _Parsed:
        return
    except SystemExit as e:
        raise AssertionError(f'{script}: the command line was refused (exit status {e.code})') from None
    raise AssertionError(f'{script}: ran without parsing a command line')


@pytest.mark.parametrize('cmd', _doc_commands())
def test_documented_command(cmd, monkeypatch):
    cmd = _strip_env(cmd)
    if not cmd:
        return
    for tok in cmd:
        path = tok.split('=', 1)[-1]
        if path.startswith(REPO_DIRS) and not re.search(r'[A-Z]{2,}|[*$<{]', path.replace('README', '')):
            assert osp.exists(osp.join(REPO, path)), f'{path}: named by a documented command, not in the repo'
    if cmd[0] == 'bash' and len(cmd) > 1:
        assert osp.isfile(osp.join(REPO, cmd[1])), f'{cmd[1]}: no such script'
    elif cmd[0] in PYTHONS and len(cmd) > 1 and cmd[1].endswith('.py') and cmd[1].startswith(TOOL_DIRS):
        script = osp.join(REPO, cmd[1])
        assert osp.isfile(script), f'{cmd[1]}: no such tool'
        if _is_placeholder_free(cmd[2:]):
            _dry_parse(script, cmd[2:], monkeypatch)


def _python_blocks():
    return [pytest.param(block, id=f'{osp.basename(path)}#{i}')
            for path in DOCS for i, block in enumerate(_blocks(path, 'python'))]


@pytest.mark.parametrize('block', _python_blocks())
def test_documented_python(block):
    tree = ast.parse(textwrap.dedent(block))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith('vpd_mm'):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f'{node.module} has no {alias.name}'


def test_readme_lists_every_tool():
    """The README's tool table names every user-facing tool, and tools/data, tools/analysis files."""
    readme = open(osp.join(REPO, 'README.md'), encoding='utf-8').read()
    table = readme[readme.index('## Tools'):readme.index('## Docs')]
    paths = glob.glob(osp.join(REPO, 'tools', '*.*')) + glob.glob(osp.join(REPO, 'tools', '*', '*.*'))
    tools = [osp.relpath(p, osp.join(REPO, 'tools')) for p in paths if p.endswith(('.py', '.sh'))]
    missing = [t for t in sorted(tools) if f'`{osp.basename(t)}`' not in table]
    assert not missing, f'tools missing from the README tool table: {missing}'
    assert len(readme.split('\n')) <= 150, 'README.md grew past 150 lines'


def _tools():
    paths = glob.glob(osp.join(REPO, 'tools', '**', '*.py'), recursive=True)
    return sorted(osp.relpath(p, REPO) for p in paths)


@pytest.mark.parametrize('tool', _tools())
def test_tool_help_explains_it(tool, monkeypatch, capsys):
    """``--help`` exits 0 and prints a description, not only the usage line."""
    with pytest.raises(SystemExit) as exit_info:
        _run_as_main(osp.join(REPO, tool), ['--help'], monkeypatch)
    assert exit_info.value.code in (0, None), f'{tool} --help exited with {exit_info.value.code}'
    text = capsys.readouterr().out
    described = [line for line in text.split('\n')
                 if line.strip() and not line.startswith(('usage:', ' ')) and not line.endswith(':')]
    assert described, f'{tool} --help prints no description:\n{text}'
