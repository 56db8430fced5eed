"""The solver's entry point: a Cluster and Options in, a Result out.

Servers of one flavor are interchangeable, so every zone is modelled by
server shape (:mod:`nova_lb.solver.shapes`): counts per shape and host.

1. Bound and aim: the fractional relaxation of every zone is a proven
   bound, and its peaks per class are what an integral plan can nearly
   reach. The cloud's peak is the highest over its zones, per class, so
   every zone aims at the peaks of the zones' relaxation together
   (:mod:`nova_lb.solver.joint`, a bound too, where the zones are small
   or their relaxations cross), else at a point their own relaxations
   reach together (:func:`nova_lb.solver.joint.aim`); a zone the
   integral model solves whole aims no lower than the peaks the zones
   before it reached.
2. The fewest/cheapest moves just above the aim (``peak_tolerance``):
   HiGHS on the integral model for zones of a few hundred hosts, kept as
   it is; the rounded fractional plan polished by local search for larger
   ones, or when HiGHS found nothing in time (:mod:`nova_lb.solver.aim`);
   moves that are not needed are undone. Each zone's plan is
   :mod:`nova_lb.solver.zone_plan`'s, in its share of the time. Without
   a migration budget, the larger zones plan side by side in threads
   (:mod:`nova_lb.solver.threads`), each in all the time they have.
3. Once every zone has its plan, the moves the cloud's peaks (the
   highest over the zones, per class) do not need are undone, and the
   zones the integral model solves whole settle on those peaks.

When that finds nothing, the heuristics take over as before: greedy and
local search, then the exact per-server model of a small zone or HiGHS on
neighbourhoods of a few hosts, then the cheapest moves within
``peak_tolerance`` of what they reached.
A zone already within ``deadband`` of its bound (the best of the mean, the
load that cannot move and the relaxation), or whose plan would lower the
cloud's weighted peak by less than ``deadband``, is left as it is.
"""

import threading
import time

import numpy as np

from nova_lb.model import cost
from nova_lb.solver import aim as aim_mod
from nova_lb.solver import budget as budget_mod
from nova_lb.solver import clock
from nova_lb.solver import joint
from nova_lb.solver import local
from nova_lb.solver import result
from nova_lb.solver import shapes
from nova_lb.solver import threads as threads_mod
from nova_lb.solver import zone as zone_mod
from nova_lb.solver import zone_plan

_EPS = 1e-9
#: Most of ``time_limit`` the zones' relaxations may take together (what
#: they leave goes to the zones' plans). The relaxation is the bound, the
#: aim and, when the cheapest fractional plan runs out of time, the plan
#: that is rounded: without it a large zone falls back to the heuristics,
#: far from the bound.
_RELAX_SHARE = 0.7
#: Most of ``time_limit`` the zones' relaxation together may take
#: (:func:`nova_lb.solver.joint.relaxed`): 1.2-2.4 s of 8 on 1,000
#: hosts.
_JOINT_SHARE = 0.35
#: Most of ``time_limit`` :func:`nova_lb.solver.joint.aim` may take to
#: settle the zones' own relaxed peaks on a point they reach together: a
#: zone's relaxation or two.
_AIM_SHARE = 0.2


