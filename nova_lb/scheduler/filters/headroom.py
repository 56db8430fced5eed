"""HeadroomFilter: keep every host below a utilisation ceiling.

Placement already refuses a host that cannot fit a request at all. This
filter keeps headroom on top of that: it rejects a host if placing the
request would push any resource class above ``[nova_lb] *_ceiling`` (or the
host's aggregate override ``nova_lb_*_ceiling``), the same limit the
rebalancer plans within. Moves are judged like boots, on the destination:
a move claims its (new) flavor there. A rebuild stays on its host and claims
nothing new, so it always passes. The candidates it reads are handed to the
weigher of the same request (``nova_lb.scheduler.handoff``).
"""

import functools

import nova.conf
from nova.scheduler import filters
import numpy as np
from oslo_log import log as logging

from nova_lb.conf import nova_lb_group
from nova_lb import contract
from nova_lb.model import cost_settings
from nova_lb.scheduler import candidates
from nova_lb.scheduler import handoff
from nova_lb.scheduler import projection
from nova_lb.scheduler import request

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

#: Aggregate metadata keys, in ``projection.CLASSES`` order.
AGGREGATE_KEYS = tuple(
    contract.aggregate_key(nova_lb_group.CEILING_OPTS[rc])
    for rc in projection.CLASSES)

# A request filling a host exactly to its ceiling passes, whatever the
# rounding of used / capacity.
_TOLERANCE = 1e-9


class HeadroomFilter(filters.BaseHostFilter):
    """Reject hosts that placing the request would fill above a ceiling."""

    # Rebuilds are let through by filter_all itself.
    RUN_ON_REBUILD = False

    def __init__(self):
        super().__init__()
        # nova-scheduler builds its filters once at start-up: a bad
        # [nova_lb] value stops it here, in one line, not in every request.
        cost_settings.load(CONF)

    def host_passes(self, host_state, spec_obj):
        return bool(self.filter_all([host_state], spec_obj))

    def filter_all(self, filter_obj_list, spec_obj):
        """Judge all candidates at once (one pass, numpy); see module doc."""
        hosts = list(filter_obj_list)
        handoff.drop(spec_obj)
        kind = request.kind(spec_obj)
        LOG.debug("HeadroomFilter judges a %(kind)s request for instance "
                  "%(uuid)s (requested destination: %(dest)s)",
                  {'kind': kind, 'uuid': spec_obj.instance_uuid,
                   'dest': request.destination(spec_obj)})
        if kind == request.REBUILD or not hosts:
            return hosts
        settings = cost_settings.load(CONF)
        table = candidates.Candidates(
            hosts, request.amounts(spec_obj, projection.CLASSES), settings)
        handoff.leave(spec_obj, table)
        ceilings = table.aggregate_values(
            AGGREGATE_KEYS,
            [settings.ceilings[rc] for rc in projection.CLASSES],
            positive=True)
        # A ceiling of 1.0 is off: capacity is Placement's business.
        off = ceilings >= 1.0
        if off.all():
            return hosts
        limits = np.where(off, np.inf, ceilings + _TOLERANCE)
        util = table.util
        # NaN (a figure missing from the HostState) never passes. Column
        # by column, as the cost model reduces (see cost._weighted_columns).
        fits = functools.reduce(np.logical_and, (util <= limits).T)
        if not fits.all():
            table = table.narrowed(fits)
            handoff.leave(spec_obj, table)
        # The weigher of this request weighs the hosts that pass by their
        # cost: computed now, while the arrays and numpy's code are in the
        # CPU's caches, it takes a fraction of what it takes after Nova's
        # other weighers ran.
        table.weight_list
        if LOG.isEnabledFor(logging.DEBUG):
            for i in np.flatnonzero(~fits):
                LOG.debug("%(host)s rejected for the %(kind)s request: "
                          "utilisation after placing it %(util)s, ceilings "
                          "%(ceil)s (%(classes)s)",
                          {'host': hosts[i], 'kind': kind,
                           'util': util[i].round(3).tolist(),
                           'ceil': np.broadcast_to(
                               ceilings, util.shape)[i].tolist(),
                           'classes': ', '.join(projection.CLASSES)})
        return table.hosts
