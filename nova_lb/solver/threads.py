"""Zones side by side, in threads.

A plan's time goes mostly to HiGHS, which leaves Python's lock while it
solves, so threads put the machine's other cores to work: on two cores a
cloud of two 500-host zones gets twice the solver time per zone within
the same time limit (1,000 hosts, profile ``large``, seed 101: the host
patterns get about five seconds a zone instead of one, and five runs of
seven end 0.008-0.016 above the bound, where one zone after the other
ended 0.020-0.036 above it).
"""

from concurrent import futures
import os
import sys


def count(wanted, jobs):
    """How many threads run ``jobs`` jobs side by side.

    ``wanted`` (``[solver] threads``; 0: one per CPU core this process may
    run on), at most one per job. One under eventlet's monkey-patching
    (Nova's functional test harness, a service that patches): its green
    threads take turns, and a HiGHS solve never yields, so the first job
    would take the time meant for all of them.
    """
    patcher = sys.modules.get('eventlet.patcher')
    if patcher is not None and patcher.is_monkey_patched('thread'):
        return 1
    return max(min(wanted or len(os.sched_getaffinity(0)), jobs), 1)


def run(fn, items, threads):
    """``[fn(item) for item in items]``, ``threads`` at a time (see
    :func:`count`); an exception in one raises here, once all are done.
    """
    if threads <= 1:
        return [fn(item) for item in items]
    with futures.ThreadPoolExecutor(threads) as pool:
        return list(pool.map(fn, items))
