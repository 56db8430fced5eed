"""nova-lb on the multi-process minicloud: a rebalance and a drain."""

from tests.e2e import base
from tests.e2e import cloud
from tests.e2e import invariants


class RebalanceTest(base.E2ETestCase):

    def test_rebalance_skewed_cloud(self):
        # One server at a time, as a cloud fills up.
        cloud.boot(self.conn, ['skew-%d' % i for i in range(4)],
                   host='compute-1')
        cloud.boot(self.conn, ['other'], host='compute-2')
        _, before = self.assert_invariants()
        code, out = self.rebalance()
        self.assertEqual(0, code, out)
        plan, last = self.state('plan.json'), self.state('last-run.json')
        planned = {(m['server'], m['source'], m['destination'])
                   for m in plan['migrations']}
        self.assertTrue(planned, out)
        self.assertEqual((len(planned), 0, 0),
                         (last['done'], last['failed'], last['skipped']))
        # The plan's moves are exactly the live migrations Nova recorded.
        moves = self.nova_moves()
        self.assertEqual(planned, {m[:3] for m in moves})
        self.assertEqual(['completed'] * len(planned), [m[3] for m in moves])
        servers, after = self.assert_invariants()
        hosts = {s['id']: s['OS-EXT-SRV-ATTR:host'] for s in servers}
        self.assertEqual({s: dst for s, _, dst in planned},
                         {s: hosts[s] for s, _, _ in planned})
        peak = max(invariants.utilisation(before).values())
        self.assertLess(max(invariants.utilisation(after).values()), peak)

    def test_drain_then_new_boot_avoids_host(self):
        cloud.boot(self.conn, ['d-%d' % i for i in range(2)],
                   host='compute-3', wait=False)
        cloud.boot(self.conn, ['a-%d' % i for i in range(2)],
                   host='compute-1', wait=False)
        code, out = self.run_command('nova-lb', 'drain', 'compute-3')
        self.assertEqual(0, code, out)
        self.assertIn('compute-3: 2 servers moved, 0 failed, 0 still on the '
                      'host', out)
        servers, _ = self.assert_invariants()
        self.assertNotIn('compute-3', {s['OS-EXT-SRV-ATTR:host']
                                       for s in servers})
        # compute-3 is now the emptiest host, the one Nova's weighers
        # would pick: the draining filter must keep new servers off it.
        new = cloud.boot(self.conn, ['new-1', 'new-2'])
        self.assertNotIn('compute-3', [s.compute_host for s in new])
        self.assert_invariants()
        code, out = self.run_command('nova-lb', 'undrain', 'compute-3')
        self.assertEqual(0, code, out)
        self.assertFalse([a for a in self.conn.compute.aggregates()
                          if 'compute-3' in (a.hosts or ())])
