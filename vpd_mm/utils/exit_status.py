"""Exit statuses of vpd_mm's batch tools (videos, clips, pose folders).

A batch over a folder of inputs ends in one of four ways; the tools print a summary listing every
input that was left out, with its reason, and return:

- :data:`OK` (0): every input finished (or had already finished, on a resumed run);
- :data:`FAILED` (1): an input failed with an unexpected error, or no input finished at all;
- :data:`USAGE` (2): a bad command line (argparse's own status);
- :data:`PARTIAL` (3): some inputs finished and the others were skipped for bad input (a corrupt or
  empty video, nobody in it, ...), each listed with its reason.

:class:`vpd_mm.pipeline.StageRunner` treats :data:`PARTIAL` as a finished stage and says so, so a
pipeline over a folder with a few bad videos goes on with the good ones; a shell script sees the
difference (``[ $? -eq 3 ]``). Under a distributed launch the skipped inputs are listed the same way
but the status is 0, because the launchers treat any other status as a failed job.
"""

OK = 0
FAILED = 1
USAGE = 2
PARTIAL = 3


def batch_exit_status(finished: int, skipped: int, failed: int = 0, world_size: int = 1) -> int:
    """The exit status of a batch tool from its counts.

    Args:
        finished: Inputs that finished in this run or an earlier one.
        skipped: Inputs left out for bad input (listed with their reasons).
        failed: Inputs that failed with an unexpected error.
        world_size: Processes of a distributed launch. ``torch.distributed.run`` and ``srun`` count any
            non-zero status of a process as a failed job, so a distributed run reports skipped inputs
            in its summary only and exits :data:`OK`.

    Returns:
        :data:`FAILED` when one failed or none finished, :data:`PARTIAL` when some were skipped (one
        process), else :data:`OK`.
    """
    if failed or not finished:
        return FAILED
    return PARTIAL if skipped and world_size == 1 else OK
