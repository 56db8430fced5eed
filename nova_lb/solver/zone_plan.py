"""One zone's plan, once the cloud has set its aim and time.

:func:`plan` takes the cheapest moves to the aim (:mod:`nova_lb.solver.aim`:
HiGHS on server shapes, or the rounded fractional plan polished by local
search), else the heuristics' best (greedy and local search, then the
exact per-server model of a small zone or HiGHS on neighbourhoods of a
few hosts); then it undoes the moves the peaks it reached do not need. A
zone already within ``deadband`` of its bound, or whose plan gains the
cloud less than that, keeps its servers where they are.
"""

import numpy as np
from oslo_log import log as logging

from nova_lb.solver import aim as aim_mod
from nova_lb.solver import candidate_moves
from nova_lb.solver import clock
from nova_lb.solver import greedy
from nova_lb.solver import lns
from nova_lb.solver import local
from nova_lb.solver import milp
from nova_lb.solver import patterns
from nova_lb.solver import result

LOG = logging.getLogger(__name__)
_EPS = 1e-9


def report(status, z, unit_host, bound, message, **extra):
    """``(unit_host, report)``: zone ``z``'s figures with its units at
    ``unit_host``, as the plan's ``solver.zones`` block shows them."""
    peaks = z.peaks_after(unit_host)
    objective = z.weighted(peaks)
    figures = {'status': status, 'objective': objective, 'bound': bound,
               'gap': max(objective - bound, 0.0), 'message': message}
    figures.update(extra)
    return unit_host, figures


def plan(z, options, budget, deadline, model, relaxed, aim):
    """:func:`report` of zone ``z``'s best locations by ``deadline``, and
    the plan of fewer moves the zone gave up for them, or None.

    That plan is the polished rounded one when the patterns won
    (:func:`_patterned`): higher for the zone, but the cloud may not
    show it once the other zones are planned (see
    :func:`nova_lb.solver.solve._trim`).

    :param model: the zone's plan
        :class:`~nova_lb.solver.shapes.ShapeCountModel`.
    :param relaxed: its relaxation's weighted peak (a bound), or None.
    :param aim: (R,) the peaks it aims at (see :func:`nova_lb.solver.solve`).
    """
    now = z.peaks()
    current = z.weighted(now)
    bound = max(z.weighted(z.lower_bound()), relaxed or 0.0)
    draining = bool(z.must_move().any())
    if current - bound <= options.deadband + _EPS and not draining:
        return report(result.DEADBAND, z, z.unit_host, bound,
                      'weighted peak %.3f is within the deadband %.3f of '
                      'the bound %.3f' % (current, options.deadband,
                                          bound)) + (None,)
    if not len(z.units) or budget <= 0:
        return report(result.NO_MOVES, z, z.unit_host, bound,
                      'no server may move') + (None,)
    found, exact, fewer = None, False, None
    if relaxed is not None:
        # Most of the time: on a busy machine the fractional plan of a
        # large zone takes twice as long, and the polish is optional.
        found, exact = aim_mod.reach(z, model, aim, options.peak_tolerance,
                                     clock.part(deadline, 0.85))
    if exact:
        # Already the cheapest moves to the aim: polishing the zone's own
        # peak would trade classes the other zones' peaks make worthless,
        # for more moves.
        best, proven = found, None
        how = 'HiGHS on server shapes, aimed at the relaxation'
    elif found is not None:
        # Rounding overshoots the aim a little: polish. The cloud's peak
        # is the highest over its zones, per class, so cooling one class
        # of a zone below the aim buys nothing while another zone is
        # there, and trading the other class up for it costs (200 hosts,
        # profile ``mixed``: 0.530 polished for the zone alone, 0.504 for
        # the aim).
        best = local.descend(z, found, budget, clock.part(deadline, 0.5),
                             aim=aim)
        # A zone the integral model solves whole gets its moves chosen
        # again below (:func:`_fewer`), which needs the time more than
        # HiGHS on a few hosts at a time (20 hosts, profile ``tight``:
        # 0.5732 with 50 moves, 0.5724 with 41).
        if not aim_mod.solves_whole(model.nv):
            rounded = best
            best = _patterned(z, model, best, budget, aim,
                              options.peak_tolerance, deadline)
            fewer = None if best is rounded else rounded
            best = lns.improve(z, best, budget, clock.part(deadline, 0.5),
                               aim=aim)
        how, proven = 'HiGHS on server shapes, aimed at the relaxation', None
    else:
        best, proven, how = _heuristics(z, options, budget, deadline)
        # Zones before this one may have spent part of the migration
        # budget: a bound proven with what is left holds only for plans
        # that leave them those moves, a restriction.
        if budget >= (options.max_migrations or budget):
            bound = max(bound, proven or 0.0)
    best_peaks = z.peaks_after(best)
    reached = z.weighted(best_peaks)
    # What the cloud gains: below the aim, a zone's peaks do not count
    # (the other zones reach it), and one class may rise to lower another.
    gains = (z.weighted(np.maximum(now, aim))
             - z.weighted(np.maximum(best_peaks, aim)))
    if gains < options.deadband - _EPS and not draining:
        return report(result.NO_MOVES, z, z.unit_host, bound,
                      'the best plan found gains %.3f, less than the '
                      'deadband %.3f' % (gains, options.deadband)) + (None,)
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
    LOG.debug('zone %(zone)s: weighted peak %(now).3f -> %(new).3f, bound '
              '%(bound).3f, %(moves)d moves',
              {'zone': z.name, 'now': current, 'new': reached,
               'bound': bound, 'moves': int(np.sum(chosen != z.unit_host))})
    return report(status_of(z, chosen, bound, options.peak_tolerance), z,
                  chosen, bound, how, relaxed=relaxed,
                  milp_bound=proven) + (fewer,)


