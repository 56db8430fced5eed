"""The planning pipeline: snapshot -> model -> solver -> waves -> checked plan.

The last step runs the independent checker on the plan's JSON against the
snapshot: the solver and the wave planner build valid plans by
construction, and the checker (which shares none of their code) makes sure
of it before anyone sees the plan. A plan with violations is never
returned.
"""

import collections
import dataclasses

import numpy as np
from oslo_log import log as logging

from nova_lb import exception
from nova_lb.model import build
from nova_lb.model import cluster as cluster_model
from nova_lb.model import constraints
from nova_lb.model import cost
from nova_lb.model import measured
from nova_lb.planner import bound as bound_mod
from nova_lb.planner import checker
from nova_lb.planner import gain
from nova_lb.planner import plan as plan_mod
from nova_lb.planner import waves
from nova_lb.solver import result
from nova_lb.solver import solve
from nova_lb.solver import zone as zone_mod

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Options:
    """Everything one plan depends on, read once from the configuration."""

    model: build.Options = build.Options()
    solver: result.Options = result.Options()
    #: ``[executor] max_parallel_per_host``: migrations a host takes part
    #: in per wave.
    wave_per_host: int = 1
    #: ``[solver] max_wave_migrations``: migrations per wave, 0 no limit.
    wave_size: int = 0
    #: Server UUIDs that must stay (e.g. moved recently), with no reason.
    exclude_servers: frozenset = frozenset()
    #: Hosts to empty: they receive nothing and their servers must leave.
    drain_hosts: frozenset = frozenset()
    #: ``((server uuid, why it must stay), ...)``: servers the churn
    #: policy keeps where they are, with the reason the plan states.
    pinned: tuple = ()
    #: Hosts this plan may not send servers to (they keep their own).
    closed_hosts: frozenset = frozenset()

    def limits(self):
        """What these options allow a plan, for the checker."""
        return checker.Limits(
            ceilings=self.model.ceilings, scope=self.model.scope,
            draining_aggregate=self.model.draining_aggregate,
            per_host=self.wave_per_host, per_wave=self.wave_size or None)

    def allocations_only(self):
        """These options balancing allocations, whatever ``[solver]
        balance`` says: measured load was unavailable and ``[metrics]
        on_failure = allocations``."""
        return dataclasses.replace(self, model=dataclasses.replace(
            self.model, measured=False))


def options_from_conf(conf, exclude_servers=(), drain_hosts=(), pinned=None,
                      closed_hosts=(), max_migrations=None):
    """Options for one plan.

    :param pinned: ``{server uuid: reason}`` to keep in place.
    :param closed_hosts: hosts that may receive nothing.
    :param max_migrations: fewer migrations than ``[solver]
        max_migrations`` allows (e.g. the rest of a daily budget).
    """
    solver_options = result.Options.from_conf(conf)
    if max_migrations is not None:
        most = min(filter(None, (solver_options.max_migrations,
                                 max_migrations)))
        solver_options = dataclasses.replace(solver_options,
                                             max_migrations=most)
    return Options(model=build.Options.from_conf(conf),
                   solver=solver_options,
                   wave_per_host=conf.executor.max_parallel_per_host,
                   wave_size=conf.solver.max_wave_migrations,
                   exclude_servers=frozenset(exclude_servers),
                   drain_hosts=frozenset(drain_hosts),
                   pinned=tuple(sorted((pinned or {}).items())),
                   closed_hosts=frozenset(closed_hosts))


def plan(snap, options=Options()):
    """A checked :class:`~nova_lb.planner.plan.Plan` for ``snap``.

    :raises nova_lb.exception.InvalidPlan: the checker found violations.
    """
    model = _pin(build.build(snap, options.model), options.exclude_servers,
                 'moved recently: spared until its cooldown ends')
    by_reason = {}
    for server, reason in options.pinned:
        by_reason.setdefault(reason, set()).add(server)
    for reason, servers in sorted(by_reason.items()):
        model = _pin(model, servers, reason)
    closed = options.drain_hosts | options.closed_hosts
    if closed:
        model = dataclasses.replace(model, accepts=cluster_model.frozen_array(
            [a and h not in closed
             for h, a in zip(model.hosts, model.accepts)], bool))
    solver_options = dataclasses.replace(
        options.solver, drain=frozenset(options.drain_hosts))
    best = first = _attempt(model, solver_options, options)
    for _ in range(_RETRIES):
        if not best.left_out:
            break
        # Re-optimise around the moves no order of waves allows: their
        # servers stay, and the solver plans the rest knowing it.
        stuck = frozenset(m['server'] for m in best.left_out)
        retry = _attempt(_pin(best.model, stuck, _STUCK), dataclasses.replace(
            solver_options, time_limit=solver_options.time_limit / 2),
            options)
        if (retry.peak, len(retry.steps)) >= (best.peak, len(best.steps)):
            break
        best = retry
    # Pinning the stuck servers restricts the problem: only the first
    # model's bound is a bound of the real one.
    if options.model.measured:
        bounds = bound_mod.raw(first.model, solver_options.time_limit / 4)
    else:
        bounds = first.res.bound, None
    res = _judged(best.res, best.model, bounds,
                  options.solver.peak_tolerance)
    model, where = best.model, best.where
    before, after = summary(model), summary(model, where)
    gains = gain.marginal(model, where)
    result_plan = plan_mod.Plan(
        migrations=tuple(plan_mod.Migration(*step, gain=gains.get(step[0]))
                         for step in best.steps),
        before=before, after=after,
        imbalance={'before': cost.cloud_imbalance(before, model.cost),
                   'after': cost.cloud_imbalance(after, model.cost)},
        solver=dict(res.info(best.peak, options.solver.peak_tolerance),
                    start_objective=solve.weighted_peak(model,
                                                        model.location)),
        left_alone=dict(model.left_alone, **res.pinned),
        left_out=tuple(best.left_out),
        leftovers=tuple(item.to_json() for item in model.leftovers),
        load=_load(snap, model, options.model.measured))
    _check(snap, result_plan, options)
    LOG.debug('plan: %(n)d migrations in %(w)d waves, solver %(status)s, '
             'gap %(gap).3f', {'n': len(best.steps), 'w': len(result_plan.waves),
                               'status': res.status,
                               'gap': result_plan.solver['gap']})
    return result_plan


