"""Resuming from ``epoch_N.pth`` after a kill that came between saving it and its best checkpoint."""
import torch

from vpd_mm.engine.hooks.plain_checkpoint_hook import adopt_later_best


def test_a_best_checkpoint_written_after_the_resumed_one_is_taken_over(tmp_path):
    work = str(tmp_path)
    old_best, new_best = f'{work}/best_loss_epoch_2.pth', f'{work}/best_loss_epoch_3.pth'
    torch.save(dict(meta=dict(epoch=2, iter=20), message_hub=dict(runtime_info=dict(
        best_score=0.7, best_ckpt=old_best))), old_best)
    torch.save(dict(meta=dict(epoch=3, iter=30), message_hub=dict(runtime_info=dict(
        best_score=0.5, best_ckpt=new_best))), new_best)
    resumed = dict(meta=dict(epoch=3, iter=30), message_hub=dict(runtime_info=dict(best_score=0.7, best_ckpt=old_best)))
    adopt_later_best(work, resumed)
    assert resumed['message_hub']['runtime_info'] == dict(best_score=0.5, best_ckpt=new_best)
    # a run killed before validating epoch 3 has no later best: nothing changes
    later = dict(meta=dict(epoch=4, iter=40), message_hub=dict(runtime_info=dict(best_score=0.5, best_ckpt=new_best)))
    adopt_later_best(work, later)
    assert later['message_hub']['runtime_info'] == dict(best_score=0.5, best_ckpt=new_best)
