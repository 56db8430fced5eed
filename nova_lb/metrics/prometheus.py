"""A small Prometheus HTTP API client: instant queries, nothing else.

nova-lb needs one call, ``GET /api/v1/query``; the maintained Python
clients bring pandas and matplotlib (prometheus-api-client) for it, so
this uses ``requests`` (already there for openstacksdk) with an explicit
timeout on every call, TLS verification and basic or bearer
authentication, as Prometheus' own HTTP API documents them.
"""

import math
import re

import requests
from oslo_log import log as logging

from nova_lb import exception

LOG = logging.getLogger(__name__)


class Client(object):
    """Instant queries against one Prometheus server."""

    def __init__(self, url, timeout, verify=True, auth=None, token=None):
        """
        :param url: Prometheus' base URL, e.g. ``http://prom:9090``.
        :param timeout: seconds to connect and, again, to read an answer.
        :param verify: True, False or a CA bundle path (as ``requests``).
        :param auth: ``(user, password)`` for basic authentication.
        :param token: a bearer token (exclusive with ``auth``).
        """
        self.url = url.rstrip('/') + '/api/v1/query'
        self.timeout = timeout
        self.verify = verify
        self.auth = auth
        self.headers = ({'Authorization': 'Bearer %s' % token}
                        if token else {})

    def query(self, promql, at):
        """``[(labels, value)]`` of an instant vector query at ``at``.

        Series whose value is NaN (no data in the window) are left out.

        :param at: a Unix time, so that every query of one snapshot reads
            the same moment.
        :raises nova_lb.exception.MetricsUnavailable: unreachable, an
            error status, or an answer that is not an instant vector; the
            message names the query.
        """
        LOG.debug('Prometheus query %(q)s', {'q': promql})
        try:
            resp = requests.get(
                self.url, params={'query': promql, 'time': '%.3f' % at},
                timeout=self.timeout, verify=self.verify, auth=self.auth,
                headers=self.headers)
        except requests.Timeout:
            raise exception.MetricsUnavailable(
                'Prometheus query %s failed: no answer from %s within %s s '
                '(timed out)' % (promql, self.url, self.timeout))
        except requests.ConnectionError as e:
            raise exception.MetricsUnavailable(
                'Prometheus query %s failed: cannot connect to %s: %s'
                % (promql, self.url, _reason(e)))
        except requests.RequestException as e:
            raise exception.MetricsUnavailable(
                'Prometheus query %s failed: %s' % (promql, _reason(e)))
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code != 200 or body.get('status') != 'success':
            raise exception.MetricsUnavailable(
                'Prometheus query %s failed: HTTP %d %s' % (
                    promql, resp.status_code,
                    body.get('error') or resp.reason or ''))
        return parse(promql, body)


def parse(promql, body):
    """The series of a successful ``/api/v1/query`` answer ``body``."""
    data = body.get('data') or {}
    if data.get('resultType') != 'vector':
        raise exception.MetricsUnavailable(
            'Prometheus query %s answered a %s, not an instant vector'
            % (promql, data.get('resultType')))
    series = []
    for item in data.get('result') or ():
        try:
            value = float(item['value'][1])
            labels = dict(item['metric'])
        except (KeyError, IndexError, TypeError, ValueError):
            raise exception.MetricsUnavailable(
                'Prometheus query %s: malformed series %r' % (promql, item))
        if not math.isnan(value):
            series.append((labels, value))
    return series


def _reason(error):
    """The root cause of a ``requests`` error, on one line.

    ``requests`` wraps urllib3's errors in messages that repeat the whole
    URL; the admin needs the last cause (``[Errno 111] Connection
    refused``).
    """
    text = ' '.join(str(error).split()) or type(error).__name__
    match = re.search(r'(\[Errno [^\]]+\][^\)"\']*)', text)
    return match.group(1).strip() if match else text
