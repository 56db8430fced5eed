"""What every command that moves servers shares: one run's context.

A run reads its options once, connects once, takes the rebalancing lock,
executes a plan with the cooldown recorded move by move, and ends with one
INFO summary line, ``last-run.json`` and, if configured, the metrics file.
The daemon's runs, ``nova-lb apply`` and ``nova-lb drain`` all go through
here, so they exclude each other and report alike.

What a run reports is measured, not predicted: ``before`` is the
utilisation of the snapshot the run acted on, ``after`` that of a fresh
snapshot taken once its moves ended (the plan's own prediction is kept
beside it as ``predicted_after``), and the leftover allocations are those
found after the run. Leftovers that appeared while the run went on make
it a partial failure (see :mod:`~nova_lb.rebalancer.outcome`).
"""

import collections
import dataclasses
import time

from oslo_log import log as logging

from nova_lb.cloud import client as client_mod
from nova_lb.cloud import collector
from nova_lb.cloud import executor_api
from nova_lb.conf import executor as executor_conf
from nova_lb.conf import rebalancer as rebalancer_conf
from nova_lb import exception
from nova_lb.executor import executor as executor_mod
from nova_lb.metrics import reader
from nova_lb.metrics import settings as measured_settings
from nova_lb.model import build
from nova_lb.model import cost
from nova_lb.model import leftovers as leftovers_mod
from nova_lb.model import snapshot as snapshot_mod
from nova_lb.planner import planner
from nova_lb.rebalancer import lock
from nova_lb.rebalancer import metrics
from nova_lb.rebalancer import outcome as outcome_mod
from nova_lb.rebalancer import policy
from nova_lb.rebalancer import state as state_mod
from nova_lb.rebalancer import stopping

LOG = logging.getLogger(__name__)


