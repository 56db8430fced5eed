"""Stage 2 by shape: the fewest moves that bring every host under an aim.

The aim is the fractional relaxation's peaks plus the tolerance. Just
above them HiGHS finds an integral plan of a zone of a hundred hosts in a
second or two, but on five hundred hosts its root cuts alone outlast the
time limit. Large zones therefore take the cheapest *fractional* plan
under the aim (a linear programme: well under a second), keep its counts
rounded down, which stay under the aim, and place the few servers left
over one at a time where they raise the heat above the aim least,
preferring the host they came from. Smaller zones fall back to that
when HiGHS runs out of its half of the time.
"""

import time

import numpy as np

from nova_lb.model import constraints
from nova_lb.solver import clock
from nova_lb.solver import shapes

#: Largest count model solved as a MILP in one piece.
WHOLE = 4000
#: Tolerances above the aim under which :func:`_rounded` looks for a
#: fractional plan when there is none within one.
_WIDER = (2, 4, 8)
#: HiGHS's relative gap for the lowest integral peaks of a zone whose
#: aim is out of reach: the peaks the plan ends at, so tight (a small
#: zone closes it in well under a second).
_GAP = 1e-3


def solves_whole(nv, whole=None):
    """Whether HiGHS takes an integral count model of ``nv`` variables
    (one zone, or several side by side) in one piece: past ``whole``
    (default :data:`WHOLE`) its root cuts alone outlast the time limit."""
    return nv <= (WHOLE if whole is None else whole)


def reach(zone, model, aim, tolerance, deadline, whole=None):
    """``(unit locations, exact)`` meeting ``aim + tolerance``, or
    ``(None, False)``.

    ``exact`` when the integral model found them: the fewest/cheapest
    moves (within HiGHS's gap) to peaks within the tolerance of the aim,
    nothing left to polish. Otherwise (zones with more than ``whole``
    count variables, default :data:`WHOLE`, or HiGHS out of time) they
    are the rounded fractional plan, roughly at the aim, or HiGHS's best
    plan so far when that is lower.
    """
    unproven = None
    if solves_whole(model.nv, whole):
        location, exact = _integral(zone, model, aim, tolerance, deadline)
        if exact:
            return location, True
        unproven = location
        # On a busy machine HiGHS may not finish (and overruns its
        # limit), and the rounded fractional plan below is still far
        # better than the heuristics the solver would fall back to, so it
        # gets at least a second even past the deadline.
        deadline = max(deadline, time.monotonic() + 1.0)
    found = [loc for loc in (unproven, _rounded(zone, model, aim, tolerance,
                                                deadline))
             if loc is not None]
    if not found:
        return None, False
    return min(found, key=zone.weighted_after), False


def _rounded(zone, model, aim, tolerance, deadline):
    """The rounded cheapest fractional plan under ``aim + tolerance``, or
    None.

    With no such plan and no relaxed counts to round, the plan under
    :data:`_WIDER` tolerances above the aim: the aim is the peaks of a
    relaxation (the zones' or the model's), which the plan model may
    miss by a little (5,000 hosts, ``mixed``, seed 102: a 2,500-host
    zone found no plan under its own relaxed peaks plus 0.005, one
    under plus 0.010, and without it fell back to the heuristics, 0.098
    above the bound).
    """
    x = model.fractional_churn(aim + tolerance, clock.left(deadline))
    if x is None:
        # Out of time (a busy machine, a zone of thousands of hosts): the
        # relaxation's fractional plan is under the aim too, only with
        # more moves, and rounding it is far better than the heuristics.
        x = model.relaxed_counts
    for wider in _WIDER if tolerance > 0 else ():
        if x is not None or clock.left(deadline) <= 0:
            break
        x = model.fractional_churn(aim + wider * tolerance,
                                   clock.left(deadline))
    if x is None:
        return None
    return located(zone, model, _round(zone, model, x, aim))


def located(zone, model, counts):
    """Locations of ``counts`` (``model``'s columns, or None), or None
    when they have none or move more servers than the budget."""
    location = None if counts is None else model.locations(counts)
    if (location is None or np.sum(location != zone.unit_host)
            > model.hi[model.budget_row]):
        return None
    return location


def _integral(zone, model, aim, tolerance, deadline):
    """``(locations or None, exact)``: the cheapest moves to ``aim +
    tolerance`` by the integral model.

    The aim is a relaxation's: on a small zone whose hosts are few or
    unalike, no integral plan may come within the tolerance of it (HiGHS
    proves that in a blink). The aim then moves up to the zone's lowest
    integral peaks above it (:meth:`ShapeCountModel.min_peak` with the
    aim as floor), and the cheapest moves go within the tolerance of
    those. When HiGHS runs out of time before it proves those peaks, its
    best plan so far is not ``exact``: it may be far above them (200
    hosts, profile ``mixed``: 0.604 where the rounded fractional plan,
    polished, reaches 0.504), or close (20 hosts, ``tight``: 0.687
    where the rounded plan reaches 0.699).
    """
    location, res = model.min_churn(aim + tolerance,
                                    clock.left(deadline) * 0.6)
    if (location is not None or res is None
            or res.status != shapes.INFEASIBLE):
        return location, location is not None
    lowest, res = model.min_peak(clock.left(deadline) / 2, gap=_GAP,
                                 floor=aim)
    if lowest is None or res.status != 0:
        return lowest, False
    peaks = np.maximum(zone.peaks_after(lowest), aim)
    location = model.min_churn(peaks + tolerance, clock.left(deadline),
                               near=lowest)[0]
    return (lowest if location is None else location), True


