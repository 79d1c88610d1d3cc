"""The results browser in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven
by selenium, on the page built from the session's --quick main job (``quick_main_job`` in conftest.py).

Skips with the reason when Chromium, its driver or selenium is missing (``bash tools/install_browser.sh``
installs the first two; selenium is in requirements/tests.txt).
"""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from mmengine.config import Config

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SPLITS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


@pytest.fixture(scope='module')
def chromium(tmp_path_factory):
    """A headless Chromium WebDriver that never touches the network (no selenium-manager download)."""
    for path, package in ((CHROMIUM, 'chromium'), (CHROMEDRIVER, 'chromium-driver')):
        if not os.access(path, os.X_OK):
            pytest.skip(f'{path} not found: install Debian\'s {package} (bash tools/install_browser.sh)')
    webdriver = pytest.importorskip(
        'selenium.webdriver', reason='selenium is not installed '
        '(requirements/tests.txt)')
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync',
                 '--disable-dev-shm-usage', '--window-size=1366,850',
                 f'--user-data-dir={tmp_path_factory.mktemp("chromium-profile")}'):
        options.add_argument(flag)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _pool(config: str, feature_dir: str):
    """``(element ids, features)`` of tools/nns.py's retrieval pool (all splits) for one feature set."""
    from vpd_mm.downstream.nns import labelled_actions, split_datasets
    cfg = Config.fromfile(config)
    for key in SPLITS:
        cfg[key].dataset.feature_dirs = [feature_dir]
    datasets = split_datasets(cfg, SPLITS)
    feats, _ = labelled_actions(datasets)
    ids, seen = [], set()
    for key in SPLITS:
        for i in range(len(datasets[key])):
            eid = datasets[key].get_data_info(i)['element_id']
            if eid not in seen:
                seen.add(eid)
                ids.append(eid)
    return ids, feats


def _python_ranking(ids, feats, keep, k: int, views: str):
    """``{element id: [element ids of its k nearest]}`` among the ``keep`` actions by tools/nns.py's cost."""
    from vpd_mm.evaluation.functional.knn import retrieval_cost_matrix
    ids, feats = zip(*[(i, f) for i, f in zip(ids, feats) if i in keep])
    cost = retrieval_cost_matrix(list(feats), views=views)
    np.fill_diagonal(cost, np.inf)
    return {ids[q]: [ids[j] for j in np.argsort(cost[q], kind='stable')[:k]] for q in range(len(ids))}


def _shown(driver, selector: str, *attrs: str) -> list:
    """The attributes ``attrs`` of every element matching ``selector`` (text if ``'text'``), read in one
    call to the browser."""
    return driver.execute_script(
        'return Array.from(document.querySelectorAll(arguments[0])).map((e) => arguments[1].map('
        '(a) => a === "text" ? e.textContent : e.getAttribute(a)));', selector, list(attrs))


@pytest.mark.timeout(2400)  # the first test to use quick_main_job also waits for it (10+ min on 2 busy cores)
def test_browser_page_from_the_quick_main_job(quick_main_job, chromium, tmp_path):
    proc = quick_main_job['proc']
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = tmp_path / 'browser'
    tool = subprocess.run(
        [sys.executable, 'tools/results_browser.py', quick_main_job['work'], '-o',
         str(out), '--k', '5'],
        cwd=ROOT,
        env=quick_main_job['env'],
        capture_output=True,
        text=True)
    assert tool.returncode == 0, tool.stdout[-3000:] + tool.stderr[-3000:]
    data = json.load(open(out / 'browser.json'))
    actions = data['actions']
    assert set(data['feature_sets']) == {'teacher_vipe', 'vpd_vi'} and len(actions) >= 6 and data['k'] == 5
    page_data = open(out / 'browser_data.js').read()
    assert page_data.count('data:image/jpeg;base64,') == len(actions)  # every action has a clip preview

    # The Python side's DTW ranking, computed independently of the browser's module.
    config = osp.join(quick_main_job['work'], 'configs', 'recognition.py')
    assert data['views'] == 'concat'  # the main job's retrieval: one DTW of the two views side by side
    pools = {name: _pool(config, f'features/{name}') for name in data['feature_sets']}
    common = set.intersection(*[set(ids) for ids, _ in pools.values()])  # as tools/nns.py compares them
    assert sorted(a['id'] for a in actions) == sorted(common)
    expected = {name: _python_ranking(*pools[name], common, 5, 'concat') for name in data['feature_sets']}
    for name, fs in data['feature_sets'].items():
        assert {a['id']: [actions[j]['id'] for j in nb] for a, nb in zip(actions, fs['neighbours'])} == \
            {a['id']: expected[name][a['id']] for a in actions}

    driver = chromium
    driver.get((out / 'index.html').as_uri())
    assert driver.execute_script('return document.readyState') == 'complete'
    queries = driver.find_elements('css selector', '#query-list li')
    assert len(queries) == len(actions)
    seen_lists = set()
    for q in range(len(actions)):
        driver.find_element('css selector', f'#query-list li[data-action-index="{q}"]').click()
        selected = driver.find_element('css selector', '#query-list li.selected')
        assert int(selected.get_attribute('data-action-index')) == q
        card = driver.find_element('css selector', '#query-card .card.query')
        assert int(card.get_attribute('data-action-index')) == q
        for name in data['feature_sets']:
            column = f'.column[data-features="{name}"] li.neighbour'
            rows = _shown(driver, column, 'data-action-index', 'data-cost')
            shown = [actions[int(i)]['id'] for i, _ in rows]
            assert shown == expected[name][actions[q]['id']], (name, q)
            seen_lists.add((name, tuple(shown)))
            want = data['feature_sets'][name]['costs'][q]
            assert [None if c == 'inf' else float(c) for _, c in rows] == want
    assert len(seen_lists) > len(data['feature_sets'])  # choosing another query changes the neighbours

    # Class filter: the query list keeps that class's actions only.
    label = actions[0]['label']
    driver.find_element('css selector', f'#class-filter option[value="{label}"]').click()
    shown = [int(i) for i, in _shown(driver, '#query-list li', 'data-action-index')]
    assert shown == [i for i, a in enumerate(actions) if a['label'] == label]
    # Confusion matrices: one per feature set, every action counted once.
    for name in data['feature_sets']:
        cells = _shown(driver, f'table.confusion[data-features="{name}"] td', 'text')
        assert len(cells) == len(data['classes'])**2
        assert sum(int(c or 0) for c, in cells) == sum(map(sum, data['feature_sets'][name]['confusion']))
    # The previews are drawn: the query canvas is not blank.
    blank = driver.execute_script(
        'const c = document.querySelector("#query-card canvas");'
        'const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;'
        'let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i] + d[i + 1] + d[i + 2];'
        'return s / (c.width * c.height) < 60;')
    assert not blank
    errors = [e for e in driver.get_log('browser') if e['level'] == 'SEVERE']
    assert errors == [], errors
    assert driver.get_screenshot_as_png()[:8] == b'\x89PNG\r\n\x1a\n'