class Run(object):
    """One run: options, connection, state and the lock while it lasts.

    Use as a context manager; the lock is held inside the ``with``.
    """

    def __init__(self, conf, kind, conn=None, stopper=None):
        """
        :param kind: what runs, for the summary: ``rebalance``, ``apply``,
            ``drain HOST``.
        :param conn: an openstacksdk connection; None connects to
            ``[rebalancer] cloud``.
        :param stopper: a :class:`~nova_lb.rebalancer.stopping.Stopper`
            that SIGTERM sets; None for one never set.
        """
        self.conf = conf
        self.kind = kind
        self.settings = rebalancer_conf.load(conf)
        self.executor_settings = executor_conf.load(conf)
        self.model_options = build.Options.from_conf(conf)
        self.metrics_settings = measured_settings.for_run(conf)
        #: Why measured load is missing, when ``[metrics] on_failure =
        #: allocations`` let the run balance allocations instead.
        self.fallback = None
        #: The measured load this run read first, for its later snapshots.
        self._metrics = None
        self.state = state_mod.State(self.settings.state_dir)
        self.churn = policy.Churn(self.settings, self.state)
        self._planned = {}
        self.stopper = stopper or stopping.Stopper()
        self._conn = conn
        self._lock = lock.rebalancing_lock(self.settings)
        self.client = None
        self.cloud = None
        self.started = None
        self.summary = {'kind': kind}
        #: Why the run moved nothing by policy, or None.
        self._skipped = None
        #: What the run found that it did not cause on purpose.
        self.unexpected = []
        #: Consumers of the leftovers seen before the run acted.
        self._known_leftovers = set()

    def __enter__(self):
        self._lock.__enter__()
        self.started = time.time()
        try:
            if self._conn is None:
                self.client = client_mod.connect(self.settings.cloud,
                                                 self.executor_settings)
            else:
                self.client = client_mod.Client.configured(
                    self._conn, self.executor_settings)
        except BaseException as e:
            self.__exit__(type(e), e, None)
            raise
        self.cloud = executor_api.ExecutorApi(self.client)
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            self._finish(exc)
        finally:
            self._lock.__exit__(exc_type, exc, tb)

    def snapshot(self, measured=False):
        """A fresh, checked :class:`~nova_lb.model.snapshot.Snapshot` of
        the cloud; adds the hosts and servers counts to the summary.

        :param measured: also read measured load when ``[metrics]`` is
            configured (runs that plan or check a plan's gain); later
            snapshots of the run reuse that reading, so that before and
            after compare the same servers' use.
        """
        document = collector.collect(self.client)
        if self._metrics is not None:
            document['metrics'] = self._metrics
        elif measured and self.metrics_settings is not None:
            self.fallback = reader.attach(document, self.metrics_settings)
            if self.fallback:
                self.summary['fallback'] = (
                    'balanced allocations, measured load unavailable: %s'
                    % self.fallback)
                self.model_options = dataclasses.replace(
                    self.model_options, measured=False)
            else:
                self._metrics = document['metrics']
        snap = snapshot_mod.parse(document, 'the cloud')
        draining = self.conf.nova_lb.draining_aggregate
        self.summary.update(hosts=len(snap.services),
                            servers=len(snap.servers),
                            draining_hosts=len({
                                host for agg in snap.aggregates
                                if agg.name == draining
                                for host in agg.hosts}))
        return snap

    def skip(self, reason):
        """End the run without moving anything, by policy."""
        self._skipped = reason

    def publish(self, plan, snap):
        """Record ``plan`` as the current plan, and in the summary with
        what ``snap``, the cloud it will act on, measures."""
        self.state.write(state_mod.PLAN, plan.to_json())
        self.summary.update(planned=len(plan.migrations),
                            waves=len(plan.waves),
                            gap=plan.solver.get('gap'),
                            predicted_after=plan.after)
        found = self._measure('before', snap)
        self._known_leftovers = {item.server for item in found}
        for item in found:
            LOG.warning('%(message)s', {'message': item.message})

    def execute(self, plan, snap):
        """Carry ``plan`` out; the report, and the cloud as measured after
        it, go into the summary."""
        provider_of = {hv.host: hv.uuid for hv in snap.hypervisors}
        self._planned = collections.defaultdict(collections.deque)
        for m in plan.migrations:
            self._planned[m.server].append(m)
        with self.stopper.moving():
            report = executor_mod.Executor(
                self.cloud, self.executor_settings, provider_of,
                should_stop=self._should_stop,
                on_moved=self._record_move).execute(plan)
        self.summary.update(report.to_json())
        if report.done or report.failed:
            for item in self._measure('after', self.snapshot()):
                if item.server not in self._known_leftovers:
                    LOG.warning('%(message)s', {'message': item.message})
                    self.unexpected.append('new ' + item.message)
        return report

    def _measure(self, when, snap):
        """Put the utilisation of ``snap`` into the summary as ``when``
        (``before`` or ``after``), and its leftovers; returns those."""
        found = leftovers_mod.find(snap)
        self.summary[when] = planner.measure(snap, self.model_options)
        self.summary['imbalance_' + when] = cost.cloud_imbalance(
            self.summary[when], self.model_options.cost)
        self.summary['leftovers'] = [item.message for item in found]
        return found

    def _should_stop(self):
        """Asked to stop, or the lock can no longer be confirmed (another
        controller may hold it now)."""
        return self.stopper.is_set() or not self._lock.held()

    def _record_move(self, server):
        now = time.time()
        self.state.record_move(server, now, self.settings.cooldown)
        planned = self._planned.get(server)
        if planned:
            self.churn.record(planned.popleft(), now)

    def recently_moved(self):
        """Servers still in their cooldown, not to be moved again."""
        return sorted(self.state.recently_moved(time.time(),
                                                self.settings.cooldown))

    def _finish(self, error):
        ended = time.time()
        s = self.summary
        outcome, reason = self._outcome(error)
        if 'before' in s and 'after' not in s and outcome in (
                outcome_mod.DONE, outcome_mod.PARTLY_FAILED):
            # nothing moved
            s['after'], s['imbalance_after'] = s['before'], s.get(
                'imbalance_before')
        s.update(ended_at=ended, duration=round(ended - self.started, 3),
                 outcome=outcome.name, success=outcome.success)
        if reason:
            s['reason'] = reason
        s.update(self._operator_figures(ended))
        LOG.info('%(kind)s run %(outcome)s%(reason)s: %(hosts)s hosts, '
                 '%(servers)s servers, plan %(planned)s moves in %(waves)s '
                 'waves (gap %(gap)s), %(done)s done, %(failed)s failed, '
                 '%(skipped)s skipped%(dropped)s, %(duration).1fs, peak '
                 '%(peak)s%(fallback)s',
                 dict({k: s.get(k, '-') for k in (
                     'hosts', 'servers', 'planned', 'waves', 'done',
                     'failed', 'skipped')},
                     gap=_number(s.get('gap')), kind=self.kind,
                     duration=s['duration'], outcome=outcome.name,
                     reason=' (%s)' % reason if reason else '',
                     peak=_peaks(s),
                     dropped=', %d dropped from the reviewed plan' % len(
                         s['dropped']) if s.get('dropped') else '',
                     fallback='; ' + s['fallback'] if s.get('fallback')
                     else ''))
        self.state.write(state_mod.LAST_RUN, s)
        if self.settings.metrics_file:
            metrics.write(self.settings.metrics_file, s)

    def _outcome(self, error):
        """``(Outcome, reason or None)`` of this run."""
        if error is not None:
            return (outcome_mod.of_error(error),
                    ' '.join(str(error).split()) or type(error).__name__)
        if self._skipped:
            return outcome_mod.SKIPPED, self._skipped
        s = self.summary
        outcome = outcome_mod.of_moves(s.get('done', 0), s.get('failed', 0),
                                       self.unexpected)
        reasons = list(self.unexpected)
        if s.get('failed'):
            reasons.insert(0, '%d of %d moves started failed' % (
                s['failed'], s['failed'] + s['done']))
        if s.get('stopped'):
            reasons.append('stopped: %s' % s['stopped'])
        return outcome, '; '.join(reasons) or None

    def _operator_figures(self, ended):
        """What dashboards and alerts need beside the run's own figures:
        when a run last succeeded (kept from run to run), the interval
        runs should come at, the migrations of the last 24 hours."""
        try:
            previous = self.state.read(state_mod.LAST_RUN) or {}
        except exception.NovaLBError:
            previous = {}
        return {'last_success_at': ended if self.summary.get('success')
                else previous.get('last_success_at'),
                'interval': self.settings.interval,
                'migrations_last_day': self.churn.migrations_last_day(ended)}

def _peaks(summary):
    """``MEMORY_MB 77.4% -> 38.7% measured (predicted 38.7%)``, or '-'."""
    before, after = summary.get('before') or {}, summary.get('after') or {}
    predicted = summary.get('predicted_after') or {}
    return ', '.join(
        '%s %.1f%% -> %s measured (predicted %s)' % (
            rc, 100 * before[rc]['peak'],
            _percent(after.get(rc)), _percent(predicted.get(rc)))
        for rc in sorted(before)) or '-'


def _percent(stats):
    return '%.1f%%' % (100 * stats['peak']) if stats else '-'


def _number(value):
    return '-' if value is None else '%.3g' % value
