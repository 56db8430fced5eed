"""Connect to the cloud and call its APIs: timeouts, retries, one line.

A run must never hang on an endpoint that accepts a connection and never
answers (a wedged API behind a load balancer), and must never end with a
traceback because a service was down for a minute. So:

* the keystoneauth session of a connection gets ``(connect, read)``
  timeouts; it applies them to every request made through it, including
  authentication and version discovery, which no per-call argument
  reaches;
* every call is retried on transient failures (see
  :func:`~nova_lb.cloud.retry.transient`), authentication included;
* what still fails becomes a :class:`~nova_lb.exception.CloudError` (an
  answer, e.g. 401 or 404) or :class:`~nova_lb.exception.CloudUnavailable`
  (the service stayed down), whose one line names the service and call.
"""

import http
import threading

from keystoneauth1 import exceptions as ks_exceptions
import openstack
from openstack import exceptions as sdk_exceptions
from oslo_log import log as logging

from nova_lb import exception
from nova_lb.cloud import retry

LOG = logging.getLogger(__name__)

#: What every error the SDK or keystoneauth raises derives from.
SDK_ERRORS = (sdk_exceptions.SDKException, ks_exceptions.ClientException)


class Client(object):
    """GETs and SDK calls on one connection, with retries."""

    def __init__(self, conn, retrier):
        self.conn = conn
        self._retry = retrier

    @classmethod
    def configured(cls, conn, settings):
        """A Client retrying as ``[executor]`` (``settings``) says."""
        return cls(conn, retry.Retrier(settings.api_retries,
                                       settings.api_retry_delay))

    def get(self, service, path, version, params=None, missing_ok=False):
        """The JSON body of ``GET path`` on ``service`` (``compute``,
        ``placement``).

        :param missing_ok: return None for a 404 instead of failing.
        :raises nova_lb.exception.CloudUnavailable: still a 5xx, refused or
            timed out after every retry.
        :raises nova_lb.exception.CloudError: any other answer but 200.
        """
        what = '%s GET %s' % (service, path)
        LOG.debug('%(what)s %(params)s', {'what': what, 'params': params})

        def once():
            resp = getattr(self.conn, service).get(
                path, params=params or {}, microversion=version,
                raise_exc=False)
            if resp.status_code >= 500:
                sdk_exceptions.raise_from_response(resp)
            return resp

        resp = self.call(what, once)
        if resp.status_code == 404 and missing_ok:
            return None
        if resp.status_code != 200:
            raise exception.CloudError('%s failed: %d %s' % (
                what, resp.status_code,
                resp.reason or _phrase(resp.status_code)))
        try:
            return resp.json()
        except ValueError:
            raise exception.CloudError('%s returned a body that is not JSON'
                                       % what)

    def call(self, what, func, *args, **kwargs):
        """``func(*args, **kwargs)`` retried; an SDK error that is not
        transient is raised as is, for the caller to interpret (404 often
        means "gone"), except those saying no answer can be had (no
        endpoint, bad credentials), which become a CloudError."""
        try:
            return self._retry.call(what, func, *args, **kwargs)
        except (sdk_exceptions.HttpException, ks_exceptions.HttpError):
            raise
        except SDK_ERRORS as e:
            raise exception.CloudError('%s failed: %s' % (what, reason(e)))


def connect(cloud, settings):
    """An authenticated :class:`Client`, configured as every OpenStack CLI
    is, with ``[executor]``'s timeouts and retries (``settings``).

    :param cloud: a cloud name from ``clouds.yaml`` (``[rebalancer]
        cloud``); None means ``OS_CLOUD`` or the ``OS_*`` variables.
    :raises nova_lb.exception.CloudError: unknown cloud, missing or wrong
        credentials, an identity service that answers with an error.
    :raises nova_lb.exception.CloudUnavailable: an identity service that
        stayed unreachable or silent.
    """
    name = repr(cloud) if cloud else 'from the OS_* environment'
    try:
        conn = openstack.connect(cloud=cloud, app_name='nova-lb')
        # requests takes a (connect, read) pair; keystoneauth's own
        # ``timeout`` argument only takes one number for both.
        conn.session.timeout = (settings.api_connect_timeout,
                                settings.api_read_timeout)
    except SDK_ERRORS as e:
        raise exception.CloudError('cannot connect to cloud %s: %s'
                                   % (name, reason(e)))
    if conn.session.auth is not None:
        conn.session.auth._lock = _NotReentered()
    client = Client.configured(conn, settings)
    try:
        # The session's own call, not conn.authorize(), which hides
        # keystoneauth's errors (and so what is transient) in an
        # SDKException.
        client.call('authenticate to cloud %s' % name,
                    conn.session.get_token)
    except (sdk_exceptions.HttpException, ks_exceptions.HttpError) as e:
        raise exception.CloudError('cannot connect to cloud %s: %s'
                                   % (name, reason(e)))
    return client


class _NotReentered(object):
    """The auth plugin's token lock, failing where keystoneauth deadlocks.

    An identity service answering 401 to its version document (``GET
    /v3``) makes keystoneauth's discovery ask for a token while the same
    thread already holds the plugin's lock to get one: the run would hang
    forever, holding the rebalancing lock, whatever the timeouts. Re-entry
    raises DiscoveryFailure instead; keystoneauth then takes the identity
    version from the URL and authenticates, or fails with one line.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._owner = None

    def __enter__(self):
        if self._owner == threading.get_ident():
            raise ks_exceptions.DiscoveryFailure(
                'the identity service asks for a token to tell its '
                'versions (401 on its version document)')
        self._lock.acquire()
        self._owner = threading.get_ident()

    def __exit__(self, exc_type, exc, tb):
        self._owner = None
        self._lock.release()


def reason(error):
    """An SDK or keystoneauth error in one line."""
    return ' '.join(str(error).split()) or type(error).__name__


def _phrase(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ''
