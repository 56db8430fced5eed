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
    tops = {name: _top3(util, counted & mask) for name, mask in
            constraints.SameZone.members(cluster.host_az).items()}
    cols = np.arange(util.shape[1])
    gains = {}
    for s in moved:
        home, there = int(cluster.location[s]), int(where[s])
        top, top_util = tops[constraints.SameZone.label(
            cluster.host_az[home])]
        if top is None:
            gains[cluster.servers[s]] = 0.0
            continue
        # Only the two hosts change: the zone's peak per class is theirs
        # or the highest of the others, among the zone's top three.
        rest = np.zeros(len(cols), dtype=int)
        for skip in (home, there, home):
            rest += top[rest, cols] == skip
        then = top_util[rest, cols]
        if counted[home]:
            then = np.maximum(then, cost.utilisation(
                usage[home] + cluster.demand[s], cluster.capacity[home]))
        if counted[there]:
            then = np.maximum(then, cost.utilisation(
                usage[there] - cluster.demand[s], cluster.capacity[there]))
        gain = np.dot(weights, then) - np.dot(weights, top_util[0])
        gains[cluster.servers[s]] = float(max(gain, 0.0)
                                          if np.isfinite(gain) else 1.0)
    return gains


def _top3(util, hosts):
    """``(top, their utilisations)``: (4, R) the indices of the three
    hosts of ``hosts`` with the highest utilisation per class and a last
    row of -1 (also where there are fewer hosts), whose utilisation is
    -inf; the first row is the peaks. ``(None, None)`` without hosts.

    A move changes two hosts, so the zone's peak without them is among
    the three highest.
    """
    index = np.flatnonzero(hosts)
    if not len(index):
        return None, None
    order = np.argsort(-util[index], axis=0, kind='stable')[:3]
    top = np.full((4, util.shape[1]), -1)
    top[:len(order)] = index[order]
    top_util = np.where(top >= 0, util[np.maximum(top, 0),
                                       np.arange(util.shape[1])], -np.inf)
    return top, top_util
