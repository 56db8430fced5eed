"""The marginal gain of each move, on a cloud small enough to check by hand."""

import dataclasses

import numpy as np
import testtools

from nova_lb.model import cluster as cluster_model
from nova_lb.model import cost
from nova_lb.planner import gain
from tests.unit.solver import clusters


def cluster(location, demand, capacity, azs=None):
    hosts = tuple('h%d' % i for i in range(len(capacity)))
    return cluster_model.Cluster(
        resource_classes=('VCPU',), hosts=hosts,
        host_az=tuple(azs or [None] * len(hosts)),
        capacity=cluster_model.frozen_array(capacity),
        limit=cluster_model.frozen_array(capacity),
        fixed=cluster_model.frozen_array(np.zeros((len(hosts), 1))),
        accepts=cluster_model.frozen_array([True] * len(hosts), bool),
        servers=tuple('s%d' % i for i in range(len(location))),
        demand=cluster_model.frozen_array(demand),
        location=cluster_model.frozen_array(location, int),
        groups=(), left_alone={},
        cost=cost.CostModel.build({'VCPU': 1.0}))


class MarginalGainTest(testtools.TestCase):

    def test_each_move_judged_with_the_others_done(self):
        # h0 holds 4 + 2 + 1 of 10; h1 and h2 are empty.
        c = cluster([0, 0, 0], [[4], [2], [1]], [[10], [10], [10]])
        # Move the 4 to h1 and the 1 to h2: peak 0.7 -> 0.4.
        gains = gain.marginal(c, np.array([1, 0, 2]))
        self.assertEqual({'s0', 's2'}, set(gains))
        # Without the big move h0 would be at 0.6; without the small one
        # h0 would be at 0.3, still below h1's 0.4: it buys nothing.
        self.assertAlmostEqual(0.2, gains['s0'])
        self.assertAlmostEqual(0.0, gains['s2'])

    def test_judged_within_its_zone(self):
        # Zone b is the cloud's peak; zone a's move still counts in zone a.
        c = cluster([0, 0, 2], [[6], [4], [9]], [[10], [10], [10], [10]],
                    azs=['a', 'a', 'b', 'b'])
        gains = gain.marginal(c, np.array([0, 1, 2]))
        self.assertAlmostEqual(0.4, gains['s1'])

    def test_no_moves_no_gains(self):
        c = cluster([0], [[1]], [[10], [10]])
        self.assertEqual({}, gain.marginal(c, np.array([0])))

    def test_same_gains_as_recomputing_every_peak(self):
        # Each move judged by recomputing its zone's peaks from scratch,
        # on a cloud of two zones, three classes and a host that does not
        # count: the fast way (three highest per class) must agree.
        c = clusters.random(12, 4, seed=3, azs=2)
        c = dataclasses.replace(c, accepts=cluster_model.frozen_array(
            [h != 1 for h in range(12)], bool))
        rng = np.random.default_rng(5)
        zone_of = np.array(c.host_az, dtype=object)
        where = np.array(c.location)
        for s in rng.choice(len(where), 20, replace=False):
            same = np.flatnonzero(zone_of == zone_of[where[s]])
            where[s] = rng.choice(same[same != 1])
        gains = gain.marginal(c, where)
        self.assertEqual(int(np.sum(where != c.location)), len(gains))
        weights = c.cost.for_classes(c.resource_classes).weight_vector
        weights = weights / weights.sum()
        counted = np.asarray(c.accepts, bool)
        for s in np.flatnonzero(where != c.location):
            hosts = counted & (zone_of == zone_of[c.location[s]])
            stayed = np.array(where)
            stayed[s] = c.location[s]
            now = c.utilisation(where)[hosts].max(axis=0)
            then = c.utilisation(stayed)[hosts].max(axis=0)
            self.assertAlmostEqual(max(np.dot(weights, then - now), 0.0),
                                   gains[c.servers[s]], places=12)
