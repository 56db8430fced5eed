"""Retry an API call that failed in a way that is likely to pass.

A rebalancing run lasts minutes to hours; a Nova API restarted behind its
load balancer, or a Placement briefly overloaded, must not cost a half-done
run. Server errors (HTTP 5xx), refused connections and timeouts are tried
again with doubling waits, and so is a failed version discovery
(keystoneauth's ``DiscoveryFailure``: the service's endpoint did not
answer its ``GET /``), which is how a service that is down looks when a
run starts; client errors (4xx) are answers, never retried.
A call that still fails raises :class:`nova_lb.exception.CloudUnavailable`,
one line naming the call, so a run ends cleanly instead of with a
traceback.
"""

import time

from keystoneauth1 import exceptions as ks_exceptions
from openstack import exceptions as sdk_exceptions
from oslo_log import log as logging

from nova_lb import exception

LOG = logging.getLogger(__name__)


def transient(error):
    """Whether ``error`` is worth another try."""
    if isinstance(error, sdk_exceptions.HttpException):
        return (error.status_code or 0) >= 500
    if isinstance(error, ks_exceptions.HttpError):
        # Keystone's own answers while authenticating (a 503 from the
        # identity service behind its load balancer).
        return (error.http_status or 0) >= 500
    # ConnectFailure (refused, reset), ConnectTimeout (no answer in time:
    # keystoneauth raises it for read timeouts too) and DiscoveryFailure.
    return isinstance(error, (ks_exceptions.ConnectionError,
                              ks_exceptions.DiscoveryFailure))


class Retrier(object):
    """Calls functions, retrying transient failures with backoff."""

    def __init__(self, retries, delay, sleep=time.sleep):
        self.retries = retries
        self.delay = delay
        self._sleep = sleep

    def call(self, what, func, *args, **kwargs):
        """``func(*args, **kwargs)``, retried; ``what`` names it in logs.

        :raises nova_lb.exception.CloudUnavailable: a transient failure
            that outlived every retry.
        :raises openstack.exceptions.HttpException: a 4xx answer, for the
            caller to interpret (404 often means "gone").
        """
        wait = self.delay
        for attempt in range(self.retries + 1):
            try:
                return func(*args, **kwargs)
            except Exception as e:
                if not transient(e):
                    raise
                if attempt == self.retries:
                    raise exception.CloudUnavailable(
                        '%s failed %d times, last: %s'
                        % (what, attempt + 1, _first_line(e)))
                LOG.warning('%(what)s failed (%(error)s); retry %(n)d of '
                            '%(of)d in %(wait).1fs',
                            {'what': what, 'error': _first_line(e),
                             'n': attempt + 1, 'of': self.retries,
                             'wait': wait})
                self._sleep(wait)
                wait *= 2


def _first_line(error):
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