def solve(cluster, options):
    """Best locations for ``cluster``'s movable servers under ``options``.

    Never raises for a problem with the cloud: an unsolvable zone keeps
    its servers where they are and says why in the result.
    """
    start = time.monotonic()
    deadline = start + options.time_limit
    zones, pinned = zone_mod.split(cluster, options.drain)
    budget = options.max_migrations or len(cluster.servers)
    location = np.array(cluster.location, dtype=int)
    reports = {}
    models = [shapes.models(z, budget, options.migration_cost)
              for z in zones]
    relaxed = _relax(models, options.time_limit * _RELAX_SHARE,
                     threads_mod.count(options.threads, len(models)))
    # The cloud's peak is the highest over the zones, per class: every
    # zone aims at the peaks of the zones' relaxation together, else at
    # a point their own relaxations reach together.
    weights = zone_mod.class_weights(cluster)
    together, aim = joint.relaxed(
        [m[0] for m in models], weights,
        options.time_limit * _JOINT_SHARE,
        joint.CROSSED if joint.crossed(relaxed, weights) else None)
    if aim is None:
        aim = joint.aim([m[0] for m in models], relaxed,
                        time.monotonic() + options.time_limit * _AIM_SHARE)
    if aim is None:
        aim = np.zeros(len(cluster.resource_classes))
    by_zone = {id(z): (m[1], r[0]) for z, m, r in zip(zones, models,
                                                       relaxed)}
    spent = _spend(zones, [m[1] for m in models], options, aim, start)
    # Zones planned side by side first (:func:`_apart`), then the others
    # one after another, worst first: they get the migration budget
    # first.
    apart = _apart(zones, by_zone, options)
    order = apart + sorted(
        (z for z in zones if all(z is not a for a in apart)),
        key=lambda z: -(z.weighted(z.peaks()) - z.weighted(z.lower_bound())))
    # What the zones' plans leave for the settling pass at the end.
    plans_end = deadline - _settle_time(order, by_zone, options)
    planned = _plan_apart(apart, by_zone, options, budget, aim, clock.part(
        plans_end, _units(apart) / max(_units(zones), 1)))
    planned += _plan_in_turn(order[len(apart):], by_zone, options, budget,
                             aim, plans_end, list(zip(apart, planned)))
    found = [unit_host for unit_host, _, _ in planned]
    fewer = [spare for _, _, spare in planned]
    for z, (_, report, _) in zip(order, planned):
        reports[z.name or 'default'] = report
    zone_models = [by_zone[id(z)][0] for z in order]
    _trim(order, found, fewer, zone_models, reports, options.peak_tolerance)
    if plans_end < deadline:
        _settle(order, found, zone_models, reports, deadline,
                options.peak_tolerance)
    for z, unit_host in zip(order, found):
        _place(location, z, unit_host)
        reports[z.name or 'default']['migrations'] = _migrations(z,
                                                                 unit_host)
    if spent is not None:
        location = _keep_better(cluster, zones, options, spent, location,
                                reports)
    return _combine(cluster, zones, location, reports, pinned,
                    time.monotonic() - start, together)


def _apart(zones, by_zone, options):
    """The zones planned side by side, in threads: those too large for
    one exact model, when there is no migration budget and more than one
    thread (:func:`nova_lb.solver.threads.count`).

    Each aims at the cloud's aim alone (:func:`_zone_aim`), and without a
    budget no zone's moves leave the others fewer, so the order of their
    plans does not matter.
    """
    large = [z for z in zones
             if not aim_mod.solves_whole(by_zone[id(z)][0].nv)]
    if options.max_migrations or threads_mod.count(options.threads,
                                                   len(large)) < 2:
        return []
    return large


def _plan_apart(zones, by_zone, options, budget, aim, until):
    """:func:`nova_lb.solver.zone_plan.plan` of ``zones`` side by side,
    all by ``until``.

    A zone that starts with no more zones waiting than threads has the
    time left to itself; one that waits for a thread gets its share of
    the time left when it starts (its units over the waiting zones', once
    per thread).
    """
    threads = threads_mod.count(options.threads, len(zones))
    lock = threading.Lock()
    waiting = [len(zones), _units(zones)]

    def plan(z):
        with lock:
            share = 1.0 if waiting[0] <= threads else min(
                threads * len(z.units) / max(waiting[1], 1), 1.0)
            waiting[0] -= 1
            waiting[1] -= len(z.units)
        model, bound = by_zone[id(z)]
        return zone_plan.plan(z, options, budget, clock.part(until, share),
                              model, bound, aim)

    return threads_mod.run(plan, zones, threads)


def _plan_in_turn(zones, by_zone, options, budget, aim, until, before):
    """:func:`nova_lb.solver.zone_plan.plan` of ``zones`` one after
    another, all by ``until``, each in its share of the time the zones
    before it left.

    Each has the migration budget the zones before it (``before``: the
    ``(zone, plan)`` of those planned apart, then these) left, and aims
    no lower than the peaks they reached (:func:`_zone_aim`).
    """
    reached = np.zeros(len(aim))
    for z, (unit_host, _, _) in before:
        budget, reached = _after(z, unit_host, budget, reached)
    planned = []
    units_left = _units(zones)
    for z in zones:
        share = len(z.units) / max(units_left, 1)
        units_left -= len(z.units)
        zone_deadline = min(until, time.monotonic() + share * clock.left(
            until) + 0.05)
        model, bound = by_zone[id(z)]
        model.hi[model.budget_row] = budget
        unit_host, report, spare = zone_plan.plan(
            z, options, budget, zone_deadline, model, bound,
            _zone_aim(model, aim, reached, options.peak_tolerance))
        budget, reached = _after(z, unit_host, budget, reached)
        planned.append((unit_host, report, spare))
    return planned


