"""The solver's time: every step runs until a deadline, an instant of
``time.monotonic()`` (a clock no admin's date change moves), and hands
the time left on to the steps after it."""

import time


def left(deadline):
    """Seconds until ``deadline``, never negative: a step called past it
    still gets HiGHS's smallest time limit, never a negative one."""
    return max(deadline - time.monotonic(), 0.0)


def part(deadline, share):
    """The instant ``share`` (0-1) of the time left until ``deadline``
    from now: the deadline of a step that leaves the rest to the steps
    after it."""
    return time.monotonic() + left(deadline) * share
