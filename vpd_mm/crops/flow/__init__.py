"""Pluggable optical-flow backends (DIS default, TV-L1, RAFT with user weights)."""
from .base import FLOW_ALIASES, FLOW_BACKENDS, BaseFlowBackend, build_flow_backend
from .dis import DISFlow
from .raft import RAFTFlow
from .tvl1 import TVL1Flow

__all__ = [
    'FLOW_ALIASES', 'FLOW_BACKENDS', 'BaseFlowBackend', 'build_flow_backend', 'DISFlow', 'TVL1Flow',
    'RAFTFlow'
]
