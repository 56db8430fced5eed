"""Stopping on SIGTERM without abandoning a live migration.

systemd stops a service with SIGTERM. A rebalancer that is still reading
the cloud or planning has nothing to lose: it stops at once. One that is
carrying out a plan lets the migrations in flight finish (a migration
abandoned mid-way is not harmed, but nobody would wait for it and record
it) and starts no new one; the executor asks :meth:`Stopper.is_set`
between moves.
"""

import contextlib
import threading

from nova_lb import exception


class Stopper(object):

    def __init__(self):
        self._event = threading.Event()
        self._moving = 0

    def is_set(self):
        return self._event.is_set()

    def request(self):
        """Ask to stop; raises :class:`~nova_lb.exception.Stopped` unless
        migrations are being carried out (called from a signal handler,
        the exception unwinds whatever the main thread was doing)."""
        self._event.set()
        if not self._moving:
            raise exception.Stopped('stopped before moving anything')

    @contextlib.contextmanager
    def moving(self):
        """While inside, a stop request waits for the moves in flight."""
        self._moving += 1
        try:
            yield
        finally:
            self._moving -= 1

    def wait(self, timeout):
        """Sleep up to ``timeout`` seconds or until asked to stop."""
        self._event.wait(timeout)
