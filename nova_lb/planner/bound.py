"""The proven bound of a measured-load plan, on what servers really use.

In measured mode the solver plans on use rounded to the nearest tenth of
each server's allocation (:func:`nova_lb.model.measured.coarse`): its
bound is one of that nearby problem, and lies above the real optimum when
rounding moved busy servers up. Admins read "proven" literally, so the
plan reports the larger of two bounds that hold for the raw problem:

* per zone, the mean and the load that cannot move, on raw use
  (:meth:`nova_lb.solver.zone.Zone.lower_bound`): no plan goes below
  either;
* on zones of up to :data:`LARGEST` count variables, the linear
  relaxation of the problem with use rounded *down*
  (:func:`nova_lb.model.measured.floored`): every placement loads each
  host there at most as much as it really does, so that problem's best
  peak, and its relaxation below it, is at most the real best peak.

On the benchmark clouds the first equals the relaxation of the raw
problem (which, with a shape per server, takes minutes); the second
counts where hosts of different shapes keep the classes from levelling
together, which small zones show most. On larger zones it would add
seconds to every plan for nothing, and the rounding makes it weaker than
the first (each host loses up to a tenth of each server's allocation).
"""

import numpy as np

from nova_lb.model import measured
from nova_lb.solver import shapes
from nova_lb.solver import zone as zone_mod

#: Largest floored model relaxed for a bound, in count variables: well
#: under a second.
LARGEST = 4000


def raw(model, time_limit):
    """``(bound, {zone name: bound})`` for ``model``'s weighted peak.

    :param time_limit: seconds all zones' relaxations may take together.
    """
    zones = zone_mod.split(model)[0]
    if not zones:
        return 0.0, {}
    rounded = zone_mod.split(measured.floored(model))[0]
    per_zone = {}
    for z, low in zip(zones, rounded):
        bound = z.weighted(z.lower_bound())
        if _count_variables(low) <= LARGEST:
            relaxed = shapes.models(low, len(low.units), 0.0)[0].relaxed(
                time_limit / len(zones))[0]
            bound = max(bound, relaxed or 0.0)
        per_zone[z.name or 'default'] = bound
    # The cloud's peak is the highest over its zones, per class.
    cloud = float(np.dot(zone_mod.class_weights(model), np.max(
        [z.lower_bound() for z in zones], axis=0)))
    return max([cloud] + list(per_zone.values())), per_zone


def _count_variables(zone):
    """About how many count variables the model of ``zone`` has: one per
    kind of server and host that takes servers, at least (building the
    model of a large zone only to find it large takes most of a second)."""
    kinds = len(np.unique(zone.unit_demand, axis=0))
    return kinds * int(np.sum(zone.accepts))
