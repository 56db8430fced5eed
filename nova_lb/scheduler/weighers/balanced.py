"""BalancedUtilizationWeigher: prefer hosts that stay balanced.

Each candidate is weighed by the shared cost model (``nova_lb.model.cost``)
applied to its utilisation after placing the request: lower weighted peak
and lower imbalance between resource classes rank higher. A host with idle
CPUs but nearly full memory thus ranks below a host that is evenly used,
since its CPUs would be stranded.

Nova's HostWeightHandler normalises what ``weigh_objects`` returns with
``normalize(weights, minval, maxval)`` and then multiplies each host's
weight by ``weight_multiplier(host_state)``, called once per host. To read
the multiplier (``[nova_lb] weight_multiplier`` or the aggregate metadata
``nova_lb_weight_multiplier``) once per request instead, ``weigh_objects``
does both steps itself, as Nova would: min-max normalisation of the scores
(rounded to ``candidates.WEIGHT_DECIMALS``), then the multiplier.
``minval = 0`` and ``maxval = 1`` make Nova's own normalisation the
identity, and ``weight_multiplier`` returns 1.
"""

import itertools
import operator

import nova.conf
from nova.scheduler import weights
from oslo_log import log as logging

from nova_lb import contract
from nova_lb.model import cost_settings
from nova_lb.scheduler import candidates
from nova_lb.scheduler import handoff
from nova_lb.scheduler import projection
from nova_lb.scheduler import request

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

MULTIPLIER_KEY = contract.aggregate_key('weight_multiplier')

_HOST = operator.attrgetter('obj')


class BalancedUtilizationWeigher(weights.BaseHostWeigher):
    """Weigh hosts by the cost model on their projected utilisation."""

    # weigh_objects returns final weights; keep Nova's normalize a no-op.
    minval = 0.0
    maxval = 1.0

    def __init__(self):
        super().__init__()
        # nova-scheduler builds its weighers once at start-up: a bad
        # [nova_lb] value stops it here, in one line.
        cost_settings.load(CONF)

    def weight_multiplier(self, host_state):
        """1: the multiplier is already applied by ``weigh_objects``."""
        return 1.0

    def _weigh_object(self, host_state, weight_properties):
        """Raw score of one host: minus its cost after placing the request."""
        table = candidates.Candidates(
            [host_state], request.amounts(weight_properties,
                                          projection.CLASSES),
            cost_settings.load(CONF))
        return -float(table.costs[0])

    def weigh_objects(self, weighed_obj_list, weight_properties):
        hosts = list(map(_HOST, weighed_obj_list))
        # HeadroomFilter, when enabled, has just read these hosts (or more)
        # for this request, with its settings.
        table = handoff.take(weight_properties)
        rows = table.rows(hosts) if table is not None else None
        if rows is None:
            table = candidates.Candidates(hosts, request.amounts(
                weight_properties, projection.CLASSES),
                cost_settings.load(CONF))
            rows = slice(None)
        normalised = (table.weight_list if isinstance(rows, slice)
                      else candidates.normalise(table.costs[rows]).tolist())
        if table.overridden((MULTIPLIER_KEY,)):
            multipliers = table.aggregate_values(
                (MULTIPLIER_KEY,), (table.settings.weight_multiplier,))[
                    rows, 0].tolist()
        else:
            multipliers = itertools.repeat(table.settings.weight_multiplier)
        weighed = list(map(operator.mul, normalised, multipliers))
        if LOG.isEnabledFor(logging.DEBUG):
            LOG.debug("BalancedUtilizationWeigher: cost, multiplier per "
                      "host: %(costs)s",
                      {'costs': {h.host: (round(c, 4), m) for h, c, m
                                 in zip(hosts, table.costs[rows].tolist(),
                                        multipliers)}})
        return weighed
