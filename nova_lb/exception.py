"""Errors that nova-lb reports to an admin in one line.

Each carries the exit code a console script ends with, so a script that
drives nova-lb can tell bad input from a failure of the cloud.
"""

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2


class NovaLBError(Exception):
    """Base class: the message is the one line shown to the admin."""

    exit_code = EXIT_ERROR


class InvalidConfig(NovaLBError):
    """An option has a value nova-lb cannot work with."""

    exit_code = EXIT_BAD_INPUT


class BadSnapshot(NovaLBError):
    """A snapshot file that is not a complete, consistent nova-lb-snapshot/1.

    The message names the file and the JSON path of the first problem.
    """

    exit_code = EXIT_BAD_INPUT


class CloudUnavailable(NovaLBError):
    """Nova or Placement kept failing (5xx, refused, timed out) past every
    retry; the message names the call and its last error."""


class RebalancerBusy(NovaLBError):
    """Another rebalancer, apply or drain holds the rebalancing lock."""


class StalePlan(NovaLBError):
    """A reviewed plan no longer fits the cloud; the message says why."""


class MetricsUnavailable(NovaLBError):
    """Prometheus could not answer a measured-load query, or answered no
    series at all; the message names the query."""


class CloudError(NovaLBError):
    """The cloud cannot be reached, or refused or failed a call.

    The message names the cloud or the API call and the reason.
    """


class UnknownHost(NovaLBError):
    """A host name that is not a nova-compute host of the cloud."""

    exit_code = EXIT_BAD_INPUT


class InvalidPlan(NovaLBError):
    """The planner made a plan its independent checker rejects (a bug):
    the plan is withheld and the message lists the violations."""


class InvalidPlanFile(NovaLBError):
    """A plan file that cannot be read or is not a nova-lb-plan/1 plan."""

    exit_code = EXIT_BAD_INPUT


class Stopped(NovaLBError):
    """Asked to stop (SIGTERM) while nothing was moving: the run is
    skipped, not failed (see :mod:`nova_lb.rebalancer.outcome`)."""

    exit_code = EXIT_OK
