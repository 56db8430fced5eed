"""Budgeted plans against the exact optimum with the same budget.

With ``max_migrations`` = B, the lowest weighted peak any valid plan can
reach is the optimum of an exact model that shares no code with the
solver (:func:`tests.unit.solver.exact.optimum` with a budget row), on
small two-zone clouds of three profiles. The solver's placement must
come within :data:`TOLERANCE` of it, and its peak must not rise as the
budget grows (the frontier is then a curve an admin can read); the plan
as emitted (with the largest budget) must be valid, within the budget
and no worse than the cloud as it is. The emitted plan is held to
neither: the exact model knows
only the final placement, and on tight clouds the waves may find no
order for a move (the planner then re-plans around it, see
:mod:`nova_lb.planner.planner`), e.g. 0.715 with 8 moves against 0.708
with 4 (the optimum: 0.680) on the tight cloud of seed 1. The frontier
then shows the 4-move plan for a budget of 8.

:data:`TOLERANCE` is the issue's quality target for small clouds (0.02
above the optimum) and the solver's default deadband: a plan that gains
less than the deadband is not made, so a budget whose optimum gains less
than that may leave the cloud as it is. Measured on these clouds: at most
0.014 above the optimum, and 0.000 in most cases.
"""

import testtools

from nova_lb.model import build
from nova_lb.model import snapshot
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.solver import result
from nova_lb.solver import solve
from tests.unit.planner import test_gap
from tests.unit.solver import exact

HOSTS, SERVERS, SEEDS, BUDGETS = 8, 60, (0, 1), (2, 4, 8)
PROFILES = ('default', 'tight', 'skewed')
TOLERANCE = 0.02


class BudgetTest(testtools.TestCase):

    def _check(self, profile, seed):
        snap = snapshot.parse(scenario.generate(HOSTS, SERVERS, seed=seed,
                                                profile=profile))
        cluster = build.build(snap, build.Options())
        start = exact.weighted_peak(cluster, cluster.location)
        peaks = []
        for budget in BUDGETS:
            where = '%s seed %d budget %d' % (profile, seed, budget)
            best, _ = exact.optimum(cluster, time_limit=20.0,
                                    max_migrations=budget)
            options = planner.Options(solver=result.Options(
                time_limit=0.5, max_migrations=budget))
            target = solve.solve(cluster, options.solver)
            self.assertGreaterEqual(target.objective, best - 1e-6, where)
            if start - best >= options.solver.deadband:
                self.assertLessEqual(target.objective, best + TOLERANCE,
                                     where)
            peaks.append(target.objective)
            if budget != BUDGETS[-1]:
                continue
            # The whole pipeline once per cloud: the time tests take.
            plan = planner.plan(snap, options)
            self.assertLessEqual(len(plan.migrations), budget, where)
            reached = exact.weighted_peak(
                cluster, test_gap.emitted_location(cluster, plan))
            self.assertAlmostEqual(reached, plan.solver['objective'],
                                   places=9, msg=where)
            self.assertLessEqual(plan.solver['bound'], best + 1e-6, where)
            self.assertLessEqual(reached, start + 1e-9, where)
        self.assertEqual(sorted(peaks, reverse=True), peaks,
                         '%s seed %d: peaks %s for budgets %s'
                         % (profile, seed, peaks, BUDGETS))

    def test_bound_holds_when_zones_share_the_budget(self):
        # Two zones of 10 hosts and 50 moves: the first zone planned
        # spends some, and a bound HiGHS proves for the second with what
        # is left holds only for plans that split the budget that way
        # (here it was 0.6 while plans with 50 moves reach 0.36).
        snap = snapshot.parse(scenario.generate(20, 300, seed=7))
        cluster = build.build(snap, build.Options())
        plan = planner.plan(snap, planner.Options(solver=result.Options(
            time_limit=1.0, max_migrations=50)))
        found, _ = exact.optimum(cluster, time_limit=3.0, require=False,
                                 max_migrations=50)
        self.assertIsNotNone(found)
        reached = exact.weighted_peak(
            cluster, test_gap.emitted_location(cluster, plan))
        self.assertLessEqual(plan.solver['bound'],
                             min(found, reached) + 1e-6)


def _add(profile, seed):
    def test(self):
        self._check(profile, seed)
    test.__name__ = 'test_%s_seed_%d_near_the_budgeted_optimum' % (profile,
                                                                  seed)
    test.__doc__ = ('%s cloud, seed %d: within %.2f of the exact optimum '
                    'for each budget' % (profile, seed, TOLERANCE))
    setattr(BudgetTest, test.__name__, test)


for _profile in PROFILES:
    for _seed in SEEDS:
        _add(_profile, _seed)
