"""Shared pytest fixtures for vpd_mm."""
import os
import os.path as osp

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
