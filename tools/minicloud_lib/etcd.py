"""etcd, Debian's ``etcd-server``, as the minicloud's coordination service.

Admins run the rebalancer on several controllers with ``[rebalancer]
coordination_url = etcd3+http://...``, so that only one of them moves
servers at a time. The tests do the same against a real etcd: one member
on loopback, its data in the work dir, no other etcd touched.
"""

import json
import urllib.error
import urllib.request

from minicloud_lib import layout as L
from minicloud_lib.services import Service

ETCD = '/usr/bin/etcd'


def client_url():
    return 'http://%s:%d' % (L.HOST, L.PORTS['etcd'])


def coordination_url(**options):
    """``[rebalancer] coordination_url`` for this etcd through tooz's
    etcd3gw driver; ``options`` (e.g. ``lock_timeout=5``) go in the query."""
    query = '&'.join('%s=%s' % item for item in sorted(options.items()))
    return 'etcd3+%s%s' % (client_url(), '?' + query if query else '')


class Etcd(Service):
    """The etcd member; ready once it reports itself healthy."""

    def __init__(self, lay):
        peer = 'http://%s:%d' % (L.HOST, L.PORTS['etcd-peer'])
        super().__init__('etcd', [
            ETCD, '--name', 'minicloud',
            '--data-dir', lay.path('data', 'etcd'),
            '--listen-client-urls', client_url(),
            '--advertise-client-urls', client_url(),
            '--listen-peer-urls', peer,
            '--initial-advertise-peer-urls', peer,
            '--initial-cluster', 'minicloud=' + peer,
            '--initial-cluster-state', 'new',
            '--log-level', 'warn'], port=L.PORTS['etcd'], timeout=60)

    def ready(self, since):
        try:
            with urllib.request.urlopen(client_url() + '/health',
                                        timeout=2) as resp:
                return json.load(resp).get('health') == 'true'
        except (OSError, ValueError, urllib.error.URLError):
            return False
