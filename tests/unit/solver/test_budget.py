"""Budgeted plans against the exact optimum with the same budget.

With ``max_migrations`` = B, the lowest weighted peak any valid plan can
reach is the optimum of an exact model that shares no code with the
solver (:func:`tests.unit.solver.exact.optimum` with a budget row), on
small two-zone clouds of three profiles. The plan as emitted (its waves)
must come within :data:`TOLERANCE` of it, and the peaks of one cloud must
not rise as the budget grows (the frontier is then a curve an admin can
read, with no point borrowed from a smaller budget).

:data:`TOLERANCE` is the issue's quality target for small clouds (0.02
above the optimum) and the solver's default deadband: a plan that gains
less than the deadband is not made, so a budget whose optimum gains less
than that may leave the cloud as it is. Measured on these clouds: at most
0.014 above the optimum, and 0.000 in most cases.
"""

import numpy as np
import testtools

from nova_lb.model import build
from nova_lb.model import snapshot
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.solver import result
from tests.unit.planner import test_gap
from tests.unit.solver import exact

HOSTS, SERVERS, SEEDS, BUDGETS = 8, 60, (0, 1), (2, 4, 8)
TOLERANCE = 0.02


class BudgetTest(testtools.TestCase):

    def _check_profile(self, profile):
        gaps = []
        for seed in SEEDS:
            snap = snapshot.parse(scenario.generate(
                HOSTS, SERVERS, seed=seed, profile=profile))
            cluster = build.build(snap, build.Options())
            start = exact.weighted_peak(cluster, cluster.location)
            peaks = []
            for budget in BUDGETS:
                where = '%s seed %d budget %d' % (profile, seed, budget)
                best, _ = exact.optimum(cluster, time_limit=20.0,
                                        max_migrations=budget)
                options = planner.Options(solver=result.Options(
                    time_limit=0.5, max_migrations=budget))
                plan = planner.plan(snap, options)
                self.assertLessEqual(len(plan.migrations), budget, where)
                reached = exact.weighted_peak(
                    cluster, test_gap.emitted_location(cluster, plan))
                self.assertAlmostEqual(reached, plan.solver['objective'],
                                       places=9, msg=where)
                self.assertGreaterEqual(reached, best - 1e-6, where)
                self.assertLessEqual(reached, start + 1e-9, where)
                if start - best >= options.solver.deadband:
                    self.assertLessEqual(reached, best + TOLERANCE, where)
                    gaps.append(reached - best)
                peaks.append(reached)
            self.assertEqual(sorted(peaks, reverse=True), peaks,
                             '%s seed %d: peaks %s for budgets %s'
                             % (profile, seed, peaks, BUDGETS))
        # Most budgets reach the optimum, not just the tolerance.
        self.assertLessEqual(np.median(gaps), 0.005, gaps)

    def test_default_clouds_near_the_budgeted_optimum(self):
        self._check_profile('default')

    def test_tight_clouds_near_the_budgeted_optimum(self):
        self._check_profile('tight')

    def test_skewed_clouds_near_the_budgeted_optimum(self):
        self._check_profile('skewed')
