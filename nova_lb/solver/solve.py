"""The solver's entry point: a Cluster and Options in, a Result out.

Servers of one flavor are interchangeable, so every zone is modelled by
server shape (:mod:`nova_lb.solver.shapes`): counts per shape and host.

1. Bound and aim: the fractional relaxation of every zone is a proven
   bound, and its peaks per class are what an integral plan can nearly
   reach. The cloud's peak is the highest over its zones, per class, so
   every zone aims at the peaks of the zones' relaxation together
   (:mod:`nova_lb.solver.joint`, a bound too), else at the highest
   relaxed peaks of any zone; a zone the integral model solves whole
   aims no lower than the peaks the zones before it reached.
2. The fewest/cheapest moves just above the aim (``peak_tolerance``):
   HiGHS on the integral model for zones of a few hundred hosts, kept as
   it is; the rounded fractional plan polished by local search for larger
   ones, or when HiGHS found nothing in time (:mod:`nova_lb.solver.aim`);
   moves that are not needed are undone.

When that finds nothing, the heuristics take over as before: greedy and
local search, then the exact per-server model of a small zone or HiGHS on
neighbourhoods of a few hosts, then the cheapest moves within
``peak_tolerance`` of what they reached.
A zone already within ``deadband`` of its bound (the best of the mean, the
load that cannot move and the relaxation), or whose plan would lower the
cloud's weighted peak by less than ``deadband``, is left as it is.
"""

import time

import numpy as np
from oslo_log import log as logging

from nova_lb.model import cost
from nova_lb.solver import aim as aim_mod
from nova_lb.solver import budget as budget_mod
from nova_lb.solver import candidate_moves
from nova_lb.solver import greedy
from nova_lb.solver import joint
from nova_lb.solver import lns
from nova_lb.solver import local
from nova_lb.solver import milp
from nova_lb.solver import result
from nova_lb.solver import shapes
from nova_lb.solver import zone as zone_mod

