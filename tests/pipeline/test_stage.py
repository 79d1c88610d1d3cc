import json
import os
import os.path as osp
import sys

import pytest

from vpd_mm.pipeline.stage import Stage, StageRunner

WRITER = """
import sys, time
out, text = sys.argv[1], sys.argv[2]
with open(out + '.count', 'a') as f:
    f.write('x')
with open(out, 'w') as f:
    f.write(open(sys.argv[3]).read() + text if len(sys.argv) > 3 else text)
"""


def _count(path):
    return len(open(path + '.count').read())


def test_skips_up_to_date_and_reruns_on_change(tmp_path):
    script = tmp_path / 'writer.py'
    script.write_text(WRITER)
    src = tmp_path / 'src.txt'
    src.write_text('a')
    a, b = str(tmp_path / 'a.txt'), str(tmp_path / 'b.txt')
    stages = [
        Stage('first', [str(script), a, '1', str(src)], inputs=[str(src)], outputs=[a]),
        Stage('second', [str(script), b, '2', a], inputs=[a], outputs=[b]),
    ]
    runner = StageRunner(str(tmp_path / 'stamps'), python=sys.executable)
    records = runner.run(stages)
    assert [r['status'] for r in records] == ['ran', 'ran']
    assert open(b).read() == 'a12'

    # Nothing changed: both skipped, neither command ran again.
    records = StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run(stages)
    assert [r['status'] for r in records] == ['skipped', 'skipped']
    assert _count(a) == 1 and _count(b) == 1

    # An input of the first stage changed: both run again (the second through the first's key).
    src.write_text('z')
    records = StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run(stages)
    assert [r['status'] for r in records] == ['ran', 'ran']
    assert open(b).read() == 'z12'

    # A deleted output makes its stage run again even with a matching stamp.
    os.remove(b)
    records = StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run(stages)
    assert [r['status'] for r in records] == ['skipped', 'ran']


def test_failure_names_stage_and_keeps_earlier_stamps(tmp_path):
    script = tmp_path / 'writer.py'
    script.write_text(WRITER)
    bad = tmp_path / 'bad.py'
    bad.write_text('import sys; sys.exit(4)')
    a = str(tmp_path / 'a.txt')
    stages = [Stage('ok', [str(script), a, '1'], outputs=[a]), Stage('broken', [str(bad)])]
    with pytest.raises(RuntimeError, match=r"stage 'broken' failed with exit status 4"):
        StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run(stages)
    assert json.load(open(tmp_path / 'stamps' / 'ok.json'))['state'] == 'done'
    assert json.load(open(tmp_path / 'stamps' / 'broken.json'))['state'] == 'running'


def test_partial_exit_status_finishes_the_stage_and_says_so(tmp_path, capsys):
    """Exit status 3 (some inputs skipped for bad input, listed by the tool): the stage is done, its
    stamp records ``partial``, the next stage runs; a rerun skips it like any finished stage."""
    script = tmp_path / 'writer.py'
    script.write_text(WRITER)
    partial = tmp_path / 'partial.py'
    partial.write_text('import sys; open(sys.argv[1], "w").write("good"); sys.exit(3)')
    a, b = str(tmp_path / 'a.txt'), str(tmp_path / 'b.txt')
    stages = [Stage('some_bad', [str(partial), a], outputs=[a]),
              Stage('next', [str(script), b, '2', a], inputs=[a], outputs=[b])]
    records = StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run(stages)
    assert [(r['status'], r['partial']) for r in records] == [('ran', True), ('ran', False)]
    assert open(b).read() == 'good2'
    assert json.load(open(tmp_path / 'stamps' / 'some_bad.json'))['partial'] is True
    assert 'some inputs skipped (exit status 3' in capsys.readouterr().out
    records = StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run(stages)
    assert [r['status'] for r in records] == ['skipped', 'skipped']


def test_missing_output_is_an_error(tmp_path):
    noop = tmp_path / 'noop.py'
    noop.write_text('pass')
    stage = Stage('liar', [str(noop)], outputs=[str(tmp_path / 'never.txt')])
    with pytest.raises(RuntimeError, match='did not write'):
        StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run([stage])


def test_resume_args_unless_inputs_changed(tmp_path):
    script = tmp_path / 'args.py'
    script.write_text('import sys\nopen(sys.argv[1], "w").write(" ".join(sys.argv[2:]))\n')
    src = tmp_path / 'src.txt'
    src.write_text('a')
    out = str(tmp_path / 'out.txt')
    stage = Stage('s', [str(script), out, 'base'], inputs=[str(src)], outputs=[out],
                  resume_args=['--resume'], fresh_args=['--overwrite'])
    stamps = str(tmp_path / 'stamps')
    StageRunner(stamps, python=sys.executable).run([stage])
    assert open(out).read() == 'base --resume'  # first run: resume semantics
    src.write_text('b')
    StageRunner(stamps, python=sys.executable).run([stage])
    assert open(out).read() == 'base --overwrite'  # inputs changed: stale outputs are rewritten
    os.remove(out)
    StageRunner(stamps, python=sys.executable).run([stage])
    assert open(out).read() == 'base --resume'  # same inputs, output lost: resume


