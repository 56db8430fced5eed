"""One rebalancing at a time.

Two rebalancers (a daemon and a timer, an admin's ``nova-lb apply`` during
a run) would each plan as if alone and together overfill hosts. Every
command that moves servers holds this lock for its whole run: by default an
``fcntl`` lock on a file in ``state_dir`` (one machine), or a tooz lock when
``[rebalancer] coordination_url`` names a backend (several machines). A
second one does not wait: it stops with one line saying who holds the lock.
The kernel drops an ``fcntl`` lock when its process dies, so a killed
rebalancer never leaves a stale lock behind.
"""

import fcntl
import os
import socket

from oslo_log import log as logging

from nova_lb import exception

LOG = logging.getLogger(__name__)

LOCK_NAME = 'nova-lb-rebalancer'


class FileLock(object):
    """An exclusive, non-blocking ``flock`` on ``path``."""

    def __init__(self, path):
        self.path = path
        self._file = None

    def __enter__(self):
        f = open(self.path, 'a+')
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or 'unknown'
            f.close()
            raise exception.RebalancerBusy(
                'another rebalancer is running (%s holds %s)'
                % (holder, self.path))
        f.seek(0)
        f.truncate()
        f.write('pid %d on %s\n' % (os.getpid(), socket.gethostname()))
        f.flush()
        self._file = f
        return self

    def __exit__(self, *exc):
        self._file.truncate(0)
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()
        self._file = None


class ToozLock(object):
    """A tooz distributed lock; tooz is imported only when configured."""

    def __init__(self, url):
        try:
            from tooz import coordination
        except ImportError:
            raise exception.InvalidConfig(
                '[rebalancer] coordination_url is set but the tooz package '
                'is not installed')
        member = ('%s-%d' % (socket.gethostname(), os.getpid())).encode()
        self._url = url
        self._coordinator = coordination.get_coordinator(url, member)
        self._lock = None

    def __enter__(self):
        try:
            self._coordinator.start(start_heart=True)
        except Exception as e:
            raise exception.InvalidConfig(
                '[rebalancer] coordination_url %s: cannot connect: %s'
                % (self._url, e))
        self._lock = self._coordinator.get_lock(LOCK_NAME.encode())
        if not self._lock.acquire(blocking=False):
            self._coordinator.stop()
            raise exception.RebalancerBusy(
                'another rebalancer is running (it holds the %s lock at %s)'
                % (LOCK_NAME, self._url))
        return self

    def __exit__(self, *exc):
        self._lock.release()
        self._coordinator.stop()


def rebalancing_lock(settings):
    """The lock ``[rebalancer]`` asks for, not yet taken."""
    if settings.coordination_url:
        return ToozLock(settings.coordination_url)
    return FileLock(os.path.join(settings.state_dir, LOCK_NAME + '.lock'))
