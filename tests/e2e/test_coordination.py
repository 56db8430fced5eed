"""Several controllers, one lock in a real etcd.

Admins run the rebalancer on two or three controllers, each with its own
state directory, and ``[rebalancer] coordination_url`` pointing at etcd
through tooz's etcd3gw driver. These tests do exactly that against the
minicloud's etcd (``tools/minicloud start --etcd``), with a short lease so
that a lost holder frees the lock within seconds.
"""

import collections
import json
import os
import signal
import tempfile
import time

from tests.e2e import base
from tests.e2e import cloud

from minicloud_lib import etcd  # noqa: E402 (tests.e2e.cloud sets the path)

ops = cloud.ops
#: Seconds of the lock's etcd lease: tooz refreshes it every half.
LEASE = 6
COORDINATION = """coordination_url = %s
interval = 2
""" % etcd.coordination_url(lock_timeout=LEASE, timeout=3)


class CoordinationTest(base.E2ETestCase):

    def setUp(self):
        super().setUp()
        cloud.wait_for('etcd healthy', lambda: etcd.Etcd(cloud.LAYOUT).ready(
            None), timeout=60)
        self.config = self.controller(self.state_dir)
        other = tempfile.mkdtemp(prefix='other-', dir=self.state_dir)
        self.other = self.controller(other)
        self.other_dir = other

    def controller(self, state_dir):
        """A config for a controller with its own state dir."""
        path = os.path.join(state_dir, 'controller.conf')
        with open(path, 'w') as f:
            f.write((base.CONFIG % {'state_dir': state_dir}).replace(
                '[rebalancer]\n', '[rebalancer]\n' + COORDINATION))
        return path

    def assert_no_server_moved_twice(self):
        moves = self.nova_moves()
        twice = [s for s, n in collections.Counter(
            m[0] for m in moves).items() if n > 1]
        self.assertEqual([], twice, moves)
        return moves

    def test_two_controllers_started_together_exactly_one_runs(self):
        self.skew(count=4)
        cloud.wait_settled(self.conn)
        code, out = self.run_command(
            'nova-lb', 'plan', '--format', 'json', '--output',
            os.path.join(self.other_dir, 'reviewed.json'), config=self.other)
        self.assertEqual(0, code, out)
        first = self.command('nova-lb-rebalancer', '--once')
        second = self.command('nova-lb-rebalancer', '--once',
                              config=self.other)
        self.wait_moving()
        # An admin's apply on the other controller, into the same hosts.
        code, applied = self.run_command(
            'nova-lb', 'apply', os.path.join(self.other_dir, 'reviewed.json'),
            config=self.other)
        results = sorted((p.wait(400), base.output(p))
                         for p in (first, second))
        self.assertEqual([0, 1], [code for code, _ in results], results)
        busy = 'another rebalancer is running (it holds the ' \
            'nova-lb-rebalancer lock at etcd3+http://'
        self.assertIn(busy, results[1][1])
        self.assertEqual(1, code, applied)
        self.assertIn(busy, applied)
        winner = self.state_dir if first.returncode == 0 else self.other_dir
        summary = state_from(os.path.join(winner, 'last-run.json'))
        self.assertGreater(summary['done'], 0, summary)
        moves = self.assert_no_server_moved_twice()
        self.assertEqual(summary['done'], len(
            [m for m in moves if m[3] == 'completed']))
        self.assert_invariants()

    def test_holder_killed_mid_wave_other_takes_over_after_lease(self):
        self.skew(count=5)
        holder = self.command('nova-lb-rebalancer', '--once')
        running = self.wait_moving()
        holder.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        holder.wait()
        taker = self.command('nova-lb-rebalancer', config=self.other)
        plan = os.path.join(self.other_dir, 'plan.json')
        cloud.wait_for('the other controller to take the lock',
                       lambda: os.path.exists(plan), timeout=120,
                       interval=0.2)
        took = time.monotonic() - killed
        # tooz refreshes the lease every LEASE / 2 s: a killed holder's
        # lock lasts at least that long, at most LEASE.
        self.assertGreaterEqual(took, LEASE / 2 - 0.5)
        self.assertIn('another rebalancer is running', base.output(taker))
        last_run = os.path.join(self.other_dir, 'last-run.json')

        def finished():
            """A run of the taker that planned nothing more to do."""
            try:
                summary = state_from(last_run)
            except (OSError, ValueError):
                return False
            return summary.get('success') and summary.get('planned') == 0

        cloud.wait_for('the other controller to finish', finished,
                       timeout=240)
        taker.terminate()
        self.assertEqual(0, taker.wait(60), base.output(taker))
        moves = self.assert_no_server_moved_twice()
        self.assertIn(running['instance_uuid'], [m[0] for m in moves])
        self.assertEqual({'completed'}, {m[3] for m in moves}, moves)
        self.assert_invariants()

    def test_etcd_restarted_mid_run_holder_starts_no_new_move(self):
        self.skew(count=5)
        holder = self.command('nova-lb-rebalancer', '--once')
        self.wait_moving()
        ops.kill(cloud.LAYOUT, 'etcd')
        # Longer than a migration (6 s): the holder must decide on its
        # next move while etcd is away.
        time.sleep(10)
        ops.restart(cloud.LAYOUT, 'etcd')
        holder.wait(300)
        out = base.output(holder)
        self.assertIn('Cannot confirm that this process still holds the '
                      'nova-lb-rebalancer lock', out)
        summary = self.state('last-run.json')
        self.assertEqual('stop requested', summary.get('stopped'), summary)
        self.assertGreater(summary['not_started'], 0, summary)
        moves = self.assert_no_server_moved_twice()
        self.assertEqual(summary['done'], len(
            [m for m in moves if m[3] == 'completed']), moves)
        self.assert_invariants()
        # With etcd back, the other controller takes the lock and carries
        # on: at once if the holder released it, else once its lease ends
        # (a holder that ended while etcd was away could not release it).
        results = []
        cloud.wait_for('the other controller to take the lock', lambda:
                       results.append(self.run_command(
                           'nova-lb-rebalancer', '--once',
                           config=self.other)) or results[-1][0] != 1
                       or 'another rebalancer' not in results[-1][1],
                       timeout=90, interval=1)
        self.assertEqual(0, results[-1][0], results[-1][1])
        self.assert_invariants()


def state_from(path):
    with open(path) as f:
        return json.load(f)