def test_speed_args_are_always_passed_and_never_keyed(tmp_path):
    script = tmp_path / 'args.py'
    script.write_text('import sys\nopen(sys.argv[1], "w").write(" ".join(sys.argv[2:]))\n')
    out = str(tmp_path / 'out.txt')
    stamps = str(tmp_path / 'stamps')

    def run(workers):
        stage = Stage('s', [str(script), out, 'base'], outputs=[out], resume_args=['--resume'],
                      speed_args=['--workers', workers])
        return StageRunner(stamps, python=sys.executable).run([stage])[0]['status']

    assert run('2') == 'ran' and open(out).read() == 'base --resume --workers 2'
    assert run('1') == 'skipped'  # another worker count: same outputs, nothing to redo
    os.remove(out)
    assert run('1') == 'ran' and open(out).read() == 'base --resume --workers 1'


def test_thread_counts_do_not_invalidate_but_other_env_does(tmp_path):
    script = tmp_path / 'writer.py'
    script.write_text(WRITER)
    a = str(tmp_path / 'a.txt')

    def run(**env):
        stage = Stage('only', [str(script), a, '1'], outputs=[a], env=env)
        return StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run([stage])[0]['status']

    assert run(OMP_NUM_THREADS='2', MPLBACKEND='Agg') == 'ran'
    assert run(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1') == 'skipped'
    assert run(OMP_NUM_THREADS='1', VPD_SOMETHING='x') == 'ran'
    assert _count(a) == 2


RENDEZVOUS = """
import os, sys, time
me, other, out = sys.argv[1], sys.argv[2], sys.argv[3]
open(me, 'w').close()
deadline = time.time() + 30
while not os.path.exists(other):  # only returns if the other stage runs at the same time
    if time.time() > deadline:
        sys.exit('the other stage never started')
    time.sleep(0.05)
print('met', flush=True)
open(out, 'w').write('ok')
"""


def test_independent_stages_run_together_dependents_wait(tmp_path):
    from vpd_mm.pipeline.stage import stage_dependencies
    script = tmp_path / 'meet.py'
    script.write_text(RENDEZVOUS)
    writer = tmp_path / 'writer.py'
    writer.write_text(WRITER)
    a_flag, b_flag = str(tmp_path / 'a.started'), str(tmp_path / 'b.started')
    a_out, b_out, c_out = (str(tmp_path / n) for n in ('a.out', 'b.out', 'c.out'))
    stages = [
        Stage('a', [str(script), a_flag, b_flag, a_out], outputs=[a_out]),
        Stage('b', [str(script), b_flag, a_flag, b_out], outputs=[b_out]),
        Stage('c', [str(writer), c_out, '!', a_out], inputs=[a_out], outputs=[c_out]),
    ]
    assert stage_dependencies(stages) == [[], [], [0]]
    records = StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run(stages, jobs=2)
    assert [r['status'] for r in records] == ['ran', 'ran', 'ran']
    assert open(c_out).read() == 'ok!'
    assert open(tmp_path / 'stamps' / 'logs' / 'a.log').read().strip() == 'met'
    # A second run skips everything, in parallel mode too.
    records = StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run(stages, jobs=2)
    assert [r['status'] for r in records] == ['skipped'] * 3


def test_parallel_failure_names_stage_and_log_and_blocks_dependents(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text('import sys\nprint("boom")\nsys.exit(5)\n')
    writer = tmp_path / 'writer.py'
    writer.write_text(WRITER)
    ok_out, after = str(tmp_path / 'ok.txt'), str(tmp_path / 'after.txt')
    stages = [
        Stage('bad', [str(bad)], outputs=[str(tmp_path / 'never')]),
        Stage('ok', [str(writer), ok_out, 'x'], outputs=[ok_out]),
        Stage('after', [str(writer), after, 'y'], inputs=[str(tmp_path / 'never')], outputs=[after]),
    ]
    with pytest.raises(RuntimeError, match=r"stage 'bad' failed with exit status 5.*bad\.log"):
        StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run(stages, jobs=2)
    assert osp.exists(ok_out) and not osp.exists(after)
    assert json.load(open(tmp_path / 'stamps' / 'ok.json'))['state'] == 'done'
    assert 'boom' in open(tmp_path / 'stamps' / 'logs' / 'bad.log').read()


def test_the_stage_with_the_longest_chain_behind_it_starts_first(tmp_path):
    """Of the stages ready at once, the one later stages wait on starts first (a student's training
    before a teacher-only evaluation), whatever their order in the list; ties keep the list order."""
    from vpd_mm.pipeline.stage import critical_path_lengths, stage_dependencies
    script = tmp_path / 'log_order.py'
    script.write_text('import sys\nopen(sys.argv[1], "a").write(sys.argv[2])\n'
                      'open(sys.argv[3], "w").write("x")\n')
    order = str(tmp_path / 'order')
    out = {n: str(tmp_path / f'{n}.out') for n in 'abcd'}
    after = dict(c='b', d='c')
    stages = [Stage(n, [str(script), order, n, out[n]], inputs=[out[after[n]]] if n in after else [],
                    outputs=[out[n]]) for n in 'abcd']
    deps = stage_dependencies(stages)
    assert critical_path_lengths(deps) == [1, 3, 2, 1]
    StageRunner(str(tmp_path / 'stamps'), python=sys.executable).run(stages, jobs=1)
    assert open(order).read() == 'bcad'
