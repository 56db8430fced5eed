"""What became of a run: one word, and what it means everywhere.

The summary line, ``last-run.json``, ``nova-lb status``, the metrics file
and the exit code of every command that moves servers all take the outcome
from here, so they cannot contradict each other. ``success`` is what an
alert should watch: 0 means an admin should look at the run.

======================  =======  ====  ====================================
outcome                 success  exit  meaning
======================  =======  ====  ====================================
``done``                1        0     every move the run started
                                       completed and nothing unexpected was
                                       found (a plan of no moves included)
``partly failed``       0        1     some moves completed, others failed
                                       or were aborted; or every move
                                       completed but leftover allocations
                                       appeared while the run went on
``all failed``          0        1     moves were started and none of them
                                       completed
``aborted``             0        1     the run ended on an error before its
                                       end (the cloud unreachable past every
                                       retry, a bug); moves in flight were
                                       waited for
``refused``             1        1     ``apply`` or ``drain`` refused its
                                       plan and moved nothing: it no longer
                                       fits, or no longer improves the
                                       cloud, or migrations were in flight
``skipped``             1        0     the run moved nothing by policy:
                                       migrations in flight, dry run,
                                       ``automation = manual``, stopped
                                       before its first move
======================  =======  ====  ====================================

A refusal exits 1 (the admin's command was not carried out) but does not
count as a failure: nothing went wrong in the cloud.
"""

import dataclasses

from nova_lb import exception


@dataclasses.dataclass(frozen=True)
class Outcome:
    name: str
    success: int
    exit_code: int


DONE = Outcome('done', 1, exception.EXIT_OK)
PARTLY_FAILED = Outcome('partly failed', 0, exception.EXIT_ERROR)
ALL_FAILED = Outcome('all failed', 0, exception.EXIT_ERROR)
ABORTED = Outcome('aborted', 0, exception.EXIT_ERROR)
REFUSED = Outcome('refused', 1, exception.EXIT_ERROR)
SKIPPED = Outcome('skipped', 1, exception.EXIT_OK)

ALL = (DONE, PARTLY_FAILED, ALL_FAILED, ABORTED, REFUSED, SKIPPED)
BY_NAME = {o.name: o for o in ALL}


def of_moves(done, failed, unexpected):
    """The outcome of a run that got to carry out its plan.

    :param done: moves completed.
    :param failed: moves started that failed, were aborted or were lost.
    :param unexpected: what the run found that it did not cause on
        purpose (e.g. new leftover allocations); empty if nothing.
    """
    if failed and not done:
        return ALL_FAILED
    if failed or unexpected:
        return PARTLY_FAILED
    return DONE


def of_error(error):
    """The outcome of a run that ended on ``error``."""
    if isinstance(error, exception.StalePlan):
        return REFUSED
    if isinstance(error, exception.Stopped):
        return SKIPPED
    return ABORTED


def exit_code(summary):
    """The exit code of a run from its summary (``outcome`` key)."""
    return BY_NAME[summary['outcome']].exit_code
