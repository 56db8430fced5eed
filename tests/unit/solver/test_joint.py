"""The zones' joint relaxation and the plans aimed at it, against the
exact optimum (:mod:`tests.unit.solver.exact`, no code shared).

``mixed`` clouds put host generations with very different CPU:RAM ratios
in different zones: each zone's own best trades CPU against RAM the other
way, so only a relaxation of the zones together says where the cloud's
peaks can go.
"""

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
