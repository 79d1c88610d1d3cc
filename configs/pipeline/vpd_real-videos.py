# The main job on your own (unlabelled) real videos, with the real-weights teacher (MediaPipe BlazePose-full,
# offline): poses -> crops + flow -> teacher features (normalized 2D joints, VIPE*) -> a 2D-VPD student
# distilled on the clips -> student features -> a report of what was extracted (skeleton overlays per
# clip, the teacher's confidence over time, frames embedded per feature set). Nothing is labelled, so
# nothing is scored. Put the videos in DATA_ROOT/videos/ (DATA_ROOT also receives the job's outputs):
#   mkdir -p /tmp/real/videos && cp ../shared/data/real_videos/*.mp4 ../shared/data/real_videos/*.avi /tmp/real/videos/
#   bash tools/run_demo.sh configs/pipeline/vpd_real-videos.py --data-root /tmp/real --work-dir /tmp/real/work
# Report: WORK_DIR/report/report.html. A few minutes on 2 cores for the five sample clips (855 frames).
_base_ = ['./vpd_synthsport-mini.py']

data_root = 'data/real_videos'
generate = None
work_dir = 'work_dirs/vpd_real-videos'
teachers = dict(pose_teacher='configs/teachers/blazepose-full_coco17.py')
# one 2D-VPD student on the teacher's joints, on the paper's 0.5 confidence gate; few frames, so a
# short schedule (epochs of 512 drawn frames)
students = dict(
    _delete_=True,
    vpd_2d=dict(config='configs/vpd/2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py', teacher='teacher_2d',
                min_kp_score=0.5,
                cfg_options=['train_cfg.max_epochs=4', 'train_dataloader.dataset.num_samples_per_epoch=512',
                             'val_dataloader.dataset.num_samples_per_epoch=128', 'param_scheduler.0.T_max=4',
                             'param_scheduler.0.end=4']))
