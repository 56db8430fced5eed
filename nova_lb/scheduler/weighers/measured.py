"""MeasuredLoadWeigher: do not refill a host the rebalancer just cooled.

With ``[solver] balance = measured`` the rebalancer moves busy servers off
hosts whose physical CPUs are hot, while Placement may still show those
hosts half empty; a weigher that looks only at allocations would send the
next boots straight back. This weigher ranks hosts by the measured CPU
use Nova itself brings to the scheduler: the ``cpu.percent`` metric of
Nova's compute monitors (``[DEFAULT] compute_monitors =
cpu.virt_driver``), which each compute reports with its resources and
``HostState.metrics`` carries (an integer percent), exactly as Nova's
MetricsWeigher reads it. No network call is made in the request path.

A host that does not report the metric ranks as fully busy: missing data
is never taken for an idle host. When no host reports it, every host
weighs the same and the weigher changes nothing.
"""

import nova.conf
from nova.scheduler import utils
from nova.scheduler import weights

from nova_lb import contract

CONF = nova.conf.CONF

METRIC = 'cpu.percent'
MULTIPLIER_KEY = contract.aggregate_key('measured_weight_multiplier')


class MeasuredLoadWeigher(weights.BaseHostWeigher):
    """Prefer hosts whose measured CPU use is lower."""

    def weight_multiplier(self, host_state):
        """``[nova_lb] measured_weight_multiplier``, or the aggregate's."""
        return utils.get_weight_multiplier(
            host_state, MULTIPLIER_KEY,
            CONF.nova_lb.measured_weight_multiplier)

    def _weigh_object(self, host_state, weight_properties):
        """Minus the host's CPU use in percent (-100, fully busy, without
        data)."""
        for metric in host_state.metrics or ():
            if metric.name == METRIC:
                return -float(metric.value)
        return -100.0