def prune_target(peaks, aim, tolerance, weights):
    """(R,) how high :func:`nova_lb.solver.local.prune` may let each class
    rise on a plan with ``peaks`` found by :func:`reach`.

    Up to the aim plus the tolerance: no zone need go below the hardest
    zone's relaxed peaks. Where the plan missed the aim in some class
    (rounding on large zones), a class it kept below the aim rises at most
    ``tolerance`` above its peak (classes of ``weights`` 0 are limits,
    not aims, and do not count as missed): otherwise undoing moves would
    lift that class to the aim while the missed class stays where it is,
    and the weighted peak would end far more than ``tolerance`` above the
    plan's.
    """
    target = np.maximum(peaks, aim + tolerance)
    if np.any((peaks > aim + tolerance + 1e-9) & (weights > 0)):
        target = np.minimum(target, peaks + tolerance)
    return target


def _round(zone, model, x, aim):
    """Integral counts from fractional ones ``x``; totals kept.

    Counts are rounded down, and each server left over goes, big shapes
    first, to a host where ``x`` had a fraction of its shape: of those,
    where it raises the heat above the aim least (then the largest
    fraction); only when none may take it, to any host.

    Why the fractions: ``x`` fills every host up to the aim in the
    classes that bind it, so a whole server fits nowhere, and the heat
    alone sends each one where it overshoots least, whatever that does
    to the host generations: on a ``mixed`` cloud (compute-dense,
    memory-dense and balanced hosts) the memory-dense hosts then held
    more CPU than the aim on average, and the balanced ones more memory
    (1,000 hosts, seed 100: 0.353 and 0.655, aims 0.346 and 0.649). No
    move or swap undoes a whole generation's excess, and local search
    stopped 0.06 above the bound. Where ``x`` had the servers,
    each generation keeps its share of every class, and what is left
    is a few hosts a server too full, which local search evens out
    (1,000 hosts, tuning seeds 1 and 2: ``mixed`` 0.063 -> 0.056 above
    the bound, ``large`` 0.063 -> 0.048).
    """
    counts = np.floor(x + 1e-6).astype(int)
    part = x - counts
    k, h = len(model.demand), len(zone.hosts)
    dense = np.zeros((k, h), dtype=int)
    dense[model.vk, model.vh] = counts
    usage = model.base + dense.T @ model.demand
    members = [np.zeros(h, int) + zone.anti_count[g]
               - np.bincount(zone.unit_host[model.units][
                   model.group[model.shape_of] == g], minlength=h)
               for g in range(len(zone.anti_allow))]
    for g, m in enumerate(members):
        m += dense[model.group == g].sum(axis=0)
    weighted = zone.weights > 0
    cap = np.where(zone.capacity > 0, zone.capacity, np.inf)
    missing = np.bincount(model.vk, weights=model.now,
                          minlength=k) - dense.sum(axis=1)
    # Big shapes first: small ones fill the gaps they leave.
    for s in np.argsort(-(model.demand[:, weighted] @ zone.weights[weighted])):
        sel = np.flatnonzero(model.vk == s)
        hosts = model.vh[sel]
        for _ in range(int(round(missing[s]))):
            after = usage[hosts] + model.demand[s]
            # A host that does not receive only gets its own back.
            ok = (counts[sel] < model.upper[sel]) & (
                ~zone.receives[hosts]
                | constraints.Capacity.fits(after, zone.limit[hosts]))
            g = model.group[s]
            if g >= 0:
                ok &= constraints.AntiAffinity.admits(
                    members[g][hosts], zone.anti_allow[g][hosts])
            if not ok.any():
                return None
            excess = (after / cap[hosts] - aim)[:, weighted].max(axis=1)
            home = counts[sel] < model.now[sel]
            # Last key first: a fraction here, the heat, the fraction,
            # the host it came from.
            pick = np.flatnonzero(ok)[np.lexsort(
                (~home[ok], -part[sel][ok], np.round(excess[ok], 4),
                 part[sel][ok] <= 1e-6))[0]]
            part[sel[pick]] = 0.0
            counts[sel[pick]] += 1
            usage[hosts[pick]] += model.demand[s]
            if g >= 0:
                members[g][hosts[pick]] += 1
    return counts