def measure(snap, model_options):
    """The ``before``/``after`` block of a plan, for the cloud in ``snap``
    as it is: what a run reports as measured."""
    return summary(build.build(snap, model_options))


def summary(model, location=None):
    """Peak, mean and stddev of the hosts that take servers."""
    counted = np.asarray(model.accepts, dtype=bool)
    return cost.fleet_summary(model.utilisation(location)[counted],
                              model.resource_classes)


def _load(snap, model, measured):
    """The plan's ``load`` block: what was balanced, from what data."""
    if not measured:
        return {'balance': 'allocations'}
    return {'balance': 'measured',
            'window_s': snap.metrics.get('window_s'),
            'statistic': snap.metrics.get('statistic'),
            'without_data': list(model.unmeasured)}


#: Re-solves around moves the waves had to leave out.
_RETRIES = 2
_STUCK = ('no order of migrations frees room for its move and no host has '
          'room for an extra hop: kept where it is, the rest planned '
          'around it')

_Attempt = collections.namedtuple('_Attempt',
                                  'model res steps left_out where peak')


def _attempt(model, solver_options, options):
    """Solve ``model`` and order the moves: an :data:`_Attempt`.

    In measured mode the solver plans on rounded use
    (:func:`nova_lb.model.measured.coarse`); the moves are judged on
    ``model``, what servers use.
    """
    res = solve.solve(measured.coarse(model), solver_options)
    steps, left_out, where = waves.order(model, res.location,
                                         options.wave_per_host,
                                         options.wave_size)
    return _Attempt(model, res, steps, left_out, where,
                    solve.weighted_peak(model, where))


def _judged(res, model, bounds, tolerance):
    """``res`` with its objectives and gaps (whole and per zone) those of
    its placement on ``model``, and ``bounds`` (``(bound, {zone: bound}
    or None to keep the zones' own)``). A zone further than ``tolerance``
    above its bound is no longer called optimal.

    In measured mode the solver's figures are those of rounded use: the
    plan states those of what servers use, and bounds that hold for it
    (:mod:`nova_lb.planner.bound`).
    """
    bound, zone_bounds = bounds
    objective = solve.weighted_peak(model, res.location)
    if zone_bounds is None:
        return dataclasses.replace(res, objective=objective, bound=bound,
                                   gap=max(objective - bound, 0.0))
    util = model.utilisation(res.location)
    weights = zone_mod.class_weights(model)
    counted = np.asarray(model.accepts, dtype=bool)
    # The solver names the default zone (label '') 'default'.
    masks = {label or 'default': mask for label, mask in
             constraints.SameZone.members(model.host_az).items()}
    zones = {}
    for name, report in res.zones.items():
        hosts = counted & masks[name]
        # The solver's relaxation and MILP bound are of rounded use.
        report = {key: value for key, value in report.items()
                  if key not in ('relaxed', 'milp_bound')}
        report['bound'] = zone_bounds.get(name, 0.0)
        if hosts.any():
            report['objective'] = float(np.dot(weights,
                                               util[hosts].max(axis=0)))
        report['gap'] = max(report['objective'] - report['bound'], 0.0)
        if (report['status'] == result.OPTIMAL
                and report['gap'] > tolerance + 1e-6):
            report['status'] = result.FEASIBLE
        zones[name] = report
    return dataclasses.replace(res, objective=objective, bound=bound,
                               gap=max(objective - bound, 0.0), zones=zones)


def _check(snap, result_plan, options):
    violations = checker.check(snap, result_plan.to_json(), options.limits())
    if violations:
        raise exception.InvalidPlan(
            'the planner made a plan its checker rejects, withheld '
            '(%d violations): %s' % (len(violations), '; '.join(
                v.message for v in violations[:5])))


def _pin(model, uuids, reason):
    """``model`` with the servers ``uuids`` made part of the fixed load."""
    pin = np.array([s in uuids for s in model.servers], dtype=bool)
    if not pin.any():
        return model
    keep = np.flatnonzero(~pin)
    renumber = {int(old): new for new, old in enumerate(keep)}
    fixed = np.array(model.fixed)
    np.add.at(fixed, model.location[pin], model.demand[pin])
    groups = tuple(dataclasses.replace(
        g, members=tuple(renumber[m] for m in g.members if m in renumber),
        fixed_hosts=tuple(g.fixed_hosts) + tuple(
            int(model.location[m]) for m in g.members if m not in renumber))
        for g in model.groups)
    left_alone = dict(model.left_alone)
    left_alone.update({model.servers[s]: reason for s in np.flatnonzero(pin)})
    return dataclasses.replace(
        model, servers=tuple(model.servers[s] for s in keep),
        demand=cluster_model.frozen_array(model.demand[keep]),
        location=cluster_model.frozen_array(model.location[keep], int),
        fixed=cluster_model.frozen_array(fixed),
        groups=tuple(g for g in groups if g.members),
        left_alone=left_alone)
