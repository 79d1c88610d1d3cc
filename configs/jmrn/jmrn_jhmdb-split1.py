# Table 1 row "JMRN": shared joint-motion extractor + joint selector + reasoning, no PAA, no L_jc.
_base_ = ['../_base_/default_runtime.py', './_base_/jhmdb_split1.py', './_base_/jmrn_small.py']
# no best-checkpoint selection (JHMDB validates on its test split); keep the last checkpoint
default_hooks = dict(checkpoint=dict(interval={{_base_.max_epochs}}, save_best=None, max_keep_ckpts=1),
                     logger=dict(interval=10))
