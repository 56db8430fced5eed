"""DrainingHostFilter: no new servers on a host that is being emptied.

The rebalancer (or an admin) drains a host by adding it to the host
aggregate named by ``[nova_lb] draining_aggregate``. Without this filter
nova-scheduler would keep choosing the emptiest host, which a draining host
soon is, and undo the drain. Moves are rejected there too (the host is their
destination); a rebuild stays on its host and claims nothing new, so it
passes.
"""

import nova.conf
from nova.scheduler import filters
from oslo_log import log as logging

from nova_lb import conf as nova_lb_conf  # noqa: F401 (registers [nova_lb])
from nova_lb import exception
from nova_lb.scheduler import candidate_hosts
from nova_lb.scheduler import request

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)


def _aggregate_name():
    name = CONF.nova_lb.draining_aggregate
    if not name or not name.strip():
        raise exception.InvalidConfig(
            '[nova_lb] draining_aggregate must name a host aggregate, '
            'not %r' % name)
    return name


class DrainingHostFilter(filters.BaseHostFilter):
    """Reject hosts in the ``[nova_lb] draining_aggregate`` aggregate."""

    # Rebuilds are let through by filter_all itself.
    RUN_ON_REBUILD = False

    def __init__(self):
        super().__init__()
        # Checked once at nova-scheduler start-up, in one line.
        _aggregate_name()

    def host_passes(self, host_state, spec_obj):
        return bool(self.filter_all([host_state], spec_obj))

    def filter_all(self, filter_obj_list, spec_obj):
        hosts = list(filter_obj_list)
        if request.kind(spec_obj) == request.REBUILD:
            return hosts
        name = _aggregate_name()
        aggregates = candidate_hosts.distinct_aggregates(
            map(candidate_hosts.AGGREGATES, hosts))
        draining = {a for a in aggregates if a.name == name}
        if not draining:
            return hosts
        passing = []
        for host in hosts:
            if draining.isdisjoint(host.aggregates):
                passing.append(host)
            else:
                LOG.debug("%(host)s is in the draining aggregate %(agg)s",
                          {'host': host, 'agg': name})
        return passing
