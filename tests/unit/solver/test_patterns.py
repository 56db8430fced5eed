"""Plans of whole host patterns for zones too large to solve whole."""

import dataclasses
import time

import numpy as np
import testtools

from nova_lb.model import build
from nova_lb.model import cluster as cluster_model
from nova_lb.model import snapshot
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.solver import aim
from nova_lb.solver import local
from nova_lb.solver import patterns
from nova_lb.solver import shapes
from nova_lb.solver import zone
from nova_lb.solver import zone_plan
from tests.unit.solver import clusters
from tests.unit.solver import test_shapes


def _zones(hosts, profile, seed):
    snap = snapshot.parse(scenario.generate(hosts, hosts * 20, seed=seed,
                                            profile=profile))
    return zone.split(build.build(snap, planner.Options().model))[0]


def _lowest(z, model, peaks, seconds=3.0):
    return patterns.lowest(z, model, peaks, 0.005,
                           time.monotonic() + seconds)


class PatternTest(testtools.TestCase):

    def test_plans_keep_every_rule(self):
        # Generated clouds with anti-affinity groups, faults (hosts down,
        # disabled, over their limits) and leaked allocations: every
        # limit and group holds, members and servers on hosts that may
        # not receive stay where they are, and the plan moves servers.
        for profile, seed in (('mixed', 3), ('faults', 4),
                              ('anti-affinity', 5), ('large', 6)):
            for z in _zones(40, profile, seed):
                model = shapes.ShapeCountModel(z, len(z.units), 1.0)
                bound, peaks = model.relaxed(5.0)
                location = _lowest(z, model, peaks)
                self.assertIsNotNone(location, (profile, seed))
                test_shapes._check(self, z, location)
                moved = location != z.unit_host
                self.assertTrue(moved.any(), (profile, seed))
                stay = (z.unit_group >= 0) | ~z.receives[z.unit_host]
                self.assertFalse(np.any(moved & stay), (profile, seed))
                self.assertGreaterEqual(z.weighted_after(location),
                                        bound - 1e-9)

    def test_lower_than_rounding_on_mixed_generations(self):
        # Hosts of very different CPU:RAM ratios: the rounded fractional
        # plan leaves servers over on every generation, the patterns a
        # few (200 hosts, two 100-host zones).
        for z in _zones(200, 'mixed', 7):
            model = shapes.ShapeCountModel(z, len(z.units), 1.0)
            bound, peaks = model.relaxed(10.0)
            rounded = aim._rounded(z, model, peaks, 0.005,
                                   time.monotonic() + 10.0)
            location = _lowest(z, model, peaks)
            test_shapes._check(self, z, location)
            self.assertLess(z.weighted_after(location),
                            z.weighted_after(rounded) - 0.01)

    def test_seeded_with_the_patterns_that_fit(self):
        # The patterns under a lower aim all fit a higher one, and the
        # programme starts from them; under a lower aim, the ones that
        # no longer fit their host's room are left out.
        z = _zones(200, 'mixed', 7)[0]
        model = shapes.ShapeCountModel(z, len(z.units), 1.0)
        peaks = model.relaxed(10.0)[1]
        problem = patterns._Problem(z, model, patterns._pool(z, model))
        low = peaks + 0.005
        high = low + problem.steps(0.005)

        def programme(aim, seeds=()):
            counts, columns = problem.counts(aim, time.monotonic() + 20.0,
                                             seeds)
            self.assertIsNotNone(counts)
            room = patterns._room(z, problem.hosts, problem.base,
                                  problem.unit, aim)
            kind_of = np.unique(room, axis=0, return_inverse=True)[1]
            kind_of = kind_of.ravel()
            made = {(kind_of[h], c.tobytes()) for h, c in columns}
            fit = {(kind_of[h], c.tobytes()) for h, c in seeds
                   if np.all(c @ problem.demand <= room[h] + 1e-9)}
            for h, c in columns:
                self.assertTrue(np.all(c @ problem.demand <= room[h] + 1e-9))
            self.assertLessEqual(fit, made)
            return columns, len(fit)

        lower = programme(low)[0]
        self.assertEqual(len(lower), programme(high, lower)[1])
        higher = programme(high)[0]
        self.assertLess(programme(low, higher)[1], len(higher))

    def test_room_rises_a_unit_on_each_size_of_host_then_steps(self):
        # A step is a whole unit on the smallest host. Two vCPUs on the
        # 240-vCPU host come before two on the 60-vCPU one, 4 GiB on the
        # 256-GiB host before 4 GiB on the 64-GiB one; then one to four
        # steps. Disk's whole unit is a step (the tolerance) on both
        # hosts: only the steps.
        c = clusters.make([(60, 262144, 2000), (240, 65536, 2000)],
                          [(0, (2, 4096, 10))] * 10)
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, 10, 1.0)
        problem = patterns._Problem(z, model, patterns._pool(z, model))
        step = problem.steps(0.005)
        self.assertAlmostEqual(2 / 60, step[0])
        self.assertAlmostEqual(4096 / 65536, step[1])
        vcpu, memory, disk = problem.rises(0.005)
        np.testing.assert_allclose([2 / 240] + [2 / 60 * n
                                                for n in (1, 2, 3, 4)],
                                   vcpu)
        np.testing.assert_allclose([4096 / 262144] + [4096 / 65536 * n
                                                      for n in (1, 2, 3, 4)],
                                   memory)
        np.testing.assert_allclose([0.005, 0.01, 0.015, 0.02], disk)
        # Tried least weighted rise first, over both weighted classes
        # (disk, weight 0, never rises).
        room = np.array([0.5, 0.5, 0.5])
        tried = [t - room for t in problem.tries(room, (vcpu, memory, disk))]
        self.assertEqual([0, 1, 0, 1, 0, 0, 1, 0, 1, 1],
                         [int(np.flatnonzero(d)[0]) for d in tried])
        np.testing.assert_allclose(
            sorted(list(vcpu) + list(memory)), [d.sum() for d in tried])

    def test_room_rises_first_where_least_is_spare(self):
        # Two hosts and twelve servers of 2 vCPUs and 8 GiB. Under peaks
        # of 50 % vCPU and 80 % memory the hosts hold 48 GiB of whole
        # servers each, what the servers need, and 64 vCPUs where they
        # need 24: memory rises first. Under 20 % vCPU and 95 % memory,
        # the reverse.
        c = clusters.make([(64, 65536, 2000)] * 2,
                          [(i % 2, (2, 8192, 10)) for i in range(12)])
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, 12, 1.0)
        problem = patterns._Problem(z, model, patterns._pool(z, model))
        self.assertEqual([1, 0], list(problem.tightest(
            np.array([0.5, 0.8, 1.0]))))
        self.assertEqual([0, 1], list(problem.tightest(
            np.array([0.2, 0.95, 1.0]))))

    def test_small_servers_left_out_before_a_large_one(self):
        # One host of room 4 and servers of 3, 2 and 2: leaving the large
        # one out leaves less out in all, but the two small ones are what
        # finds room elsewhere.
        demand = np.array([[3.0, 3.0], [2.0, 2.0]])
        found, use = patterns._columns(
            demand, np.array([1.0, 2.0]), np.array([[4.0, 4.0]]),
            np.array([1.0, 1.0]), np.array([1]), [], [],
            time.monotonic() + 5.0)
        taken = [counts for (_, counts), n in zip(found, use) if n > 0.5]
        self.assertEqual([[1.0, 0.0]], [list(c) for c in taken])

    def test_a_member_on_a_drained_host_leaves_it_to_the_rounding(self):
        # Patterns move no anti-affinity member, and a drained host must
        # lose them all: no pattern plan.
        c = clusters.vcpu_only(
            [8, 8, 8], [(0, 1)] * 4,
            groups=[clusters.group('g', cluster_model.ANTI_AFFINITY,
                                   [0])])
        z = zone.split(c)[0][0]
        z = dataclasses.replace(z, drain=np.array([True, False, False]))
        model = shapes.ShapeCountModel(z, 4, 1.0)
        self.assertIsNone(_lowest(z, model, np.array([0.5, 0.0, 0.0])))

    def test_kept_only_when_lower_by_more_than_the_tolerance(self):
        # A zone too large to solve whole, once its rounded plan is
        # polished: the patterns' plan when it is lower where the cloud
        # sees it (at or above the aim) by more than the tolerance, else
        # the polished plan (faked patterns: that plan again).
        z = _zones(200, 'mixed', 7)[0]
        model = shapes.ShapeCountModel(z, len(z.units), 1.0)
        bound, peaks = model.relaxed(10.0)
        polished = local.descend(z, aim._rounded(
            z, model, peaks, 0.005, time.monotonic() + 10.0), len(z.units),
            time.monotonic() + 5.0, aim=peaks)
        best = zone_plan._patterned(z, model, polished, len(z.units), peaks,
                                    0.005, time.monotonic() + 10.0)
        self.assertLess(z.weighted_after(best),
                        z.weighted_after(polished) - 0.005)
        self.patch(patterns, 'lowest', lambda *args: polished)
        self.assertIs(polished, zone_plan._patterned(
            z, model, polished, len(z.units), peaks, 0.005,
            time.monotonic() + 10.0))