def _after(z, unit_host, budget, reached):
    """``(budget, reached)`` once zone ``z``'s units are at ``unit_host``:
    the migration budget its moves leave, and the peaks (R,) reached so
    far with its own."""
    return (budget - int(np.sum(unit_host != z.unit_host)),
            np.maximum(reached, z.peaks_after(unit_host)))


def _units(zones):
    """Units (servers that move together) of ``zones``."""
    return sum(len(z.units) for z in zones)


def _zone_aim(model, aim, reached, tolerance):
    """Where a zone aims, once the zones before it reached ``reached``.

    A zone need not go below the peaks the cloud already has, but only a
    zone the integral model solves whole (:data:`nova_lb.solver.aim.WHOLE`)
    lands on its aim: a larger zone's rounding overshoots it, and from a
    raised aim the overshoot would lift the cloud's peak (1,000 hosts,
    profile ``mixed``: 0.586 instead of 0.560).
    """
    if not aim_mod.solves_whole(model.nv):
        return aim
    return np.maximum(aim, reached - tolerance)


#: Share of the time limit kept for :func:`_settle` on a cloud of several
#: zones the integral model solves whole.
_SETTLE_SHARE = 0.1
#: Least drop of the cloud's weighted peak :func:`_settle` makes moves for.
_SETTLE_GAIN = 1e-4


def _settle_time(zones, by_zone, options):
    """Seconds the zones' plans leave for :func:`_settle`: none (and no
    settling) with one zone, none the integral model solves whole, or a
    migration budget (:func:`nova_lb.solver.budget.spend` shares it)."""
    if (len(zones) < 2 or options.max_migrations or not any(
            aim_mod.solves_whole(by_zone[id(z)][0].nv) for z in zones)):
        return 0.0
    return options.time_limit * _SETTLE_SHARE


def _trim(zones, found, fewer, models, reports, tolerance):
    """Undo, zone by zone, the moves the cloud's peaks do not need.

    A zone plans for its own peaks, before the zones planned after it,
    and the cloud's peak is the highest over the zones, per class: a
    zone that ends below it spent moves the cloud does not show. Its
    plan, and the plan of fewer moves it gave up for host patterns
    (``fewer``, see :func:`nova_lb.solver.zone_plan.plan`) when that
    stays under the cloud's peaks in every weighted class, have their
    moves undone up to those peaks (:func:`nova_lb.solver.local.prune`),
    and the cheapest plan is kept (1,000 hosts, ``large``, seed 2: 1,917
    moves where the patterns made 5,309, the cloud at the same peaks).
    ``found`` and ``reports`` are updated in place.
    """
    peaks = [z.peaks_after(loc) for z, loc in zip(zones, found)]
    for i, z in enumerate(zones):
        cloud = np.max(peaks, axis=0)
        weighted = z.weights > 0
        best, why = found[i], None
        for plan, reason in ((found[i], 'moves the cloud\'s peaks do not '
                              'need undone'),
                             (fewer[i], 'the cloud\'s peaks need no host '
                              'patterns')):
            own = None if plan is None else z.peaks_after(plan)
            if own is None or np.any(own[weighted]
                                     > cloud[weighted] + _EPS):
                continue
            pruned = local.prune(z, plan, np.maximum(own, cloud))
            if models[i].cost_of(pruned) < models[i].cost_of(best) - _EPS:
                best, why = pruned, reason
        if why is not None:
            found[i], peaks[i] = best, z.peaks_after(best)
            _rereport(z, best, reports, tolerance, why)


