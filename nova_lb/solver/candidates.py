"""Which moves get a variable in the exact model.

A small zone gets every move that could ever be valid, so the bound HiGHS
proves holds for the whole zone. A large one would not fit in the time
limit that way, so the model is restricted the way an admin would: only
units on hosts above the zone's mean may move, the largest ones first,
each to a few hosts below the mean (the coolest, plus a share spread over
the others so that the destinations are not all the same few hosts), and
the greedy answer's own moves are always kept, so the restricted model
contains the heuristic's plan. Its bound is then only the mean bound.
"""

import numpy as np


def _static(zone):
    """(u, h) bool: moves that are valid for the unit on its own."""
    if not len(zone.units):
        return np.zeros((0, len(zone.hosts)), dtype=bool)
    on_hosts = np.zeros_like(zone.usage)
    np.add.at(on_hosts, zone.unit_host, zone.unit_demand)
    # Room on each host if every movable unit left it.
    room = zone.limit - (zone.usage - on_hosts)
    ok = np.all(zone.unit_demand[:, None, :] <= room[None, :, :] + 1e-9,
                axis=2)
    ok &= zone.receives[None, :]
    ok &= (zone.accepts | zone.drain)[zone.unit_host][:, None]
    ok[np.arange(len(zone.units)), zone.unit_host] = False
    for g, allow in enumerate(zone.anti_allow):
        ok[zone.unit_group == g] &= (allow > 0)[None, :]
    return ok


def pairs(zone, limit, keep=None):
    """``(pu, pd, exact)``: candidate moves, and whether that is all of them.

    :param keep: unit locations whose moves must be candidates (the
        greedy answer).
    """
    full = _count_full(zone)
    if full <= limit:
        pu, pd = np.nonzero(_static(zone))
        return pu, pd, True
    return _restricted(zone, limit, keep) + (False,)


def _count_full(zone):
    rough = int(zone.accepts[zone.unit_host].sum()) * int(zone.receives.sum())
    return rough


def _restricted(zone, limit, keep):
    util = zone.util()
    above = (util - zone.mean_bound())[:, zone.weights > 0]
    source = (zone.accepts & np.any(above > 0, axis=1)) | zone.drain
    dests = np.flatnonzero(zone.receives & np.all(above < 0, axis=1))
    if not len(dests):
        dests = np.flatnonzero(zone.receives & ~source)
    dests = dests[np.argsort(above[dests].max(axis=1))]
    movers = np.flatnonzero(source[zone.unit_host])
    # The biggest units of each source host, as many as the limit allows.
    share = (zone.unit_demand[movers] / np.maximum(
        zone.capacity[zone.unit_host[movers]], 1e-9))[:, zone.weights > 0]
    per_dest = max(4, min(len(dests), 16))
    movers = movers[np.argsort(-share.max(axis=1))][:max(1, limit
                                                          // per_dest)]
    movers = np.union1d(movers, np.flatnonzero(zone.must_move()))
    if keep is not None:
        movers = np.union1d(movers, np.flatnonzero(keep != zone.unit_host))
    half = per_dest // 2
    pu, pd = [], []
    for i, u in enumerate(movers):
        mine = np.concatenate([dests[:half], dests[half:][
            (i * half + np.arange(half)) % max(len(dests) - half, 1)]
            if len(dests) > half else dests[:0]])
        if keep is not None and keep[u] != zone.unit_host[u]:
            mine = np.append(mine, keep[u])
        mine = np.unique(mine)
        mine = mine[mine != zone.unit_host[u]]
        fits = np.all(zone.unit_demand[u] <= zone.limit[mine] + 1e-9, axis=1)
        g = zone.unit_group[u]
        if g >= 0:
            fits &= zone.anti_allow[g][mine] > 0
        pu.append(np.full(fits.sum(), u))
        pd.append(mine[fits])
    if not pu:
        return np.zeros(0, int), np.zeros(0, int)
    return np.concatenate(pu).astype(int), np.concatenate(pd).astype(int)
