# Table 1 row "+ PAA" on SynthSport.
_base_ = ['./jmrn_synthsport-mini.py']
train_dataloader = dict(dataset=dict(pipeline={{_base_.paa_train_pipeline}}))