def _rereport(z, unit_host, reports, tolerance, why):
    """Zone ``z``'s report in ``reports`` for its new plan ``unit_host``,
    its message followed by ``why``."""
    name = z.name or 'default'
    old = reports[name]
    reports[name] = zone_plan.report(
        zone_plan.status_of(z, unit_host, old['bound'], tolerance), z,
        unit_host, old['bound'], old['message'] + '; ' + why,
        **{k: v for k, v in old.items() if k in ('relaxed', 'milp_bound')})[1]


def _settle(zones, found, models, reports, deadline, tolerance):
    """Settle the zones' plans on the peaks the cloud ends at.

    Each zone aims at the relaxation's peaks and lands within
    ``peak_tolerance`` of them, so the zones end at different peaks:

    1. A zone planned early that ended above every other zone's peak in a
       class makes the cloud's peak there alone. It takes the cheapest
       moves down to the other zones' peaks in those classes, its other
       classes kept where they are (a plan close to its own, which HiGHS
       finds fast), when that lowers the cloud's weighted peak by
       :data:`_SETTLE_GAIN` (small benchmark cloud ``tight``, seed 101:
       0.5830 -> 0.5822). A zone the plan leaves alone stays so.
    2. A zone that ended below the cloud's peaks spent moves the cloud's
       peak does not show: it takes the cheapest moves to the cloud's
       peaks instead, when they cost less than its plan.

    Only zones the integral model solves whole, each in its share of the
    time left; step 1 takes at most half of it. ``found`` and ``reports``
    are updated in place. Called only when :func:`_settle_time` kept time
    for it: two zones or more.
    """
    peaks = [z.peaks_after(loc) for z, loc in zip(zones, found)]
    for i, z in enumerate(zones):
        others = np.max(peaks[:i] + peaks[i + 1:], axis=0)
        cap = np.minimum(others, peaks[i])
        # A zone left as it is (within the deadband) stays so.
        moves = np.any(found[i] != z.unit_host)
        if moves and z.weighted(peaks[i]) - z.weighted(cap) >= _SETTLE_GAIN:
            peaks[i] = _replan(
                z, models[i], found, i, peaks[i], cap, reports,
                (deadline - time.monotonic()) / (2 * len(zones) - i),
                tolerance)
    cloud = np.max(peaks, axis=0)
    for i, z in enumerate(zones):
        _replan(z, models[i], found, i, peaks[i], cloud, reports,
                (deadline - time.monotonic()) / (len(zones) - i), tolerance)


def _replan(z, model, found, i, peaks, cap, reports, time_limit,
            tolerance):
    """Replace zone ``z``'s plan ``found[i]`` (at ``peaks``) by the
    integral model's cheapest moves under ``cap``, when HiGHS finds them
    in ``time_limit`` and they cost less, or the plan was above ``cap``.

    :returns: the peaks of the zone's plan kept.
    """
    if time_limit <= 0.05 or not aim_mod.solves_whole(model.nv):
        return peaks
    model.hi[model.budget_row] = len(z.units)
    settled = model.min_churn(cap, time_limit, near=found[i])[0]
    if settled is None:
        return peaks
    settled = local.prune(z, settled, cap)
    if (model.cost_of(settled) >= model.cost_of(found[i]) - _EPS
            and np.all(peaks <= cap + _EPS)):
        return peaks
    found[i] = settled
    _rereport(z, settled, reports, tolerance, 'settled on the cloud\'s peaks')
    return z.peaks_after(settled)


#: Share of the time limit a budgeted plan spends on
#: :func:`nova_lb.solver.budget.spend` before the zones' usual search.
_BUDGET_SHARE = 0.5


def _spend(zones, models, options, aim, start):
    """:func:`nova_lb.solver.budget.spend`'s locations for a plan with a
    migration budget (None without one, or with hosts to drain: emptying
    them is not optional, the usual search does it)."""
    if not (options.max_migrations and zones) or options.drain:
        return None
    left = max(start + options.time_limit - time.monotonic(), 0.0)
    return budget_mod.spend(zones, models, options.max_migrations, aim,
                            time.monotonic() + left * _BUDGET_SHARE)


