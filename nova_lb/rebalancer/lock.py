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

import errno
import fcntl
import os
import socket
import stat
import time

from oslo_log import log as logging

from nova_lb import exception

LOG = logging.getLogger(__name__)

LOCK_NAME = 'nova-lb-rebalancer'


class FileLock(object):
    """An exclusive, non-blocking ``flock`` on ``path``.

    The lock file lives in a directory others may be able to write, and
    the rebalancer often runs as root: the file is opened without
    following a symlink, must be a regular file with one link, owned by
    this user and not writable by everyone, and is never truncated (the
    holder's line is written over a fixed-width record). So a symlink or
    hard link planted in ``state_dir`` cannot make the rebalancer empty or
    overwrite another file.
    """

    #: Bytes of the holder record: ``pid N on HOST`` padded with spaces.
    RECORD = 128

    def __init__(self, path):
        self.path = path
        self._fd = None

    def __enter__(self):
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, self.RECORD, 0).decode(
                'utf-8', 'replace').strip() or 'unknown'
            os.close(fd)
            raise exception.RebalancerBusy(
                'another rebalancer is running (%s holds %s)'
                % (holder, self.path))
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._write('pid %d on %s' % (os.getpid(), socket.gethostname()))
        return self

    def __exit__(self, *exc):
        self._write('')
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def held(self):
        """Always True: the kernel keeps an ``flock`` until its holder
        exits."""
        return True

    def _open(self):
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
                         | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
        except OSError as e:
            raise exception.InvalidConfig(
                '[rebalancer] state_dir: cannot open the lock file %s: %s%s'
                % (self.path, e.strerror or e,
                   ' (a symlink is not accepted)'
                   if e.errno == errno.ELOOP else ''))
        info = os.fstat(fd)
        problem = None
        if not stat.S_ISREG(info.st_mode):
            problem = 'is not a regular file'
        elif info.st_nlink != 1:
            problem = 'has %d hard links' % info.st_nlink
        elif info.st_uid != os.geteuid():
            problem = 'is owned by uid %d, not by this user (uid %d)' % (
                info.st_uid, os.geteuid())
        elif info.st_mode & 0o002:
            problem = 'is writable by everyone (mode %o)' % stat.S_IMODE(
                info.st_mode)
        if problem:
            os.close(fd)
            raise exception.InvalidConfig(
                '[rebalancer] state_dir: the lock file %s %s; remove it'
                % (self.path, problem))
        return fd

    def _write(self, holder):
        line = holder.encode('utf-8', 'replace')[:self.RECORD - 1]
        os.pwrite(self._fd, line.ljust(self.RECORD - 1) + b'\n', 0)


class ToozLock(object):
    """A tooz distributed lock; tooz is imported only when configured.

    A backend with leases (etcd) drops the lock when its holder stops
    refreshing it: a killed rebalancer frees it once the lease expires,
    and a holder cut off from the backend for that long may have lost it
    to another controller. So before each move the executor asks
    :meth:`held`, which refreshes the lease and asks the backend, and a
    holder that cannot confirm the lock starts no further move.
    """

    #: Seconds during which a confirmation stands: the executor asks
    #: before every move it considers, the backend need not hear each.
    CONFIRM_EVERY = 1.0

    def __init__(self, url):
        try:
            from tooz import coordination
        except ImportError:
            raise exception.InvalidConfig(
                '[rebalancer] coordination_url is set but the tooz package '
                'is not installed')
        member = ('%s-%d' % (socket.gethostname(), os.getpid())).encode()
        self._url = url
        try:
            self._coordinator = coordination.get_coordinator(url, member)
        except Exception as e:
            # tooz raises its own errors, or ImportError for a driver
            # whose client package is missing.
            raise exception.InvalidConfig(
                '[rebalancer] coordination_url %s: %s' % (url, e))
        self._lock = None
        self._confirmed = (None, False)

    def __enter__(self):
        try:
            self._coordinator.start(start_heart=True)
        except Exception as e:
            # Unreachable is a failure of the service, not bad input.
            raise exception.CloudError(
                '[rebalancer] coordination_url %s: cannot connect: %s'
                % (self._url, str(e) or type(e).__name__))
        self._lock = self._coordinator.get_lock(LOCK_NAME.encode())
        try:
            acquired = self._lock.acquire(blocking=False)
        except Exception as e:
            self._stop()
            raise exception.CloudError(
                '[rebalancer] coordination_url %s: cannot take the lock: %s'
                % (self._url, e))
        if not acquired:
            self._stop()
            raise exception.RebalancerBusy(
                'another rebalancer is running (it holds the %s lock at %s)'
                % (LOCK_NAME, self._url))
        return self

    def __exit__(self, *exc):
        try:
            self._lock.release()
        except Exception as e:
            LOG.warning('Could not release the %(name)s lock at %(url)s '
                        '(%(error)s); it ends when its lease expires',
                        {'name': LOCK_NAME, 'url': self._url, 'error': e})
        self._stop()

    def held(self):
        """True if the backend confirms, now, that this process holds the
        lock; False if it says otherwise or cannot be reached."""
        at, held = self._confirmed
        now = time.monotonic()
        if at is not None and now - at < self.CONFIRM_EVERY:
            return held
        try:
            # Refreshes the lock's lease, or raises if unreachable.
            self._coordinator.heartbeat()
            # The etcd3gw driver's lock keeps its lease: one the backend
            # already expired has no time left, though refreshing it
            # raised nothing.
            lease = getattr(self._lock, '_lease', None)
            held = self._lock.acquired and (lease is None or lease.ttl() > 0)
            problem = None if held else 'the lock is no longer ours'
        except Exception as e:
            held, problem = False, str(e) or type(e).__name__
        if not held:
            LOG.warning('Cannot confirm that this process still holds the '
                        '%(name)s lock at %(url)s (%(error)s): starting no '
                        'further move', {'name': LOCK_NAME, 'url': self._url,
                                         'error': problem})
        self._confirmed = (now, held)
        return held

    def _stop(self):
        try:
            self._coordinator.stop()
        except Exception as e:
            LOG.warning('Could not leave %(url)s cleanly: %(error)s',
                        {'url': self._url, 'error': e})


def rebalancing_lock(settings):
    """The lock ``[rebalancer]`` asks for, not yet taken."""
    if settings.coordination_url:
        return ToozLock(settings.coordination_url)
    return FileLock(os.path.join(settings.state_dir, LOCK_NAME + '.lock'))