def status_of(z, unit_host, bound, tolerance):
    """:data:`~nova_lb.solver.result.OPTIMAL` when zone ``z``'s units at
    ``unit_host`` are within ``tolerance`` of its ``bound``, else
    :data:`~nova_lb.solver.result.FEASIBLE`."""
    return (result.OPTIMAL
            if z.weighted_after(unit_host) - bound <= tolerance + 1e-6
            else result.FEASIBLE)


def _patterned(z, model, best, budget, aim, tolerance, deadline):
    """``best`` (polished), or the plan of whole patterns
    (:mod:`nova_lb.solver.patterns`) polished, when that is lower by more
    than ``tolerance`` where the cloud sees it (at or above ``aim``).

    Hosts take new mixes of servers: the patterns move more (1,000
    hosts, ``default``: 10,000 moves where the rounded plan makes 5,600),
    so they must gain more than the peak the solver gives up for fewer
    moves. Compared once both are polished: the rounded plan overshoots
    more but polishes far better (``large``, a 500-host zone: 0.719 ->
    0.612 against 0.654 -> 0.654).
    """
    found = patterns.lowest(z, model, aim, tolerance,
                            clock.part(deadline, 0.8))
    if found is None:
        return best
    found = local.descend(z, found, budget, clock.part(deadline, 0.5),
                          aim=aim)
    seen = [z.weighted(np.maximum(z.peaks_after(loc), aim))
            for loc in (found, best)]
    return found if seen[0] < seen[1] - tolerance else best


def _heuristics(z, options, budget, deadline):
    """``(location, proven bound or None, how)`` when shapes found nothing.

    The greedy heuristic and local search, then, in half the remaining
    time, the exact per-server model if the zone is small enough, else
    HiGHS on neighbourhoods of a few hosts.
    """
    best = greedy.lowest(z, budget, clock.part(deadline, 0.5))
    best = local.descend(z, best, budget, clock.part(deadline, 0.5))
    pu, pd, exact = candidate_moves.pairs(z, options.max_candidates)
    if not (exact and len(pu)):
        return (lns.improve(z, best, budget, clock.part(deadline, 0.5)),
                None, 'heuristics and HiGHS on small neighbourhoods')
    model = milp.CandidateMoveModel(z, pu, pd, budget)
    loc1, res = model.min_peak(clock.left(deadline) / 2)
    if (loc1 is not None and z.weighted_after(loc1)
            < z.weighted_after(best) - _EPS):
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
    if clock.left(deadline) > 0.05:
        loc2, _ = model.min_churn(target, clock.left(deadline),
                                  near=fallback)
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
    if not aim_mod.solves_whole(model.nv) or clock.left(deadline) < 0.05:
        return location
    other = model.min_churn(cap, clock.left(deadline), near=location)[0]
    if other is None or model.cost_of(other) >= model.cost_of(location):
        return location
    return other
