"""Carry out a plan: its waves in order, each wave's moves in parallel.

A wave's migrations start together up to ``max_parallel`` in flight, and
up to ``max_per_host`` leaving or entering any one host; the rest start as
earlier ones end. Wave k+1 starts only when every move of wave k has ended,
because the planner proved each wave fits only with the previous ones
finished.

Every move is checked against the cloud just before it starts
(:mod:`~nova_lb.executor.prechecks`). So when a move fails or is aborted,
the moves after it still go ahead only if what they assumed, their server
on its source and room on their destination, still holds. After
``max_failures`` failures, or when asked to stop (SIGTERM), no further move
starts; the ones in flight are waited for, never abandoned mid-way.
"""

import dataclasses
import time

from openstack import exceptions as sdk_exceptions
from oslo_log import log as logging

from nova_lb.executor import migration as migration_mod
from nova_lb.executor import prechecks
from nova_lb.cloud import retry

LOG = logging.getLogger(__name__)

SKIPPED = 'skipped'
NOT_STARTED = 'not started'
FAILURES = (migration_mod.FAILED, migration_mod.ABORTED, migration_mod.LOST)


@dataclasses.dataclass(frozen=True)
class Outcome:
    server: str
    source: str
    destination: str
    wave: int
    result: str
    reason: object = None


@dataclasses.dataclass
class Report:
    """What became of each move of a plan, in the order they ended."""

    outcomes: list = dataclasses.field(default_factory=list)
    #: Why the run stopped before the end of the plan, or None.
    stopped: object = None

    def count(self, *results):
        return sum(o.result in results for o in self.outcomes)

    @property
    def done(self):
        return self.count(migration_mod.DONE)

    @property
    def failed(self):
        return self.count(*FAILURES)

    def to_json(self):
        return {'done': self.done, 'failed': self.failed,
                'skipped': self.count(SKIPPED),
                'not_started': self.count(NOT_STARTED),
                'stopped': self.stopped,
                'moves': [dataclasses.asdict(o) for o in self.outcomes]}


class Executor(object):

    def __init__(self, cloud, settings, provider_of, should_stop=None,
                 on_moved=None, sleep=time.sleep):
        """
        :param cloud: a :class:`nova_lb.cloud.executor_api.ExecutorApi`.
        :param settings: :class:`nova_lb.conf.executor.Settings`.
        :param provider_of: ``{host: resource provider uuid}``.
        :param should_stop: ``() -> bool``; True starts no further move.
        :param on_moved: ``(server uuid) -> None``, called as soon as a
            move is done (the cooldown is recorded move by move).
        """
        self._cloud = cloud
        self._settings = settings
        self._provider_of = provider_of
        self._should_stop = should_stop or (lambda: False)
        self._on_moved = on_moved or (lambda server: None)
        self._sleep = sleep

    def execute(self, plan):
        """Run ``plan`` (a :class:`nova_lb.planner.plan.Plan`)."""
        report = Report()
        for wave in plan.waves:
            if report.stopped is None:
                self._run_wave(wave, report)
            else:
                report.outcomes.extend(_outcome(m, NOT_STARTED)
                                       for m in wave)
        return report

    def _run_wave(self, wave, report):
        pending = list(wave)
        active = []
        while pending or active:
            report.stopped = report.stopped or self._stop_reason(report)
            if report.stopped is None:
                self._start_some(pending, active, report)
            else:
                report.outcomes.extend(_outcome(m, NOT_STARTED)
                                       for m in pending)
                pending = []
            if active:
                self._sleep(self._settings.poll_interval)
            for live in [live for live in active if live.poll()]:
                active.remove(live)
                self._ended(live, report)

    def _stop_reason(self, report):
        if self._should_stop():
            return 'stop requested'
        if report.failed >= self._settings.max_failures:
            return '%d migrations failed' % report.failed
        if report.count(migration_mod.LOST):
            return 'a migration did not end'
        return None

    def _start_some(self, pending, active, report):
        """Start pending moves while the limits allow, in plan order."""
        for move in list(pending):
            if len(active) >= self._settings.max_parallel or \
                    self._should_stop():
                return
            if not hosts_free(move, [live.move for live in active],
                              self._settings.max_per_host):
                continue
            pending.remove(move)
            reason = prechecks.check(move, self._cloud, self._provider_of,
                                     [live.move for live in active])
            if reason:
                LOG.info('Skipping the move of server %(server)s to '
                         '%(dest)s: %(reason)s',
                         {'server': move.server, 'dest': move.destination,
                          'reason': reason})
                report.outcomes.append(_outcome(move, SKIPPED, reason))
                continue
            live = migration_mod.LiveMigration(
                move, self._cloud, self._settings.migration_timeout)
            try:
                live.start()
            except Exception as e:
                if retry.transient(e):
                    LOG.warning('Starting the move of server %(server)s '
                                'failed (%(error)s); it may have started '
                                'anyway, watching for it',
                                {'server': move.server, 'error': e})
                elif isinstance(e, sdk_exceptions.HttpException):
                    # Nova refused it (4xx, e.g. NoValidHost): nothing
                    # started.
                    reason = 'Nova refused: %s' % (e.details or e)
                    LOG.warning('Live migration of server %(server)s to '
                                '%(dest)s: failed (%(reason)s)',
                                {'server': move.server,
                                 'dest': move.destination,
                                 'reason': reason})
                    report.outcomes.append(_outcome(
                        move, migration_mod.FAILED, reason))
                    continue
                else:
                    raise
            active.append(live)

    def _ended(self, live, report):
        report.outcomes.append(_outcome(live.move, live.outcome, live.reason))
        if live.outcome == migration_mod.DONE:
            self._on_moved(live.move.server)


def hosts_free(move, in_flight, limit):
    """Whether ``move`` may start beside the moves ``in_flight``: neither
    of its hosts already takes part, as source or destination, in ``limit``
    of them."""
    busy = [h for m in in_flight for h in (m.source, m.destination)]
    return busy.count(move.source) < limit and \
        busy.count(move.destination) < limit


def _outcome(move, result, reason=None):
    return Outcome(move.server, move.source, move.destination, move.wave,
                   result, reason)
