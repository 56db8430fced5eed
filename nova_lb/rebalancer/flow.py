"""The three ways nova-lb moves servers: rebalance, apply, drain.

Each is one :class:`~nova_lb.rebalancer.run.Run` (lock, summary, state):

* :func:`rebalance`: plan from a fresh snapshot, publish the plan, and
  carry it out if ``[rebalancer] automation = automatic``;
* :func:`apply`: carry out a plan an admin reviewed, after checking it
  against a fresh snapshot;
* :func:`drain`: put a host in the draining aggregate, then plan moves
  that empty it and carry them out.
"""

import time

from oslo_log import log as logging

from nova_lb import exception
from nova_lb import jsonfile
from nova_lb.planner import checker
from nova_lb.planner import plan as plan_mod
from nova_lb.planner import planner
from nova_lb.planner import recheck
from nova_lb.rebalancer import run as run_mod
from nova_lb.rebalancer import state as state_mod

LOG = logging.getLogger(__name__)


def _plan(run, snap, now, drain_hosts=()):
    """The planner's plan for ``snap`` within the churn policy, sparing
    servers in cooldown; ``(plan, policy.Verdict)``.

    A drain moves every server off its hosts, recently moved or not (but
    not back where it came from), and is not held to ``min_gain``.
    """
    draining = {s.uuid for s in snap.servers if s.host in drain_hosts}
    in_cooldown = set(run.recently_moved()) - draining

    def make_plan(pinned, closed, max_migrations):
        options = planner.options_from_conf(
            run.conf, exclude_servers=in_cooldown, drain_hosts=drain_hosts,
            pinned=pinned, closed_hosts=closed,
            max_migrations=None if drain_hosts else max_migrations)
        return planner.plan(snap, options.allocations_only() if run.fallback
                            else options)

    return run.churn.plan(make_plan, now, draining=bool(drain_hosts))


def _migrations_in_flight(run):
    """None, or why this run must not move anything now."""
    in_flight = run.cloud.live_migrations_in_progress()
    if in_flight:
        return ('%d live migrations in flight (e.g. server %s); not '
                'starting more' % (len(in_flight),
                                   in_flight[0]['instance_uuid']))
    return None


def rebalance(conf, conn=None, dry_run=False, stopper=None):
    """One rebalancing run; returns its summary."""
    with run_mod.Run(conf, 'rebalance', conn, stopper) as run:
        busy = _migrations_in_flight(run)
        if busy:
            run.skip(busy + ', run skipped')
            return run.summary
        snap = run.snapshot(measured=True)
        now = time.time()
        plan, verdict = _plan(run, snap, now)
        moving = run.settings.automatic and not dry_run
        if moving:
            verdict = run.churn.decide(plan, verdict, now)
        run.publish(plan, snap)
        run.summary.update(verdict.summary())
        if not moving:
            run.skip('%s: plan published to %s, nothing moved' % (
                'dry run' if dry_run else 'automation = manual',
                run.state.path(state_mod.PLAN)))
        elif verdict.held:
            run.skip('held back by the churn policy: %s'
                     % run.summary['held'])
        elif plan.migrations:
            run.execute(plan, snap)
    return run.summary


def load_plan(path):
    """A reviewed plan file: ``(document, Plan)``.

    :raises nova_lb.exception.InvalidPlanFile: unreadable, not JSON or not
        a ``nova-lb-plan/1`` document.
    """
    try:
        document = jsonfile.read(path, state_mod.MAX_BYTES)
        return document, plan_mod.Plan.from_json(document)
    except OSError as e:
        raise exception.InvalidPlanFile('%s: cannot read: %s'
                                        % (path, e.strerror or e))
    except ValueError as e:
        raise exception.InvalidPlanFile('%s: %s' % (path, e))


