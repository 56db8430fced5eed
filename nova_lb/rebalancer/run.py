"""What every command that moves servers shares: one run's context.

A run reads its options once, connects once, takes the rebalancing lock,
executes a plan with the cooldown recorded move by move, and ends with one
INFO summary line, ``last-run.json`` and, if configured, the metrics file.
The daemon's runs, ``nova-lb apply`` and ``nova-lb drain`` all go through
here, so they exclude each other and report alike.
"""

import time

from oslo_log import log as logging

from nova_lb.conf import executor as executor_conf
from nova_lb.conf import metrics as metrics_conf
from nova_lb.conf import rebalancer as rebalancer_conf
from nova_lb.executor import cloud as cloud_mod
from nova_lb.executor import executor as executor_mod
from nova_lb.metrics import reader
from nova_lb.model import collector
from nova_lb.model import snapshot as snapshot_mod
from nova_lb.rebalancer import lock
from nova_lb.rebalancer import metrics
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
        self.metrics_settings = metrics_conf.for_run(conf)
        #: Why measured load is missing, when ``[metrics] on_failure =
        #: allocations`` let the run balance allocations instead.
        self.fallback = None
        self.state = state_mod.State(self.settings.state_dir)
        self.stopper = stopper or stopping.Stopper()
        self._conn = conn
        self._lock = lock.rebalancing_lock(self.settings)
        self.cloud = None
        self.started = None
        self.summary = {'kind': kind}

    def __enter__(self):
        self._lock.__enter__()
        self.started = time.time()
        try:
            if self._conn is None:
                self._conn = collector.connect(self.settings.cloud)
        except BaseException as e:
            self.__exit__(type(e), e, None)
            raise
        self.cloud = cloud_mod.Cloud.configured(self._conn,
                                                self.executor_settings)
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc is not None:
                self.summary['error'] = ' '.join(str(exc).split()) or \
                    type(exc).__name__
            self._finish()
        finally:
            self._lock.__exit__(exc_type, exc, tb)

    def snapshot(self, measured=False):
        """A fresh, checked :class:`~nova_lb.model.snapshot.Snapshot` of
        the cloud; adds the hosts and servers counts to the summary.

        :param measured: also read measured load when ``[metrics]`` is
            configured (runs that plan; ``apply`` does not need it).
        """
        document = collector.collect(self._conn)
        if measured and self.metrics_settings is not None:
            self.fallback = reader.attach(document, self.metrics_settings)
            if self.fallback:
                self.summary['fallback'] = (
                    'balanced allocations, measured load unavailable: %s'
                    % self.fallback)
        snap = snapshot_mod.parse(document, 'the cloud')
        self.summary.update(hosts=len(snap.services),
                            servers=len(snap.servers))
        return snap

    def publish(self, plan):
        """Record ``plan`` as the current plan and in the summary."""
        self.state.write(state_mod.PLAN, plan.to_json())
        self.summary.update(planned=len(plan.migrations),
                            waves=len(plan.waves),
                            gap=plan.solver.get('gap'),
                            before=plan.before, after=plan.after,
                            leftovers=[item['message']
                                       for item in plan.leftovers])
        for item in plan.leftovers:
            LOG.warning('%(message)s', {'message': item['message']})

    def execute(self, plan, snap):
        """Carry ``plan`` out; the report goes into the summary."""
        provider_of = {hv.host: hv.uuid for hv in snap.hypervisors}
        with self.stopper.moving():
            report = executor_mod.Executor(
                self.cloud, self.executor_settings, provider_of,
                should_stop=self.stopper.is_set,
                on_moved=self._record_move).execute(plan)
        self.summary.update(report.to_json())
        return report

    def _record_move(self, server):
        self.state.record_move(server, time.time(), self.settings.cooldown)

    def recently_moved(self):
        """Servers still in their cooldown, not to be moved again."""
        return sorted(self.state.recently_moved(time.time(),
                                                self.settings.cooldown))

    def _finish(self):
        ended = time.time()
        s = self.summary
        s.update(ended_at=ended, duration=round(ended - self.started, 3),
                 success=int('error' not in s))
        LOG.info('%(kind)s run: %(hosts)s hosts, %(servers)s servers, plan '
                 '%(planned)s moves in %(waves)s waves (gap %(gap)s), '
                 '%(done)s done, %(failed)s failed, %(skipped)s skipped, '
                 '%(duration).1fs%(outcome)s',
                 dict({k: s.get(k, '-') for k in (
                     'hosts', 'servers', 'planned', 'waves', 'done',
                     'failed', 'skipped')},
                     gap=_number(s.get('gap')), kind=self.kind,
                     duration=s['duration'], outcome=_outcome(s)))
        self.state.write(state_mod.LAST_RUN, s)
        if self.settings.metrics_file:
            metrics.write(self.settings.metrics_file, s)


def _outcome(summary):
    for key in ('error', 'stopped', 'fallback', 'note'):
        if summary.get(key):
            return ' (%s: %s)' % (key, summary[key])
    return ''


def _number(value):
    return '-' if value is None else '%.3g' % value
