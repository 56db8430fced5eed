"""Plans with a migration budget: spend the moves where the peak drops most.

With ``max_migrations`` below what a balanced cloud needs, the solver's
usual aim (the relaxation's peaks) is out of reach, and aiming at it zone
by zone wastes the budget: the cloud's peak of a class is the highest over
all its hosts, in every zone, so it drops only once a move has left *every*
host above the new peak. Lowering it a little on a cloud with many hot
hosts takes one move per hot host, everywhere at once.

So a budgeted plan is a search over targets shared by the whole cloud:
``target(s) = now - s * (now - goal)`` per weighted class, where ``now``
is the cloud's peaks and ``goal`` where an unlimited plan can go (the
relaxation's peaks, never below the zones' lower bounds). For each
direction (every weighted class together, or one class alone, since
lowering only the class with the fewest hot hosts may be what the budget
buys), a bisection over ``s`` finds the lowest target the greedy
heuristic (:func:`nova_lb.solver.greedy.reach`) brings every zone under
with at most ``budget`` moves in all. The budget splits over the zones by
what each needs; what is left cools the hottest hosts further
(:mod:`nova_lb.solver.local`, :mod:`nova_lb.solver.lns`), and moves the
reached peaks do not need go back. A cloud small enough for HiGHS also
gets the exact shape models of all its zones solved together with the
budget row, and each small zone its own with the other zones' peaks as a
floor (:meth:`nova_lb.solver.shapes.ShapeCountModel.min_peak`): on tight
clouds, where every move needs room another move makes, the greedy
heuristic stops short of what a few moves can do.
"""

import time

import numpy as np
from scipy import optimize
from scipy import sparse

from nova_lb.solver import aim as aim_mod
from nova_lb.solver import greedy
from nova_lb.solver import joint
from nova_lb.solver import lns
from nova_lb.solver import local

_EPS = 1e-9
#: Bisection steps per direction: the target's precision is 2**-10 of
#: the way from the cloud's peaks to the goal.
_STEPS = 10
#: Rounds over the zones when polishing: a zone's best moves depend on
#: the peaks the others reach.
_ROUNDS = 2
#: HiGHS's relative gap for a zone's exact plan: its answers are compared
#: with the heuristics' to a thousandth.
_GAP = 1e-3
#: Seconds the exact model of a small cloud gets at least.
_JOINT_TIME = 0.5


def spend(zones, models, budget, aim, deadline):
    """Unit locations per zone (a list in the order of ``zones``) with at
    most ``budget`` moves in all and the lowest cloud weighted peak found.

    :param models: the zones' :class:`~nova_lb.solver.shapes.ShapeCountModel`
        for plans; their budget row is changed.
    :param aim: (R,) the relaxation's peaks, highest over the zones.
    """
    weights = zones[0].weights
    now = np.max([z.peaks() for z in zones], axis=0)
    floor = np.max([z.lower_bound() for z in zones], axis=0)
    goal = np.minimum(now, np.maximum(aim, floor))
    best = [z.unit_host for z in zones]
    best_value = _value(zones, best)
    for direction in _directions(weights > 0):
        if time.monotonic() > deadline:
            break
        found = _lowest(zones, now - direction * (now - goal), now, budget,
                        deadline)
        if found is None:
            continue
        value = _value(zones, found)
        if value < best_value - _EPS:
            best, best_value = found, value
    # Half the time, and at least :data:`_JOINT_TIME` past the deadline:
    # on a busy machine HiGHS may need it even for a small cloud, and
    # nothing else finds the moves every zone must make together.
    joint, settled = _joint(zones, models, budget, best_value,
                            time.monotonic() + max(
                                (deadline - time.monotonic()) / 2,
                                _JOINT_TIME))
    if joint is not None and _rank(zones, joint) < _rank(zones, best):
        best = joint
    if not settled:
        best = _polish(zones, models, best, budget, deadline)
    peaks = _peaks(zones, best)
    return [local.prune(z, loc, peaks) for z, loc in zip(zones, best)]


def _directions(weighted):
    """Every weighted class lowered together, then each one alone."""
    yield weighted.astype(float)
    if weighted.sum() > 1:
        for r in np.flatnonzero(weighted):
            yield (np.arange(len(weighted)) == r).astype(float)


def _lowest(zones, goal, now, budget, deadline):
    """Locations meeting the lowest target between ``now`` (``s`` = 0)
    and ``goal`` (``s`` = 1) reached within ``budget``, or None."""
    lo, hi, best = 0.0, 1.0, None
    s = 1.0
    for _ in range(_STEPS):
        found = _reach(zones, now - s * (now - goal), budget)
        if found is not None:
            lo, best = s, found
        else:
            hi = s
        if hi - lo < 2.0 ** -_STEPS or time.monotonic() > deadline:
            break
        s = (lo + hi) / 2
    return best