LOG = logging.getLogger(__name__)
_EPS = 1e-9
#: Most of ``time_limit`` the zones' relaxations may take together (what
#: they leave goes to the zones' plans). The relaxation is the bound, the
#: aim and, when the cheapest fractional plan runs out of time, the plan
#: that is rounded: without it a large zone falls back to the heuristics,
#: far from the bound.
_RELAX_SHARE = 0.7


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
    units_left = sum(len(z.units) for z in zones)
    reports = {}
    models = [shapes.models(z, budget, options.migration_cost)
              for z in zones]
    relaxed = _relax(models, options.time_limit * _RELAX_SHARE)
    # The cloud's peak is the highest over the zones, per class: every
    # zone aims at the peaks of the zones' relaxation together, else at
    # the highest of their own relaxations' peaks.
    together, aim = joint.relaxed([m[0] for m in models],
                                  zone_mod.class_weights(cluster),
                                  options.time_limit / 4)
    if aim is None:
        aim = np.max([r[1] for r in relaxed if r[1] is not None]
                     + [np.zeros(len(cluster.resource_classes))], axis=0)
    by_zone = {id(z): (m[1], r[0]) for z, m, r in zip(zones, models,
                                                       relaxed)}
    spent = _spend(zones, [m[1] for m in models], options, aim, start)
    # The peaks the zones solved so far reach, per class.
    reached = np.zeros(len(aim))
    # Worst zones first: they get the migration budget first.
    order = sorted(zones, key=lambda z: -(z.weighted(z.peaks())
                                          - z.weighted(z.lower_bound())))
    for z in order:
        # Each zone gets its share of the time the zones before it left.
        share = len(z.units) / max(units_left, 1)
        units_left -= len(z.units)
        zone_deadline = min(deadline, time.monotonic() + share * max(
            deadline - time.monotonic(), 0.0) + 0.05)
        model, bound = by_zone[id(z)]
        model.hi[model.budget_row] = budget
        unit_host, report = _solve_zone(z, options, budget, zone_deadline,
                                        model, bound,
                                        _zone_aim(model, aim, reached,
                                                  options.peak_tolerance))
        moves = int(np.sum(unit_host != z.unit_host))
        budget -= moves
        reached = np.maximum(reached, z.peaks(z.usage_after(unit_host)))
        _place(location, z, unit_host)
        report['migrations'] = _migrations(z, unit_host)
        reports[z.name or 'default'] = report
    if spent is not None:
        location = _keep_better(cluster, zones, options, spent, location,
                                reports)
    return _combine(cluster, zones, location, reports, pinned,
                    time.monotonic() - start, together)


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
        reports[name] = _report(
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


def _relax(models, time_limit):
    """``[(bound, peaks)]``: each zone's relaxation, in ``time_limit``.

    Each zone may take all the time the zones before it left: a
    relaxation cut short gives nothing, and without it a zone falls back
    to the heuristics, so one that finishes is worth more than two that
    are both stopped halfway (on a busy machine, a 500-host zone needs
    two seconds or more, a 5,000-host one most of a minute).
    """
    deadline = time.monotonic() + time_limit
    return [m[0].relaxed(_left(deadline)) for m in models]


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


def _report(status, z, unit_host, bound, message, **extra):
    peaks = z.peaks(z.usage_after(unit_host))
    objective = z.weighted(peaks)
    report = {'status': status, 'objective': objective, 'bound': bound,
              'gap': max(objective - bound, 0.0), 'message': message}
    report.update(extra)
    return unit_host, report


def _solve_zone(z, options, budget, deadline, model, relaxed, aim):
    now = z.peaks()
    current = z.weighted(now)
    bound = max(z.weighted(z.lower_bound()), relaxed or 0.0)
    draining = bool(z.must_move().any())
    if current - bound <= options.deadband + _EPS and not draining:
        return _report(result.DEADBAND, z, z.unit_host, bound,
                       'weighted peak %.3f is within the deadband %.3f of '
                       'the bound %.3f' % (current, options.deadband, bound))
    if not len(z.units) or budget <= 0:
        return _report(result.NO_MOVES, z, z.unit_host, bound,
                       'no server may move')
    found, exact = None, False
    if relaxed is not None:
        # Most of the time: on a busy machine the fractional plan of a
        # large zone takes twice as long, and the polish is optional.
        found, exact = aim_mod.reach(z, model, aim, options.peak_tolerance,
                                     time.monotonic() + _left(deadline) * 0.85)
    if exact:
        # Already the cheapest moves to the aim: polishing the zone's own
        # peak would trade classes the other zones' peaks make worthless,
        # for more moves.
        best, proven = found, None
        how = 'HiGHS on server shapes, aimed at the relaxation'
    elif found is not None:
        # Rounding on large zones overshoots the aim a little: polish.
        polish = aim_mod.polish_aim(model, aim)
        best = local.descend(z, found, budget,
                             time.monotonic() + _left(deadline) / 2,
                             aim=polish)
        best = lns.improve(z, best, budget,
                           time.monotonic() + _left(deadline) / 2,
                           aim=polish)
        how, proven = 'HiGHS on server shapes, aimed at the relaxation', None
    else:
        best, proven, how = _heuristics(z, options, budget, deadline)
        # Zones before this one may have spent part of the migration
        # budget: a bound proven with what is left holds only for plans
        # that leave them those moves, a restriction.
        if budget >= (options.max_migrations or budget):
            bound = max(bound, proven or 0.0)
    best_peaks = z.peaks(z.usage_after(best))
    reached = z.weighted(best_peaks)
    # What the cloud gains: below the aim, a zone's peaks do not count
    # (the other zones reach it), and one class may rise to lower another.
    gains = (z.weighted(np.maximum(now, aim))
             - z.weighted(np.maximum(best_peaks, aim)))
    if gains < options.deadband - _EPS and not draining:
        return _report(result.NO_MOVES, z, z.unit_host, bound,
                       'the best plan found gains %.3f, less than the '
                       'deadband %.3f' % (gains, options.deadband))
    target = np.minimum(best_peaks + options.peak_tolerance,
                        np.maximum(now, best_peaks))
    cap = aim_mod.prune_target(best_peaks, aim, options.peak_tolerance,
                               z.weights)
    if exact:
        chosen = local.prune(z, best, cap)
    elif found is not None:
        chosen = _fewer(z, model, local.prune(z, best, cap), cap, deadline)
    else:
        chosen = _cheapest(z, budget, deadline, model, target, best)
    gap = z.weighted(z.peaks(z.usage_after(chosen))) - bound
    status = (result.OPTIMAL if gap <= options.peak_tolerance + 1e-6
              else result.FEASIBLE)
    LOG.debug('zone %(zone)s: weighted peak %(now).3f -> %(new).3f, bound '
              '%(bound).3f, %(moves)d moves',
              {'zone': z.name, 'now': current, 'new': reached,
               'bound': bound, 'moves': int(np.sum(chosen != z.unit_host))})
    return _report(status, z, chosen, bound, how, relaxed=relaxed,
                   milp_bound=proven)


def _heuristics(z, options, budget, deadline):
    """``(location, proven bound or None, how)`` when shapes found nothing.

    The greedy heuristic and local search, then, in half the remaining
    time, the exact per-server model if the zone is small enough, else
    HiGHS on neighbourhoods of a few hosts.
    """
    best = greedy.lowest(z, budget, time.monotonic() + _left(deadline) / 2)
    best = local.descend(z, best, budget,
                         time.monotonic() + _left(deadline) / 2)
    pu, pd, exact = candidate_moves.pairs(z, options.max_candidates)
    if not (exact and len(pu)):
        return (lns.improve(z, best, budget,
                            time.monotonic() + _left(deadline) / 2), None,
                'heuristics and HiGHS on small neighbourhoods')
    model = milp.CandidateMoveModel(z, pu, pd, budget)
    loc1, res = model.min_peak(_left(deadline) / 2)
    if (loc1 is not None and z.weighted(z.peaks(z.usage_after(loc1)))
            < z.weighted(z.peaks(z.usage_after(best))) - _EPS):
        best = loc1
    # The candidate model lets no host over its limit receive (the real
    # rule: it may, once it ends within its limit), a restriction: its
    # dual bound is a bound only when every host that counts receives.
    proven = (None if res is None or res.mip_dual_bound is None
              or np.any(z.accepts & ~z.receives)
              else float(res.mip_dual_bound))
    return best, proven, 'exact model, HiGHS status %s' % (
        None if res is None else res.status)


def _cheapest(z, budget, deadline, model, target, fallback):
    """Fewest/cheapest moves within ``target``; ``fallback`` meets it."""
    options_found = [fallback, local.prune(z, fallback, target)]
    loc, _, ok = greedy.reach(z, target, budget)
    if ok:
        options_found.append(loc)
    if _left(deadline) > 0.05:
        loc2, _ = model.min_churn(target, _left(deadline))
        if loc2 is not None:
            options_found.append(loc2)
    return min(options_found, key=model.cost_of)


def _fewer(z, model, location, cap, deadline):
    """``location`` or the cheapest moves under ``cap`` (R,) by the
    integral model, whichever costs less.

    For a zone the integral model could not solve at the aim in its time
    (it found no plan that close): the peaks local search reached are an
    easier cap, and local search spends moves freely.
    """
    if not aim_mod.solves_whole(model.nv) or _left(deadline) < 0.05:
        return location
    other = model.min_churn(cap, _left(deadline))[0]
    if other is None or model.cost_of(other) >= model.cost_of(location):
        return location
    return other


def _left(deadline):
    return max(deadline - time.monotonic(), 0.0)