def _keep_better(cluster, zones, options, spent, location, reports):
    """The best of the zones' usual plans (``location``), the budget's
    (``spent``, per zone) and no move at all: the lowest cloud weighted
    peak, then the fewest moves, among plans that gain at least the
    deadband. The zones' usual search weighs each zone's own peaks, and
    with a budget its moves in one zone may raise the cloud's peak.
    ``reports`` follow the plan kept.
    """
    mine = np.array(cluster.location, dtype=int)
    for z, unit_host in zip(zones, spent):
        _place(mine, z, unit_host)
    start = np.asarray(cluster.location)
    before = weighted_peak(cluster, start)

    def rank(value, where):
        useful = before - value >= options.deadband - _EPS
        return (0, round(value / _EPS), int(np.sum(where != start))) \
            if useful else (1, 0, 0)

    value = weighted_peak(cluster, location)
    if rank(value, location) <= rank(weighted_peak(cluster, mine), mine):
        if value <= before + _EPS:
            return location
        # Neither gains the deadband, and the zones' plan makes the
        # cloud worse: no move at all.
        spent = [z.unit_host for z in zones]
        mine = np.array(start)
    for z, unit_host in zip(zones, spent):
        name = z.name or 'default'
        migrations = _migrations(z, unit_host)
        reports[name] = zone_plan.report(
            result.FEASIBLE if migrations else result.NO_MOVES, z,
            unit_host, reports[name]['bound'],
            'migration budget spent where the cloud\'s peak drops most'
            if migrations else 'no plan within the migration budget '
            'lowers the cloud\'s weighted peak by the deadband',
            migrations=migrations)[1]
    return mine


def _place(location, z, unit_host):
    """Write zone ``z``'s units at ``unit_host`` into the cloud's
    ``location`` (S,)."""
    for u in np.flatnonzero(unit_host != z.unit_host):
        location[list(z.units[u])] = z.hosts[unit_host[u]]


def _migrations(z, unit_host):
    """Servers of zone ``z`` that move with its units at ``unit_host``."""
    return sum(len(z.units[u]) for u in np.flatnonzero(
        unit_host != z.unit_host))


def _relax(models, time_limit, threads):
    """``[(bound, peaks)]``: each zone's relaxation, in ``time_limit``,
    ``threads`` zones side by side.

    Each zone may take all the time the zones before it left: a
    relaxation cut short gives nothing, and without it a zone falls back
    to the heuristics, so one that finishes is worth more than two that
    are both stopped halfway (on a busy machine, a 500-host zone needs
    two seconds or more, a 5,000-host one most of a minute).
    """
    deadline = time.monotonic() + time_limit
    return threads_mod.run(lambda m: m[0].relaxed(clock.left(deadline)),
                           models, threads)


def weighted_peak(cluster, location):
    """:func:`nova_lb.model.cost.weighted_peak` of ``cluster`` with its
    servers at ``location``, over the hosts that count: the figure the
    solver minimises."""
    util = cluster.utilisation(location)
    counted = np.asarray(cluster.accepts, dtype=bool)
    weights = zone_mod.class_weights(cluster)
    peaks = (util[counted].max(axis=0) if counted.any()
             else np.zeros(len(weights)))
    return cost.weighted_peak(weights, peaks)


def _combine(cluster, zones, location, reports, pinned, elapsed,
             together=None):
    objective = weighted_peak(cluster, location)
    weights = zone_mod.class_weights(cluster)
    bound_vec = np.max([z.lower_bound() for z in zones], axis=0) if zones \
        else np.zeros(len(weights))
    bound = max([cost.weighted_peak(weights, bound_vec), together or 0.0]
                + [r['bound'] for r in reports.values()])
    statuses = {r['status'] for r in reports.values()}
    moved = bool(np.any(location != cluster.location))
    for status in (result.INFEASIBLE, result.FEASIBLE, result.OPTIMAL,
                   result.NO_MOVES, result.DEADBAND):
        if status in statuses:
            break
    else:
        status = result.NO_MOVES
    if moved and status in (result.NO_MOVES, result.DEADBAND):
        status = result.FEASIBLE
    message = '; '.join('%s: %s' % (name, r['message'])
                        for name, r in sorted(reports.items()))
    return result.Result(status=status, location=location,
                         objective=objective, bound=bound,
                         gap=max(objective - bound, 0.0), time=elapsed,
                         message=message, zones=reports, pinned=pinned)
