"""A fast heuristic: bring every host under a target with few moves.

It is the solver's fallback and its answer for zones too large for the
exact model within the time limit. For a given target utilisation per
resource class it takes the hosts above the target, hottest first, and
moves off each the fewest units that bring it down (the smallest unit that
does it alone, else the largest that fits somewhere), each to the coolest
host that stays within the target, its limit and anti-affinity.
Destinations never go above the target, so a host is fixed once.
:func:`lowest` bisects over the target to find the lowest one it reaches.
"""

import numpy as np

_EPS = 1e-9


def reach(zone, target, budget):
    """Unit locations with every counted host within ``target`` (R,).

    :returns: ``(unit_host, moves, ok)``; ``ok`` is False when some host
        stays above the target (no unit fits anywhere, or the budget of
        moves ran out).
    """
    top = np.where(zone.weights > 0, target * zone.capacity, np.inf)
    room = np.minimum(zone.limit, top)
    usage = np.array(zone.usage)
    movable = np.zeros_like(usage)
    np.add.at(movable, zone.unit_host, zone.unit_demand)
    # A host being drained must end with only what cannot move.
    top[zone.drain] = usage[zone.drain] - movable[zone.drain]
    location = np.array(zone.unit_host)
    counts = [np.array(c) for c in zone.anti_count]
    on_host = {}
    for u, h in enumerate(location):
        on_host.setdefault(int(h), []).append(u)
    excess = np.where((zone.accepts | zone.drain)[:, None], usage - top,
                      0.0).max(axis=1)
    moves, ok = 0, True
    for h in np.argsort(-excess):
        if excess[h] <= _EPS:
            break
        units = list(on_host.get(int(h), ()))
        while np.any(usage[h] - top[h] > _EPS):
            if moves >= budget or not units:
                ok = False
                break
            u, dest = _pick(zone, usage, top, room, counts, h, units)
            if dest is None:
                units.remove(u)
                continue
            units.remove(u)
            usage[h] -= zone.unit_demand[u]
            usage[dest] += zone.unit_demand[u]
            if zone.unit_group[u] >= 0:
                counts[zone.unit_group[u]][h] -= 1
                counts[zone.unit_group[u]][dest] += 1
            location[u] = dest
            moves += 1
    return location, moves, ok


def _pick(zone, usage, top, room, counts, h, units):
    """The unit to move off ``h`` next and its destination (or None)."""
    over = np.maximum(usage[h] - top[h], 0.0)
    cap = np.where(zone.capacity[h] > 0, zone.capacity[h], 1.0)
    demand = zone.unit_demand[units]
    share = (demand / cap)[:, over > 0].sum(axis=1)
    enough = np.all(demand[:, over > 0] >= over[over > 0] - _EPS, axis=1)
    # The smallest unit that fixes the host alone, else the largest.
    order = np.where(enough, share, -share + 1e6)
    u = units[int(np.argmin(order))]
    return u, _destination(zone, usage, room, counts, h, u)


def _destination(zone, usage, room, counts, h, u):
    after = usage + zone.unit_demand[u]
    fits = zone.receives & np.all(after <= room + _EPS, axis=1)
    fits[h] = False
    g = zone.unit_group[u]
    if g >= 0:
        fits &= counts[g] + 1 <= zone.anti_allow[g]
    if not fits.any():
        return None
    score = (zone.util(after) * zone.weights).max(axis=1)
    return int(np.argmin(np.where(fits, score, np.inf)))


def lowest(zone, budget, steps=12):
    """The lowest target the heuristic reaches, bisecting above the mean.

    :returns: ``(unit_host, moves, peaks)`` of the best run.
    """
    bound = zone.mean_bound()
    now = zone.peaks()
    best = (np.array(zone.unit_host), 0, now)
    lo, hi = 0.0, float(np.max(np.where(zone.weights > 0, now - bound, 0)))
    if zone.drain.any():
        # Emptying a host may have to raise the peak: search up to full.
        hi = max(hi, float(np.max(1.0 - bound)))
    for _ in range(steps):
        if hi - lo < 1e-3:
            break
        mid = (lo + hi) / 2
        location, moves, ok = reach(zone, bound + mid, budget)
        if ok:
            hi = mid
            best = (location, moves, zone.peaks(zone.usage_after(location)))
        else:
            lo = mid
    return best

