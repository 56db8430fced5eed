"""The zones' joint relaxation and the plans aimed at it, against the
exact optimum (:mod:`tests.unit.solver.exact`, no code shared).

``mixed`` clouds put host generations with very different CPU:RAM ratios
in different zones: each zone's own best trades CPU against RAM the other
way, so only a relaxation of the zones together says where the cloud's
peaks can go.
"""

import time

import fixtures
import numpy as np
import testtools

from nova_lb.model import build
from nova_lb.model import snapshot
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.solver import joint
from nova_lb.solver import result
from nova_lb.solver import shapes
from nova_lb.solver import zone as zone_mod
from tests.unit.planner import test_gap
from tests.unit.solver import exact

HOSTS, SERVERS, SEEDS = 8, 60, 6
FAST = planner.Options(solver=result.Options(time_limit=1.0))


def _clouds():
    for seed in range(SEEDS):
        snap = snapshot.parse(scenario.generate(HOSTS, SERVERS, seed=seed,
                                                profile='mixed'))
        yield seed, snap, build.build(snap, FAST.model)


class JointTest(testtools.TestCase):

    def test_relaxation_is_a_bound_above_each_zones(self):
        for seed, _, cluster in _clouds():
            zones = zone_mod.split(cluster)[0]
            models = [shapes.models(z, len(z.units), 1.0)[0] for z in zones]
            bound, peaks = joint.relaxed(models, zones[0].weights, 5.0)
            best, _ = exact.optimum(cluster)
            own = max(m.relaxed(5.0)[0] for m in models)
            self.assertLessEqual(bound, best + 1e-9, seed)
            self.assertGreaterEqual(bound, own - 1e-9, seed)
            self.assertAlmostEqual(bound, float(np.dot(zones[0].weights,
                                                       peaks)), places=9)

    def test_plans_within_002_of_the_optimum(self):
        # Main's solver, each zone aimed at the highest of the zones' own
        # relaxed peaks, ends 0.045 above the optimum on seed 5.
        for seed, snap, cluster in _clouds():
            plan = planner.plan(snap, FAST)
            best, _ = exact.optimum(cluster)
            reached = exact.weighted_peak(
                cluster, test_gap.emitted_location(cluster, plan))
            self.assertLessEqual(reached, best + 0.02, seed)
            self.assertGreaterEqual(plan.solver['bound'], max(
                r['bound'] for r in plan.solver['zones'].values()) - 1e-9)

    def test_aim_from_the_zones_own_relaxations(self):
        # Clouds too large for one relaxation of all the zones (1,000
        # hosts) settle their zones' own relaxed peaks on a point they
        # all reach. On these, where the highest of their own peaks is
        # up to 0.11 above the relaxation of the zones together, that
        # point is within 0.001 of it.
        apart = 0
        for profile, seed, snap, zones, models, own in _relaxed_clouds():
            weights = zones[0].weights
            highest = float(np.dot(weights, np.max([p for _, p in own],
                                                   axis=0)))
            aim = joint.aim(models, own, time.monotonic() + 5.0)
            together = joint.relaxed(models, weights, 5.0)[0]
            self.assertLessEqual(np.dot(weights, aim), highest + 1e-9)
            # A point the zones reach together: no lower than their
            # relaxation together.
            self.assertGreaterEqual(np.dot(weights, aim), together - 1e-9)
            self.assertLessEqual(np.dot(weights, aim), together + 1e-3,
                                 (profile, seed))
            apart += highest > together + 0.003
        self.assertGreaterEqual(apart, 10)

    def test_each_zones_counts_under_the_aim(self):
        # The rounded fallback plan starts from them: under the peaks
        # the zones settled on, or reached together.
        for settle in (
                lambda ms, own: joint.aim(ms, own, time.monotonic() + 5.0),
                lambda ms, own: joint.relaxed(ms, ms[0].zone.weights,
                                              5.0)[1]):
            for profile, seed, _, zones, models, own in _relaxed_clouds():
                aim = settle(models, own)
                weighted = zones[0].weights > 0
                for z, m in zip(zones, models):
                    load = m.base.copy()
                    np.add.at(load, m.vh, m.relaxed_counts[:, None]
                              * m.demand[m.vk])
                    util = load / np.where(z.capacity > 0, z.capacity,
                                           np.inf)
                    self.assertTrue(np.all(util[z.accepts][:, weighted]
                                           <= aim[weighted] + 1e-6),
                                    (profile, seed))

    def test_zones_that_do_not_cross_gain_nothing_together(self):
        # The solver relaxes larger clouds together only where their
        # zones cross: elsewhere the highest zone's bound is the joint.
        seen = set()
        for profile, seed, snap, zones, models, own in _relaxed_clouds():
            weights = zones[0].weights
            together = joint.relaxed(models, weights, 5.0)[0]
            crossed = joint.crossed(own, weights)
            seen.add(crossed)
            if not crossed:
                self.assertAlmostEqual(together, max(b for b, _ in own), 6,
                                       (profile, seed))
        self.assertEqual(seen, {False, True})

    def test_crossed_zones_relaxed_together_past_largest(self):
        # 1,000-host clouds: too large for LARGEST, relaxed together
        # when their zones cross; the bound is the joint one.
        self.useFixture(fixtures.MockPatch(
            'nova_lb.solver.joint.LARGEST', 0))
        raised = 0
        for profile, seed, snap, zones, models, own in _relaxed_clouds():
            weights = zones[0].weights
            if not joint.crossed(own, weights):
                continue
            together = joint.relaxed(models, weights, 5.0, joint.CROSSED)[0]
            plan = planner.plan(snap, FAST)
            self.assertGreaterEqual(plan.solver['bound'], together - 1e-9,
                                    (profile, seed))
            raised += together > max(b for b, _ in own) + 1e-3
        self.assertGreaterEqual(raised, 5)

    def test_counts_only_from_the_peaks_the_aim_takes(self):
        # A zone solved again and found no lower keeps its peaks, and so
        # the counts of those peaks: the rounded fallback plan must be
        # under the aim.
        calls = 0
        for _, _, _, _, models, own in _relaxed_clouds():
            kept = [np.array(m.relaxed_counts) for m in models]
            for m in models:
                real = m.relaxed_above

                def higher(floor, time_limit, real=real):
                    nonlocal calls
                    calls += 1
                    peaks, x = real(floor, time_limit)
                    return peaks + 1.0, np.zeros_like(x)
                self.useFixture(fixtures.MockPatchObject(
                    m, 'relaxed_above', higher))
            aim = joint.aim(models, own, time.monotonic() + 5.0)
            np.testing.assert_array_equal(aim, np.max([p for _, p in own],
                                                      axis=0))
            for m, counts in zip(models, kept):
                np.testing.assert_array_equal(m.relaxed_counts, counts)
        self.assertGreaterEqual(calls, 10)

    def test_plans_aimed_at_the_zones_own_relaxations_settled(self):
        # As on 1,000 hosts: no relaxation of all the zones together, and
        # zones too large for the integral model (their fractional plans
        # rounded and polished). Aimed at the highest of the zones' own
        # peaks, these plans ended 0.033 (tight, seed 0) above the bound.
        self.useFixture(fixtures.MockPatch(
            'nova_lb.solver.joint.LARGEST', 0))
        self.useFixture(fixtures.MockPatch(
            'nova_lb.solver.joint.CROSSED', 0))
        self.useFixture(fixtures.MockPatch('nova_lb.solver.aim.WHOLE', 0))
        options = planner.Options(solver=result.Options(time_limit=2.0))
        for profile, seed in (('tight', 0), ('tight', 1), ('faults', 0),
                              ('faults', 3)):
            snap = snapshot.parse(scenario.generate(40, 800, seed=seed,
                                                    profile=profile))
            cluster = build.build(snap, options.model)
            plan = planner.plan(snap, options)
            reached = exact.weighted_peak(
                cluster, test_gap.emitted_location(cluster, plan))
            self.assertLessEqual(reached, plan.solver['bound'] + 0.015,
                                 (profile, seed))


def _relaxed_clouds():
    """:func:`_settled_clouds` with their zones, each zone's shape model
    and own relaxation: ``(profile, seed, snap, zones, models, own)``."""
    for profile, seed, snap in _settled_clouds():
        zones = zone_mod.split(build.build(snap, FAST.model))[0]
        models = [shapes.models(z, len(z.units), 1.0)[0] for z in zones]
        yield (profile, seed, snap, zones, models,
               [m.relaxed(5.0) for m in models])


def _settled_clouds():
    """Clouds of two zones whose own relaxations often disagree."""
    for profile in ('tight', 'faults', 'mixed'):
        for seed in range(8):
            yield profile, seed, snapshot.parse(scenario.generate(
                HOSTS, 2 * SERVERS, seed=seed, profile=profile))