def apply(conf, document, plan, conn=None, stopper=None):
    """Carry out a reviewed plan, after checking it against the cloud now.

    The moves no longer possible or whose purpose vanished are dropped,
    logged and listed in the summary (``dropped``); what is left is carried
    out with its figures taken on the fresh snapshot (see
    :mod:`~nova_lb.planner.recheck`).

    :raises nova_lb.exception.InvalidPlanFile: the plan is wrong whatever
        the cloud holds (see :func:`~nova_lb.planner.checker.check_offline`);
        nothing is locked or contacted.
    :raises nova_lb.exception.StalePlan: the plan no longer fits the cloud
        (a server moved or is gone, a host filled up, went down or is
        draining), the message naming the first violations; or it no
        longer improves the cloud by ``[solver] deadband``, the message
        giving the figures.
    """
    options = planner.options_from_conf(conf)
    limits = options.limits()
    violations = checker.check_offline(document, limits)
    if violations:
        raise exception.InvalidPlanFile(
            'the plan is invalid, nothing moved (%d problems): %s'
            % (len(violations), _first(violations)))
    with run_mod.Run(conf, 'apply', conn, stopper) as run:
        busy = _migrations_in_flight(run)
        if busy:
            raise exception.StalePlan(busy)
        snap = run.snapshot(measured=True)
        _refuse_unless_fits(snap, document, limits)
        verdict = recheck.recheck(snap, plan, run.model_options, limits)
        for server, why in sorted(verdict.dropped.items()):
            LOG.info('Dropping the move of server %(server)s: %(why)s',
                     {'server': server, 'why': why})
        run.summary['dropped'] = verdict.dropped
        if verdict.dropped:
            # Dropping a move no longer possible may strand one that
            # needed its room.
            _refuse_unless_fits(snap, verdict.plan.to_json(), limits)
        if verdict.gain < options.solver.deadband - 1e-9:
            raise exception.StalePlan(recheck.describe(
                verdict, options.solver.deadband))
        run.publish(verdict.plan, snap)
        run.execute(verdict.plan, snap)
    return run.summary


def _refuse_unless_fits(snap, document, limits):
    violations = checker.check(snap, document, limits)
    if violations:
        raise exception.StalePlan(
            'the plan no longer fits the cloud, nothing moved (%d '
            'problems): %s' % (len(violations), _first(violations)))


def _first(violations):
    """The first three violations, for a one-line message."""
    return '; '.join(v.message for v in violations[:3])


def drain(conf, host, aggregate, conn=None, stopper=None):
    """Stop ``host`` from taking servers and move its servers away."""
    with run_mod.Run(conf, 'drain %s' % host, conn, stopper) as run:
        if run.cloud.compute_service(host) is None:
            raise exception.UnknownHost(
                'no nova-compute service on host %s' % host)
        agg = run.cloud.aggregate(aggregate, create=True)
        if host not in agg['hosts']:
            run.cloud.add_host(agg['id'], host)
            LOG.info('Added %(host)s to the draining aggregate %(agg)s',
                     {'host': host, 'agg': aggregate})
        busy = _migrations_in_flight(run)
        if busy:
            raise exception.StalePlan(busy)
        snap = run.snapshot(measured=True)
        plan, verdict = _plan(run, snap, time.time(), drain_hosts=(host,))
        run.publish(plan, snap)
        run.summary.update(verdict.summary())
        if verdict.held:
            raise exception.StalePlan('no drain plan keeps to the churn '
                                      'policy, nothing moved: %s'
                                      % run.summary['held'])
        run.execute(plan, snap)
        left = [s['id'] for s in run.cloud.servers_on(host)]
        run.summary['left_on_host'] = left
        if left:
            run.unexpected.append('%d servers still on %s' % (len(left),
                                                              host))
    return run.summary


def undrain(cloud, host, aggregate):
    """Let ``host`` take servers again; returns what was done, one line.

    Only edits an aggregate, so it takes no lock: an admin can undo a
    drain while a rebalancing run is going on.
    """
    agg = cloud.aggregate(aggregate)
    if agg is None or host not in agg['hosts']:
        return '%s was not in the draining aggregate %s' % (host, aggregate)
    cloud.remove_host(agg['id'], host)
    LOG.info('Removed %(host)s from the draining aggregate %(agg)s',
             {'host': host, 'agg': aggregate})
    return '%s removed from the draining aggregate %s' % (host, aggregate)
