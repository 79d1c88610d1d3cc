from .demo_actions import DEMO_ACTION_CLASSES, make_demo_actions

__all__ = ['DEMO_ACTION_CLASSES', 'make_demo_actions']
