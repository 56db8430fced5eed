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

import time

import numpy as np

from nova_lb.model import constraints

_EPS = 1e-9


def reach(zone, target, budget):
    """Unit locations with every counted host within ``target`` (R,).

    :returns: ``(unit_host, moves, ok)``; ``ok`` is False when some host
        stays above the target (no unit fits anywhere, or the budget of
        moves ran out): the search then stops there.
    """
    top = np.where(zone.weights > 0, target * zone.capacity, np.inf)
    room = np.minimum(zone.limit, top)
    usage = np.array(zone.usage)
    movable = np.zeros_like(usage)
    np.add.at(movable, zone.unit_host, zone.unit_demand)
    top[zone.drain] = constraints.Drain.keeps(usage[zone.drain],
                                              movable[zone.drain])
    location = np.array(zone.unit_host)
    counts = [np.array(c) for c in zone.anti_count]
    on_host = {}
    for u, h in enumerate(location):
        on_host.setdefault(int(h), []).append(u)
    excess = np.where(
        constraints.Drain.gives(zone.accepts, zone.drain)[:, None],
        usage - top, 0.0).max(axis=1)
    # Only hosts with room left in every class can receive: a shrinking
    # set, which keeps each step cheap on large zones.
    open_ = np.flatnonzero(zone.receives & np.all(usage < room, axis=1))
    moves = 0
    for h in np.argsort(-excess):
        if excess[h] <= _EPS:
            break
        units = list(on_host.get(int(h), ()))
        while np.any(usage[h] - top[h] > _EPS):
            if moves >= budget or not units:
                # The target is out of reach: no need to go on.
                return location, moves, False
            if moves % 256 == 255:
                open_ = open_[np.all(usage[open_] < room[open_], axis=1)]
            u, dest = _pick(zone, usage, top, room, counts, h, units, open_)
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
    return location, moves, True


def _pick(zone, usage, top, room, counts, h, units, open_):
    """The unit to move off ``h`` next and its destination (or None)."""
    over = np.maximum(usage[h] - top[h], 0.0)
    cap = np.where(zone.capacity[h] > 0, zone.capacity[h], 1.0)
    demand = zone.unit_demand[units]
    share = (demand / cap)[:, over > 0].sum(axis=1)
    enough = np.all(demand[:, over > 0] >= over[over > 0] - _EPS, axis=1)
    # The smallest unit that fixes the host alone, else the largest.
    order = np.where(enough, share, -share + 1e6)
    u = units[int(np.argmin(order))]
    return u, _destination(zone, usage, room, counts, h, u, open_)


def _destination(zone, usage, room, counts, h, u, open_):
    """The coolest host of ``open_`` that takes ``u`` within ``room``
    (its limit, lowered to the target)."""
    hosts = open_[open_ != h]
    after = usage[hosts] + zone.unit_demand[u]
    fits = constraints.Capacity.fits(after, room[hosts])
    g = zone.unit_group[u]
    if g >= 0:
        fits &= constraints.AntiAffinity.admits(counts[g][hosts],
                                                zone.anti_allow[g][hosts])
    if not fits.any():
        return None
    cap = zone.capacity[hosts]
    score = (np.where(cap > 0, after / np.where(cap > 0, cap, 1.0), 0.0)
             * zone.weights).max(axis=1)
    return int(hosts[np.argmin(np.where(fits, score, np.inf))])


def lowest(zone, budget, deadline=None, steps=10):
    """The lowest target the heuristic reaches above the zone's bound.

    Well-spread clouds end a few hundredths above the bound, so the search
    tries 0.04 above it first, doubles until a run succeeds, then bisects.
    Stops after ``steps`` runs, at a precision of 0.005, or at
    ``deadline`` (``time.monotonic()``), whichever comes first.

    :returns: the unit locations of the best run.
    """
    bound = zone.lower_bound()
    now = zone.peaks()
    top = float(np.max(np.where(zone.weights > 0, now - bound, 0)))
    if zone.drain.any():
        # Emptying a host may have to raise the peak: search up to full.
        top = max(top, float(np.max(1.0 - bound)))
    best = np.array(zone.unit_host)
    lo, hi, probe = 0.0, None, min(0.04, top)
    for _ in range(steps):
        # Past the deadline, runs go on (each takes milliseconds) until
        # one succeeds: a slow machine still gets a plan, and a drain is
        # not optional.
        if deadline and time.monotonic() > deadline and hi is not None:
            break
        location, _, ok = reach(zone, bound + probe, budget)
        if ok:
            hi, best = probe, location
        else:
            lo = probe
        if hi is None:
            if probe >= top:
                break
            probe = min(2 * probe, top)
        elif hi - lo < 5e-3:
            break
        else:
            probe = (lo + hi) / 2
    return best
