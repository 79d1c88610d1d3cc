# Added to every vpd_mm config (next to a base that sets default_scope='mmaction'): load the plugin,
# and keep checkpoints loadable with torch's safe `torch.load(weights_only=True)`
# (see vpd_mm/engine/hooks/plain_checkpoint_hook.py).
custom_imports = dict(imports=['vpd_mm'], allow_failed_imports=False)
custom_hooks = [dict(type='PlainCheckpointHook')]
