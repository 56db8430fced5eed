"""Waves: every step fits with both ends charged, in a safe order."""

import collections

import numpy as np
import testtools

from nova_lb.model import cluster as cluster_model
from nova_lb.planner import waves
from tests.unit.solver import clusters


def replay(test, cluster, steps, per_host=1):
    """Re-check every wave independently of waves.py; final location."""
    where = {s: cluster.hosts[h] for s, h in zip(cluster.servers,
                                                 cluster.location)}
    index = {h: i for i, h in enumerate(cluster.hosts)}
    demand = dict(zip(cluster.servers, cluster.demand))
    usage = cluster.usage()
    by_wave = collections.defaultdict(list)
    for step in steps:
        by_wave[step.wave].append(step)
    for wave in sorted(by_wave):
        busy = collections.Counter()
        for step in by_wave[wave]:
            test.assertEqual(where[step.server], step.source)
            usage[index[step.destination]] += demand[step.server]
            busy[step.source] += 1
            busy[step.destination] += 1
        test.assertTrue(np.all(usage <= cluster.limit + 1e-9),
                        'wave %d overcommits a host' % wave)
        test.assertLessEqual(max(busy.values()), per_host)
        for step in by_wave[wave]:
            usage[index[step.source]] -= demand[step.server]
            where[step.server] = step.destination
    return [index[where[s]] for s in cluster.servers]


class WavesTest(testtools.TestCase):

    def test_move_that_frees_room_goes_first(self):
        # server0 (5) goes to host1, which has room only once server1 (5)
        # has left for host2.
        c = clusters.vcpu_only([10, 10, 10], [(0, 5), (1, 5)],
                               fixed=[0, 3, 0])
        steps, left_out, _ = waves.order(c, [1, 2])
        self.assertEqual([], left_out)
        self.assertEqual([('server1', 0), ('server0', 1)],
                         [(s.server, s.wave) for s in steps])
        self.assertEqual([1, 2], replay(self, c, steps))

    def test_one_migration_per_host_per_wave(self):
        c = clusters.vcpu_only([10] * 4, [(0, 1), (0, 1), (0, 1)])
        steps, _, _ = waves.order(c, [1, 2, 3])
        self.assertEqual([0, 1, 2], sorted(s.wave for s in steps))
        replay(self, c, steps)
        steps, _, _ = waves.order(c, [1, 2, 3], per_host=3)
        self.assertEqual({0}, {s.wave for s in steps})
        replay(self, c, steps, per_host=3)

    def test_wave_size_limit(self):
        c = clusters.vcpu_only([10] * 8, [(h, 1) for h in range(4)])
        steps, _, _ = waves.order(c, [4, 5, 6, 7], per_wave=2)
        self.assertEqual([0, 0, 1, 1], sorted(s.wave for s in steps))

    def test_cycle_is_broken_through_a_host_with_room(self):
        # host0 and host1 are full and swap their servers; host2 has room.
        c = clusters.vcpu_only([10, 10, 10], [(0, 5), (1, 5)],
                               fixed=[5, 5, 0])
        steps, left_out, where = waves.order(c, [1, 0])
        self.assertEqual([], left_out)
        self.assertEqual(3, len(steps))
        self.assertIn('host2', [s.destination for s in steps])
        self.assertEqual([1, 0], replay(self, c, steps))
        self.assertEqual([1, 0], list(where))

    def test_no_move_is_left_out_while_another_can_hop(self):
        # server0 (6, on the hotter host0) and server1 (4) swap; host0 and
        # host1 are too full for either to arrive first. host2 has room
        # for server1 but not for server0, which comes first in order:
        # server1 must hop, then both moves run.
        c = clusters.vcpu_only([10, 10, 10], [(0, 6), (1, 4)],
                               fixed=[3, 3, 5])
        steps, left_out, where = waves.order(c, [1, 0])
        self.assertEqual([], left_out)
        self.assertEqual([('server1', 'host2'), ('server0', 'host1'),
                          ('server1', 'host0')],
                         [(s.server, s.destination) for s in steps])
        self.assertEqual([1, 0], replay(self, c, steps))
        self.assertEqual([1, 0], list(where))

    def test_a_hop_keeps_off_a_host_a_move_waits_for(self):
        # A cycle on full hosts: server0 (6) host0 -> host1, server1 (5)
        # host1 -> host2, server2 (5) host2 -> host0. host1 is the
        # emptiest, but server0 waits for its room; server2 hops through
        # host3 instead (room for 5, not for 6), and every move runs.
        c = clusters.vcpu_only([10, 10, 10, 20], [(0, 6), (1, 5), (2, 5)],
                               fixed=[4, 0, 5, 15])
        steps, left_out, where = waves.order(c, [1, 2, 0])
        self.assertEqual([], left_out)
        self.assertIn(('server2', 'host3'),
                      [(s.server, s.destination) for s in steps])
        self.assertEqual([1, 2, 0], replay(self, c, steps))
        self.assertEqual([1, 2, 0], list(where))

    def test_cycle_without_room_is_left_out(self):
        c = clusters.vcpu_only([10, 10], [(0, 5), (1, 5)], fixed=[5, 5])
        steps, left_out, where = waves.order(c, [1, 0])
        self.assertEqual(2, len(left_out))
        self.assertIn('no order of migrations', left_out[0]['reason'])
        self.assertEqual([], steps)
        self.assertEqual([0, 1], list(where))

    def test_anti_affinity_holds_between_waves(self):
        # server1 must leave host1 before its group mate arrives there.
        c = clusters.vcpu_only(
            [10, 10, 10], [(0, 1), (1, 1)],
            groups=[clusters.group('g', cluster_model.ANTI_AFFINITY,
                                   [0, 1])])
        steps, left_out, _ = waves.order(c, [1, 2], per_host=2)
        self.assertEqual([], left_out)
        self.assertEqual([('server1', 0), ('server0', 1)],
                         [(s.server, s.wave) for s in steps])
