"""One live migration in flight: started, watched, aborted when too slow.

Nova's live-migration API answers 202 with no body, so the migration is
found afterwards as the server's one live-migration record that was not
there before. It has ended when Nova has finished with it *and* with its
resources:

* the record's status is final (``completed``, ``failed``, ``error`` or
  ``cancelled``);
* the migration's own Placement consumer (its uuid, holding the source's
  allocation while the move runs) is gone: Nova marks a migration
  ``completed`` before it deletes that allocation, and usages read in
  between count the server twice;
* the server has no task any more (a rollback ends after the record).

A migration older than ``timeout`` is aborted through the API once Nova
lets it (only queued, preparing or running ones can be), and then waited
for as long again (at least a minute) before the executor gives up
watching it.
"""

import time

from oslo_log import log as logging

from nova_lb.cloud import executor_api
from nova_lb.executor import prechecks

LOG = logging.getLogger(__name__)

DONE = 'done'
FAILED = 'failed'
ABORTED = 'aborted'
#: Still not ended after twice the timeout: its hosts stay busy.
LOST = 'lost'

#: Seconds to wait for Nova to create the migration record.
RECORD_GRACE = 60.0
#: Least seconds to wait for a rollback after the timeout.
ABORT_GRACE = 60.0
#: Seconds an ended migration may keep its allocations or the server its
#: task. A migration that failed because its source compute died keeps
#: them for good (Nova leaves the allocations swapped): the move is then
#: over, and the model reports the leftover.
SETTLE_GRACE = 30.0


class LiveMigration(object):
    """A planned move and what Nova is doing with it."""

    def __init__(self, move, cloud, timeout, clock=time.monotonic):
        self.move = move
        self._cloud = cloud
        self._timeout = timeout
        self._clock = clock
        self._known = ()
        self.record = None
        self.started = None
        self.ended_seen = None
        self.abort_requested = False
        #: DONE, FAILED, ABORTED or LOST once ended; None while in flight.
        self.outcome = None
        self.reason = None

    def start(self):
        """Ask Nova to start the move.

        A start that raises may still have reached Nova (a timed-out
        POST); the first :meth:`poll` then finds its record or, after a
        grace period, reports the move failed.
        """
        self._known = {m['id'] for m in
                       self._cloud.live_migrations(self.move.server)}
        self.started = self._clock()
        LOG.info('Live-migrating server %(server)s from %(source)s to '
                 '%(dest)s', {'server': self.move.server,
                              'source': self.move.source,
                              'dest': self.move.destination})
        self._cloud.live_migrate(self.move.server, self.move.destination)

    def poll(self):
        """Look at the migration once; return True once it has ended."""
        if self.outcome:
            return True
        elapsed = self._clock() - self.started
        if self.record is None:
            self.record = self._find_record()
            if self.record is None:
                # Nova lists no migration of a deleted server.
                if self._cloud.server(self.move.server) is None:
                    self._end(FAILED, 'server deleted during its move')
                elif elapsed > RECORD_GRACE:
                    self._end(FAILED, 'Nova created no migration record')
                return bool(self.outcome)
        else:
            self.record = self._refresh()
            if self.record is None:
                self._end(FAILED, 'migration record vanished (server '
                          'deleted?)')
                return True
        status = self.record['status']
        if status in executor_api.ENDED:
            if self.ended_seen is None:
                self.ended_seen = self._clock()
            unsettled = self._unsettled()
            if unsettled:
                if self._clock() - self.ended_seen <= SETTLE_GRACE:
                    return False
                LOG.warning('Live migration %(id)s of server %(server)s '
                            'ended %(status)s but %(what)s',
                            {'id': self.record['id'], 'status': status,
                             'server': self.move.server, 'what': unsettled})
            if status == 'completed':
                self._end(DONE, None)
            elif self.abort_requested:
                self._end(ABORTED, 'aborted after %ss' % self._timeout)
            else:
                steps = self._cloud.failed_steps(self.move.server)
                self._end(FAILED, 'migration %s%s%s' % (
                    status, ': %s failed' % ', '.join(steps) if steps else '',
                    '; %s' % unsettled if unsettled else ''))
        elif elapsed > self._timeout + max(self._timeout, ABORT_GRACE):
            self._end(LOST, 'still %s after %ss, abort did not end it'
                      % (status, int(elapsed)))
        elif elapsed > self._timeout and not self.abort_requested:
            LOG.warning('Live migration %(id)s of server %(server)s is '
                        '%(status)s after %(elapsed)ds; aborting',
                        {'id': self.record['id'], 'status': status,
                         'server': self.move.server, 'elapsed': elapsed})
            self.abort_requested = self._cloud.abort(self.move.server,
                                                     self.record['id'])
        return bool(self.outcome)

    def _find_record(self):
        new = [m for m in self._cloud.live_migrations(self.move.server)
               if m['id'] not in self._known]
        return new[0] if new else None

    def _refresh(self):
        return next((m for m in self._cloud.live_migrations(self.move.server)
                     if m['id'] == self.record['id']), None)

    def _unsettled(self):
        """None once Nova has released the move's resources and the
        server's task; else what it still holds."""
        if self._cloud.allocations(self.record['uuid']):
            return 'it still holds allocations (consumer %s)' % (
                self.record['uuid'])
        server = self._cloud.server(self.move.server)
        if server is not None and server.get(prechecks.TASK_STATE):
            return 'the server is still in task %s' % server.get(
                prechecks.TASK_STATE)
        return None

    def _end(self, outcome, reason):
        self.outcome = outcome
        self.reason = reason
        log = LOG.info if outcome == DONE else LOG.warning
        log('Live migration of server %(server)s from %(source)s to '
            '%(dest)s: %(outcome)s%(why)s',
            {'server': self.move.server, 'source': self.move.source,
             'dest': self.move.destination, 'outcome': outcome,
             'why': ' (%s)' % reason if reason else ''})