def _reach(zones, target, budget):
    """Locations of every zone within ``target`` using at most ``budget``
    moves in all, or None."""
    found = []
    for z in zones:
        location, moves, ok = greedy.reach(z, target, budget)
        if not ok:
            return None
        budget -= moves
        found.append(location)
    return found


def _polish(zones, models, found, budget, deadline):
    """Spend what is left of the budget cooling each zone's hottest
    hosts, hottest zone first, in two rounds; keep a zone's new locations
    only when the cloud's weighted peak drops (or stays, with fewer
    moves).

    The exact model also gets the whole budget with the other zones left
    as they are: the greedy split may have spent moves in a zone that
    the exact plan of another one puts to better use.
    """
    found = list(found)
    start = [z.unit_host for z in zones]
    order = sorted(range(len(zones)),
                   key=lambda i: -zones[i].weighted_after(found[i]))
    steps = [i for _ in range(_ROUNDS) for i in order]
    for n, i in enumerate(steps):
        z = zones[i]
        left = (deadline - time.monotonic()) / (len(steps) - n)
        if left <= 0:
            break
        mine = int(np.sum(found[i] != z.unit_host))
        spare = budget - _moves(zones, found) + mine
        tried = [(found, _exact(zones, models, found, i, spare, left / 4))]
        if spare < budget:
            tried.append((start, _exact(zones, models, start, i, budget,
                                        left / 4)))
        better = local.descend(z, found[i], spare,
                               time.monotonic() + left / 4)
        tried.append((found, lns.improve(z, better, spare,
                                         time.monotonic() + left / 4)))
        for others, loc in tried:
            trial = others[:i] + [loc] + others[i + 1:]
            if loc is not None and _rank(zones, trial) < _rank(zones, found):
                found = trial
    return found


def _exact(zones, models, found, i, budget, time_limit):
    """Zone ``i``'s locations with the lowest cloud weighted peak (the
    other zones at ``found``) and at most ``budget`` moves, by HiGHS; or
    None (too large a model, or no answer in time)."""
    model = models[i]
    if not aim_mod.solves_whole(model.nv) or time_limit <= 0:
        return None
    others = [j for j in range(len(zones)) if j != i]
    floor = (np.max([zones[j].peaks_after(found[j])
                     for j in others], axis=0) if others
             else np.zeros(len(zones[i].weights)))
    model.hi[model.budget_row] = budget
    return model.min_peak(time_limit, gap=_GAP, floor=floor)[0]


def _joint(zones, models, budget, cutoff, deadline):
    """``(locations or None, settled)``: every zone's locations from one
    exact model of all of them (None: too large, or nothing below
    ``cutoff`` found in time); ``settled`` when HiGHS proved that nothing
    does better (within its gap), so polishing would be time lost.

    The zones' shape models side by side, sharing the peak columns and
    one budget row: on a tight cloud the peak of a class drops only when
    every zone lowers it together, which neither the greedy split nor one
    zone at a time finds. ``cutoff`` (the best weighted peak so far) caps
    the objective, so HiGHS prunes what cannot do better.
    """
    if not aim_mod.solves_whole(sum(m.nv for m in models)):
        return None, False
    stack = joint.Stack(models, budget_rows=False)
    cost = stack.peak_cost(zones[0].weights)
    res = optimize.milp(
        cost, integrality=stack.integrality,
        bounds=optimize.Bounds(stack.lower, stack.upper),
        constraints=optimize.LinearConstraint(
            sparse.vstack([stack.matrix, stack.leavers, cost]),
            np.r_[stack.lo, -np.inf, -np.inf],
            np.r_[stack.hi, budget, cutoff - _EPS]),
        options={'time_limit': max(deadline - time.monotonic(), 0.05),
                 'disp': False, 'mip_rel_gap': _GAP})
    # Optimal, or (with the cutoff) proven to have nothing better.
    settled = res.status in (0, 2)
    if res.x is None:
        return None, settled
    found = stack.locations(res.x)
    return (None, False) if found is None else (found, settled)


def _rank(zones, found):
    """Cloud weighted peak (rounded to :data:`_EPS`), then moves."""
    return round(_value(zones, found) / _EPS), _moves(zones, found)


def _moves(zones, found):
    return sum(int(np.sum(loc != z.unit_host)) for z, loc in zip(zones,
                                                                 found))


def _peaks(zones, found):
    """(R,) the cloud's peaks, highest over the zones."""
    return np.max([z.peaks_after(loc)
                   for z, loc in zip(zones, found)], axis=0)


def _value(zones, found):
    """The cloud's weighted peak with the zones' units at ``found``."""
    return zones[0].weighted(_peaks(zones, found))
