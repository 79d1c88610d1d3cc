# Table 1 row "+ PAA": JMRN trained with pose-aware augmentation (global + group shifts, L/R flip).
_base_ = ['./jmrn_jhmdb-split1.py']
train_dataloader = dict(dataset=dict(pipeline={{_base_.paa_train_pipeline}}))
