# Table 1 row "+ joint-contrastive": JMRN + PAA + joint-contrastive loss (tau 0.3, lambda 0.05).
_base_ = ['./jmrn-paa_jhmdb-split1.py']
model = dict(contrastive_loss=dict(type='JointContrastiveLoss', in_channels=16, num_joints=15,
                                   hidden_channels=32, out_channels=16, temperature=0.3,
                                   loss_weight=0.05, warmup_epochs=0))
