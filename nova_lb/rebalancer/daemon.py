"""The rebalancer's loop: a run every ``[rebalancer] interval`` seconds.

A run is skipped, not queued, while any live migration is in flight in the
cloud, whoever started it: an operator's evacuation or another tool's move
changes what the plan would be, and the in-flight move's resources are
held on two hosts at once.

SIGTERM (systemd's stop) and SIGINT let the migrations in flight finish
and start no new one; a run that is not moving servers yet stops at once
(see :mod:`~nova_lb.rebalancer.stopping`). A daemon killed harder and
restarted repeats no move: every run plans afresh from the cloud as it is,
and the pre-checks skip any server no longer on its planned source.
"""

import signal
import time

from oslo_log import log as logging

from nova_lb import exception
from nova_lb.rebalancer import flow
from nova_lb.rebalancer import stopping

LOG = logging.getLogger(__name__)


def handle_signals(stopper=None):
    """Make SIGTERM and SIGINT ask ``stopper`` (default: a new one) to
    stop; returns it."""
    stopper = stopper or stopping.Stopper()

    def on_signal(signum, frame):
        LOG.info('Got %(signal)s: stopping; live migrations in flight, if '
                 'any, finish first and no new one starts',
                 {'signal': signal.Signals(signum).name})
        stopper.request()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return stopper


class Daemon(object):

    def __init__(self, conf, dry_run=False, conn=None, stopper=None):
        self._conf = conf
        self._dry_run = dry_run
        self._conn = conn
        self.stopper = stopper or stopping.Stopper()

    def run_once(self):
        """One run; returns its summary."""
        return flow.rebalance(self._conf, conn=self._conn,
                              dry_run=self._dry_run, stopper=self.stopper)

    def run_forever(self):
        """Runs until stopped; a failed run is logged and the next tried."""
        try:
            while not self.stopper.is_set():
                started = time.monotonic()
                try:
                    self.run_once()
                except (exception.InvalidConfig, exception.Stopped):
                    raise
                except exception.NovaLBError as e:
                    LOG.error('Run failed: %(error)s', {'error': e})
                except Exception:
                    # A bug, not the cloud: the traceback is for its
                    # report, and the next run may well succeed.
                    LOG.exception('Run failed unexpectedly')
                interval = self._conf.rebalancer.interval
                self.stopper.wait(
                    max(0.0, interval - (time.monotonic() - started)))
        except exception.Stopped:
            pass
        LOG.info('Stopped')
