"""Gather downstream result files into one Markdown and one self-contained HTML report.

Result files are the JSON summaries written by the downstream tools; each carries a ``task`` key
(``crossval``, ``fewshot``, ``nns``, ``detection``, ``recognition``, ``workout``, ``clips``) and
optionally a ``plot`` (PNG next to it).
"""
import base64
import glob
import html
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

from vpd_mm.utils.fileio import atomic_write_text, load_json

from .clips import clips_markdown
from .crossval import agreement_sentence, crossval_markdown
from .detection import detection_markdown
from .summaries import fewshot_markdown, nns_markdown, recognition_markdown
from .workout import stages_markdown, workout_markdown


def find_results(paths: Sequence[str]) -> List[Tuple[str, dict]]:
    """``(path, dict)`` of every JSON file (or file below a folder) with a ``task`` key."""
    files = []
    for p in paths:
        if osp.isdir(p):
            files += sorted(glob.glob(osp.join(p, '**', '*.json'), recursive=True))
        elif osp.isfile(p):
            files.append(p)
        else:
            raise FileNotFoundError(f'{p}: no such result file or folder')
    out = []
    for f in files:
        try:
            data = load_json(f)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get('task'), str):
            out.append((f, data))
    return out


_SECTIONS = dict(
    crossval=('Recognition cross-validated by video (top-1 %)', crossval_markdown),
    fewshot=('Few-shot recognition (top-1 %)', fewshot_markdown),
    nns=('DTW nearest neighbour and retrieval (%)', nns_markdown),
    detection=('Temporal action detection', detection_markdown),
    recognition=('Recognition, full training data (top-1 %)', recognition_markdown),
    workout=('Workout videos: recognition, retrieval, few-shot, repetition counting', workout_markdown),
    stages=('Stage times', stages_markdown),
    clips=('Clips: what the teacher extracted', clips_markdown))


def _md_table_to_html(md: str) -> str:
    rows = [line.strip().strip('|').split('|') for line in md.splitlines() if line.strip().startswith('|')]
    rows = [r for r in rows if not all(set(c.strip()) <= set('-:') for c in r)]
    if not rows:
        return ''
    head = ''.join(f'<th>{html.escape(c.strip())}</th>' for c in rows[0])
    body = ''.join('<tr>' + ''.join(f'<td>{html.escape(c.strip())}</td>' for c in r) + '</tr>'
                   for r in rows[1:])
    return f'<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def build_report(paths: Sequence[str],
                 out_prefix: str,
                 title: str = 'vpd_mm downstream report') -> Dict[str, str]:
    """Write ``<out_prefix>.md`` and ``<out_prefix>.html``; return their paths.

    Raises:
        ValueError: No result file found.
    """
    results = find_results(paths)
    if not results:
        raise ValueError(f'no result JSON (with a "task" key) found under {list(paths)}')
    out_dir = osp.dirname(osp.abspath(out_prefix))
    md = [f'# {title}', '']
    parts = [f'<h1>{html.escape(title)}</h1>']
    for _, data in results:  # the verdict first: does this run agree with the documented long run?
        sentence = agreement_sentence(data) if data['task'] == 'crossval' else ''
        if sentence:
            md += [f'**Student vs teacher.** {sentence}', '']
            parts += [f'<p><b>Student vs teacher.</b> {html.escape(sentence)}</p>']
    for path, data in results:
        heading, to_md = _SECTIONS.get(data['task'], (data['task'], None))
        md += [f'## {heading}', '', f'Source: `{osp.relpath(path, out_dir)}`', '']
        parts += [f'<h2>{html.escape(heading)}</h2>', f'<p class="src">Source: {html.escape(path)}</p>']
        if to_md is not None:
            table = to_md(data)
            table = '\n'.join(line for line in table.splitlines() if not line.startswith('# '))
            md += [table, '']
            parts += [_md_table_to_html(table)]
            notes = [line for line in table.splitlines() if line and not line.startswith('|')]
            parts += [f'<p>{html.escape(n)}</p>' for n in notes]
        else:
            md += ['```', str(data), '```', '']
            parts += [f'<pre>{html.escape(str(data))}</pre>']
        plot = data.get('plot')
        if plot:
            plot_path = plot if osp.isabs(plot) else osp.join(osp.dirname(path), plot)
            if not osp.isfile(plot_path):
                raise FileNotFoundError(f'{path}: plot {plot_path} not found')
            md += [f'![{heading}]({osp.relpath(plot_path, out_dir)})', '']
            with open(plot_path, 'rb') as f:
                b64 = base64.b64encode(f.read()).decode('ascii')
            parts += [f'<img alt="{html.escape(heading)}" src="data:image/png;base64,{b64}">']
    style = ('body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}'
             'table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 10px;'
             'text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}'
             '.src{color:#777;font-size:80%}'
             'img{max-width:100%}')
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<style>{style}</style></head><body>' + '\n'.join(parts) + '</body></html>\n')
    os.makedirs(out_dir, exist_ok=True)
    atomic_write_text(out_prefix + '.md', '\n'.join(md) + '\n')
    atomic_write_text(out_prefix + '.html', page)
    return dict(markdown=out_prefix + '.md', html=out_prefix + '.html')
