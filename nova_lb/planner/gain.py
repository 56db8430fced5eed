"""What each move of a plan buys: its marginal gain.

A plan's total gain can hide passengers: moves that cost a live migration
and change almost nothing. The gain of one server's move is how much
higher the weighted peak utilisation of its availability zone would be if
that server alone stayed where it is and every other move happened: the
objective the solver minimises (peaks per resource class over the hosts
that count, weighted by the cost model's weights scaled to sum to 1),
taken one move at a time. ``[rebalancer] min_gain`` holds every move to
it (see :mod:`nova_lb.rebalancer.policy`).
"""

import numpy as np

from nova_lb.model import constraints
from nova_lb.model import cost


def marginal(cluster, where):
    """``{server uuid: gain}`` for every server ``where`` moves.

    :param where: (S,) host index of each movable server after the plan.
    """
    moved = np.flatnonzero(np.asarray(where) != cluster.location)
    if not len(moved):
        return {}
    weights = cluster.cost.for_classes(cluster.resource_classes).weight_vector
    weights = weights / weights.sum()
    usage = cluster.usage(where)
    util = cost.utilisation(usage, cluster.capacity)
    counted = np.asarray(cluster.accepts, dtype=bool)
    zones = constraints.SameZone.members(cluster.host_az)
    gains = {}
    for s in moved:
        home, there = int(cluster.location[s]), int(where[s])
        hosts = counted & zones[constraints.SameZone.label(
            cluster.host_az[home])]
        if not hosts.any():
            gains[cluster.servers[s]] = 0.0
            continue
        stayed = util.copy()
        stayed[home] = cost.utilisation(usage[home] + cluster.demand[s],
                                        cluster.capacity[home])
        stayed[there] = cost.utilisation(usage[there] - cluster.demand[s],
                                         cluster.capacity[there])
        now = np.dot(weights, util[hosts].max(axis=0))
        then = np.dot(weights, stayed[hosts].max(axis=0))
        gain = then - now if np.isfinite(then - now) else 1.0
        gains[cluster.servers[s]] = float(max(gain, 0.0))
    return gains
