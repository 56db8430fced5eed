"""Test case for the e2e and fault tests: a clean cloud, and nova-lb run
as an admin runs it, each command its own process with its own config."""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

import testtools

from tests.e2e import cloud
from tests.e2e import invariants

BIN = os.path.dirname(sys.executable)
LOGS = os.environ.get('NOVA_LB_E2E_LOGS', '/var/tmp/nova-lb-e2e')
CONFIG = """[DEFAULT]
debug = true
[rebalancer]
cloud = minicloud
automation = automatic
state_dir = %(state_dir)s
cooldown = 3600
[executor]
migration_timeout = 240
poll_interval = 1
max_parallel_migrations = 2
api_retries = 5
api_retry_delay = 2
[solver]
time_limit = 5
"""


class E2ETestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        try:
            cloud.require_running()
        except cloud.NotRunning as e:
            self.fail(str(e))
        self.conn = cloud.connect()
        cloud.ops.wait_healthy(cloud.LAYOUT, timeout=180)
        cloud.wait_for('no live migration in flight',
                       lambda: not cloud.in_flight(self.conn), timeout=300)
        cloud.clean(self.conn)
        # Kept after the test for its logs; tools/run-e2e empties LOGS.
        os.makedirs(LOGS, exist_ok=True)
        self.state_dir = tempfile.mkdtemp(prefix=self.id().split('.')[-1]
                                          + '-', dir=LOGS)
        self.config = os.path.join(self.state_dir, 'nova-lb.conf')
        with open(self.config, 'w') as f:
            f.write(CONFIG % {'state_dir': self.state_dir})
        self.since = datetime.datetime.utcnow().replace(
            microsecond=0).isoformat()

    # -- nova-lb as its own processes ------------------------------------
    def env(self):
        return dict(os.environ, OS_CLIENT_CONFIG_FILE=cloud.CLOUDS_YAML)

    def command(self, *argv, config=None):
        """Popen of a nova-lb console script; output in a log file."""
        log = open(os.path.join(self.state_dir, '%s-%d.log' % (
            argv[0], time.monotonic_ns())), 'w+')
        self.addCleanup(log.close)
        proc = subprocess.Popen(
            [os.path.join(BIN, argv[0]), '--config-file',
             config or self.config] + list(argv[1:]),
            stdout=log, stderr=subprocess.STDOUT, env=self.env())
        proc.log = log
        self.addCleanup(_reap, proc)
        return proc

    def run_command(self, *argv, timeout=600, config=None):
        """``(exit code, output)`` of a finished nova-lb command."""
        proc = self.command(*argv, config=config)
        code = proc.wait(timeout)
        return code, output(proc)

    def rebalance(self, timeout=600):
        return self.run_command('nova-lb-rebalancer', '--once',
                                timeout=timeout)

    def state(self, name):
        with open(os.path.join(self.state_dir, name)) as f:
            return json.load(f)

    # -- the cloud ---------------------------------------------------------
    def skew(self, on='compute-1', count=4, elsewhere=(('compute-2', 1),)):
        """``count`` servers on ``on`` and a few elsewhere; returns them."""
        made = cloud.boot(self.conn, ['%s-%d' % (on, i)
                                      for i in range(count)], host=on,
                          wait=False)
        for host, n in elsewhere:
            made += cloud.boot(self.conn, ['%s-%d' % (host, i)
                                           for i in range(n)], host=host,
                               wait=False)
        return made

    def steady(self, seconds=30):
        """Wait until every nova-compute has been up ``seconds`` in a row:
        after RabbitMQ comes back, a compute's report may hang for
        rpc_response_timeout and show it down again after it looked up."""
        cloud.wait_steadily('every nova-compute up', lambda: all(
            s['state'] == 'up' for s in cloud.compute(
                self.conn, '/os-services?binary=nova-compute')['services']),
            seconds, interval=2)

    def nova_moves(self):
        """(server, source, destination) of live migrations since setUp,
        with their final statuses."""
        return [(m['instance_uuid'], m['source_compute'],
                 m['dest_compute'], m['status'])
                for m in cloud.migrations(self.conn, self.since)]

    def wait_moving(self, timeout=120):
        """The first live migration seen running since setUp."""
        return cloud.wait_for('a live migration to be running', lambda: next(
            (m for m in cloud.migrations(self.conn, self.since)
             if m['status'] == 'running'), None), timeout, interval=0.3)

    def assert_invariants(self, allowed=()):
        try:
            return invariants.check(self.conn, allowed)
        except invariants.Violation as e:
            self.fail('invariant broken: %s' % e)

    def assert_leftovers_reported(self, reported):
        """The leftovers nova-lb reported are exactly the ones the APIs
        show (server and migration), and nothing else is broken."""
        servers, state = invariants.read(self.conn)
        actual = invariants.leftovers(servers, state,
                                      cloud.migrations(self.conn))
        self.assertEqual(actual, {item['server']: item['migration']
                                  for item in reported})
        self.assert_invariants(allowed=set(actual))
        return actual


def output(proc):
    proc.log.seek(0)
    return proc.log.read()


def _reap(proc):
    if proc.poll() is None:
        proc.kill()
        proc.wait()
