"""``openstack rebalance ...``: the real ``openstack`` command, in process.

python-openstackclient's shell runs with its real argument parsing,
cloud configuration (``--os-cloud`` from clouds.yaml), session, plugin
loading (``openstack.cli.extension``) and cliff formatters; it reaches the
in-process cloud through the openstacksdk connection OSC itself makes.
"""

from tests.functional import test_rebalancer  # isort:skip  (eventlet first)

import contextlib
import io
import json
import types

import openstack.connection
from openstackclient import shell

from tests.functional import base

SMALL = test_rebalancer.SMALL


class OpenStackCLITest(test_rebalancer.RebalancerTestCase):

    def setUp(self):
        super().setUp()
        self.use_clouds_yaml('harness')
        real = openstack.connection.Connection

        def connection(*args, **kwargs):
            # OSC's own connection, given the real openstacksdk proxies
            # the harness keeps for the connections it knows.
            conn = real(*args, **kwargs)
            base._OUR_CONNECTIONS.add(conn)
            return conn

        self.useFixture(test_rebalancer.fixtures.MonkeyPatch(
            'osc_lib.clientmanager.connection',
            types.SimpleNamespace(Connection=connection)))
        self.config = self.useFixture(
            test_rebalancer.fixtures.TempDir()).join('nova-lb.conf')
        with open(self.config, 'w') as f:
            f.write('[rebalancer]\nstate_dir = %s\n[executor]\n'
                    'poll_interval = 0.2\n[solver]\ntime_limit = 5\n'
                    % self.state_dir)

    def openstack(self, *args):
        """``(exit code, stdout, stderr)`` of ``openstack ARGS``."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = shell.main(['--os-cloud', 'harness',
                               '--os-rebalance-config-file', self.config]
                              + list(args))
        return code, out.getvalue(), err.getvalue()

    def test_plan_frontier_drain_status_undrain_and_errors(self):
        servers = self.boot_skewed({'host1': 3}, **SMALL)

        code, out, err = self.openstack('rebalance', 'plan', '-f', 'json')

        self.assertEqual(0, code, err)
        moves = json.loads(out)
        self.assertTrue(moves)
        self.assertEqual({'Wave', 'Server', 'Source', 'Destination',
                          'Gain'}, set(moves[0]))
        self.assertEqual({'host1'}, {m['Source'] for m in moves})
        self.assertEqual([], self.live_migrations())
        code, out, _ = self.openstack('rebalance', 'plan', '-f', 'value',
                                      '-c', 'Server')
        self.assertLessEqual(set(out.split()), {s['id'] for s in servers})

        code, out, err = self.openstack('rebalance', 'frontier', '-f',
                                        'json')

        self.assertEqual(0, code, err)
        points = json.loads(out)
        self.assertEqual((0, 'unlimited'), (points[0]['At most'],
                                            points[-1]['At most']))
        self.assertGreater(points[-1]['Migrations'], 0)
        for point in points:
            self.assertLessEqual(point['Proven bound'],
                                 point['Weighted peak'] + 1e-9)
        self.assertEqual([], self.live_migrations())

        code, out, err = self.openstack('rebalance', 'host', 'drain',
                                        'host1', '-f', 'json')

        self.assertEqual(0, code, err)
        self.assertEqual({'host': 'host1', 'done': 3, 'failed': 0,
                          'skipped': 0, 'left_on_host': []},
                         json.loads(out))
        self.assertEqual([], [s['id'] for s in self.servers()
                              if s['OS-EXT-SRV-ATTR:host'] == 'host1'])
        self.assert_consistent()

        code, out, err = self.openstack('rebalance', 'status', '-f', 'json',
                                        '-c', 'kind', '-c', 'done',
                                        '-c', 'outcome',
                                        '-c', 'imbalance_before')
        self.assertEqual(0, code, err)
        status = json.loads(out)
        self.assertEqual({'kind': 'drain host1', 'done': 3,
                          'outcome': 'done'},
                         {k: status[k] for k in ('kind', 'done', 'outcome')})
        self.assertTrue(0 <= status['imbalance_before'] <= 1)

        code, out, err = self.openstack('rebalance', 'host', 'undrain',
                                        'host1', '-f', 'value', '-c',
                                        'result')
        self.assertEqual(0, code, err)
        self.assertEqual('host1 removed from the draining aggregate '
                         'nova-lb-draining\n', out)

        # Errors: one line, nova-lb's exit codes. (In the same test: as a
        # second test of one process, `openstack rebalance plan` failed to
        # discover the new harness's Placement; a real `openstack` process
        # runs one shell only.)
        code, out, err = self.openstack('rebalance', 'host', 'drain',
                                        'nohost')
        self.assertEqual((2, ''), (code, out))
        # (In this process, stevedore also logs an oslo.cache backend that
        # Nova's environment lacks.)
        self.assertEqual(['openstack rebalance host drain: error: no '
                          'nova-compute service on host nohost'],
                         [line for line in err.splitlines()
                          if line.startswith('openstack')])
        self.assertNotIn('Traceback', err)
        code, out, err = self.openstack('rebalance', 'apply',
                                        '/nonexistent/plan.json')
        self.assertEqual(2, code)
        self.assertIn('/nonexistent/plan.json: cannot read', err)
        self.assertNotIn('Traceback', err)
