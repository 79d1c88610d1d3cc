# VIPE* with the paper's schedule (REFERENCE.md section 1): AdamW 1e-4, batch 100, up to 500 epochs,
# model selection on validation loss. GPU recommended.
_base_ = ['./vipe-star_synthsport-3d.py']

train_samples = 20000
max_epochs = 500
train_dataloader = dict(num_workers=4, dataset=dict(samples_per_epoch=train_samples))
val_dataloader = dict(num_workers=2, dataset=dict(samples_per_epoch=4000))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(logger=dict(interval=50))
