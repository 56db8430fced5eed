"""A run against an API that accepts connections and never answers: it
ends after its timeouts and retries with one line naming the call,
records the outcome and releases the rebalancing lock. The API is a real
socket on loopback that never answers."""

import json
import os
import socket
import time

import fixtures
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import openstack.connection
from oslo_config import cfg
import testtools

import nova_lb.conf
from nova_lb import exception
from nova_lb.rebalancer import daemon
from nova_lb.rebalancer import lock
from nova_lb.rebalancer import state as state_mod


class SilentApiTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        listener = socket.socket()
        self.addCleanup(listener.close)
        listener.bind(('127.0.0.1', 0))
        listener.listen(16)
        url = 'http://127.0.0.1:%d' % listener.getsockname()[1]
        session = ks_session.Session(
            auth=token_endpoint.Token(endpoint=None, token='admin'))
        # What nova_lb.cloud.client.connect sets from the options.
        session.timeout = (0.5, 0.5)
        self.conn = openstack.connection.Connection(
            session=session, compute_endpoint_override=url + '/v2.1',
            placement_endpoint_override=url)
        self.state_dir = self.useFixture(fixtures.TempDir()).path
        self.conf = cfg.ConfigOpts()
        nova_lb.conf.register_opts(self.conf)
        self.conf([], project='nova-lb', default_config_files=[])
        self.conf.set_override('state_dir', self.state_dir, 'rebalancer')
        self.conf.set_override('automation', 'automatic', 'rebalancer')
        self.conf.set_override('api_retries', 1, 'executor')
        self.conf.set_override('api_retry_delay', 0.1, 'executor')

    def test_run_ends_named_recorded_and_unlocked(self):
        started = time.monotonic()
        e = self.assertRaises(exception.CloudUnavailable, daemon.Daemon(
            self.conf, conn=self.conn).run_once)
        self.assertLess(time.monotonic() - started, 15)
        self.assertTrue(str(e).startswith(
            'compute GET /os-migrations failed 2 times, last: '), e)
        self.assertNotIn('\n', str(e))
        with open(os.path.join(self.state_dir, state_mod.LAST_RUN)) as f:
            last = json.load(f)
        self.assertEqual(('aborted', 0, ' '.join(str(e).split())),
                         (last['outcome'], last['success'], last['reason']))
        # The lock is free again: the next run (or apply) may start.
        with lock.FileLock(os.path.join(self.state_dir,
                                        lock.LOCK_NAME + '.lock')):
            pass
