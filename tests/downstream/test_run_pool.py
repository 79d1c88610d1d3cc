import pytest

from vpd_mm.downstream.run_pool import RunPool, raise_failures


def _half(x):
    if x < 0:
        raise ValueError(f'negative input {x}')
    return x / 2


def test_inline_pool_runs_jobs_and_collects_failures():
    with RunPool(workers=1, progress=False) as pool:
        pool.submit('a', _half, 4)
        assert pool.results == {'a': 2.0}  # one worker: each job runs when submitted
        pool.submit('bad', _half, -1)
        pool.submit('b', _half, 3)
        results, failures = pool.wait()
    assert results == {'a': 2.0, 'b': 1.5}
    assert failures == {'bad': 'ValueError: negative input -1'}


def test_pool_needs_a_worker():
    with pytest.raises(ValueError, match='workers'):
        RunPool(workers=0)


def test_raise_failures_lists_every_failed_job():
    raise_failures({}, 'runs', '/somewhere')  # nothing failed: no error
    with pytest.raises(RuntimeError) as info:
        raise_failures({'b': 'ValueError: x', 'a': 'OSError: y'}, 'detection folds', '/work/det')
    msg = str(info.value)
    assert msg.startswith('2 detection folds failed (the finished ones are kept in /work/det;')
    assert msg.index('  a: OSError: y') < msg.index('  b: ValueError: x')
