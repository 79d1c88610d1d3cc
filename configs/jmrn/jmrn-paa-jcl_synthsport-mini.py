# Table 1 row "+ joint-contrastive" on SynthSport (tau 0.3, lambda 0.01, 10 warm-up epochs: the values
# chosen on JHMDB's held-out train part, see jmrn-paa-jcl_jhmdb-split1.py; not tuned on SynthSport).
_base_ = ['./jmrn-paa_synthsport-mini.py']
model = dict(contrastive_loss=dict(type='JointContrastiveLoss', in_channels=16, num_joints=17,
                                   hidden_channels=32, out_channels=16, temperature=0.3,
                                   loss_weight=0.01, warmup_epochs=10))
