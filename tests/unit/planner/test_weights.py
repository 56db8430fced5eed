"""A resource class with weight 0 is a limit, not a free dump.

With the default ``resource_weights`` (``DISK_GB:0.0``) the solver does
not balance disk, but no plan may raise any class's peak above the higher
of its peak now and its ceiling: disk stays a hard capacity everywhere.
"""

import numpy as np
import testtools

from nova_lb.conf import nova_lb_group
from nova_lb.model import build
from nova_lb.model import snapshot
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.scenario import profiles
from nova_lb.solver import result
from nova_lb.solver import solve
from tests.unit.solver import clusters

FAST = result.Options(time_limit=1.0)


class ZeroWeightTest(testtools.TestCase):

    def test_default_weights_leave_disk_out_of_the_cost(self):
        self.assertEqual({'VCPU': 1.0, 'MEMORY_MB': 1.0, 'DISK_GB': 0.0},
                         nova_lb_group.DEFAULT_WEIGHTS)
        self.assertEqual((1.0, 1.0, 0.0), build.Options().cost.weights)

    def test_disk_peak_never_rises_past_its_ceiling(self):
        # host0 is hot in CPU and memory; host1 is idle in both but its
        # disk is at 0.85 of a 0.9 ceiling: the server (disk 1 of 10)
        # would balance CPU and memory perfectly on host1 and push its
        # disk to 0.95. host2 has room for everything but is busier.
        c = clusters.make(
            [(10, 10, 10)] * 3,
            [(0, (4, 4, 1)), (0, (4, 4, 0)), (2, (3, 3, 0))],
            limit=0.9, fixed=[(0, 0, 0), (0, 0, 8.5), (0, 0, 0)],
            weights={'VCPU': 1.0, 'MEMORY_MB': 1.0, 'DISK_GB': 0.0})
        res = solve.solve(c, FAST)
        disk = c.utilisation(res.location)[:, 2]
        before = c.utilisation()[:, 2]
        self.assertLessEqual(disk.max(), max(before.max(), 0.9) + 1e-9)
        self.assertLessEqual(disk[1], 0.9 + 1e-9)
        # It still balances what it weighs: the server goes to host2.
        self.assertLess(res.objective, 0.8)

    def test_no_profile_raises_a_peak_past_its_ceiling(self):
        ceilings = {'VCPU': 0.9, 'MEMORY_MB': 0.92, 'DISK_GB': 0.9}
        options = planner.Options(model=build.Options(ceilings=ceilings),
                                  solver=FAST)
        for profile in profiles.PROFILES:
            for seed in range(2):
                snap = snapshot.parse(scenario.generate(
                    12, 150, seed=seed, profile=profile))
                plan = planner.plan(snap, options)
                for rc, ceiling in ceilings.items():
                    self.assertLessEqual(
                        plan.after[rc]['peak'],
                        max(plan.before[rc]['peak'], ceiling) + 1e-9,
                        '%s seed %d %s' % (profile, seed, rc))
                self.assertTrue(np.isfinite(plan.solver['objective']))
