"""The gap a plan reports is true: checked against the exact optimum.

On small clouds of every scenario profile (35 clouds), an exact model
that shares no code with the solver (:mod:`tests.unit.solver.exact`)
gives the lowest weighted peak any valid plan can reach, to within 1e-4. The bound the plan reports must
not exceed it (a bound computed on a model restricted for speed would),
and the weighted peak it reports must be the one its waves reach, which
can be no better than the optimum. Odd seeds set a memory ceiling below
the generator's fill, so that some hosts start over their limit.
"""

import dataclasses

import numpy as np
import testtools

from nova_lb.model import build
from nova_lb.model import snapshot
from nova_lb.planner import checker
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.scenario import profiles
from nova_lb.solver import result
from tests.unit.solver import exact

HOSTS, SERVERS, SEEDS = 8, 60, 5
FAST = planner.Options(solver=result.Options(time_limit=1.0))


def emitted_location(cluster, plan):
    """Where the plan's migrations leave the cluster's servers."""
    location = np.array(cluster.location, dtype=int)
    server = {s: i for i, s in enumerate(cluster.servers)}
    host = {h: i for i, h in enumerate(cluster.hosts)}
    for m in plan.migrations:
        location[server[m.server]] = host[m.destination]
    return location


class GapTest(testtools.TestCase):

    def _check_profile(self, profile):
        for seed in range(SEEDS):
            document = scenario.generate(HOSTS, SERVERS, seed=seed,
                                         profile=profile)
            snap = snapshot.parse(document)
            options = dataclasses.replace(FAST, model=build.Options(
                ceilings={'MEMORY_MB': 0.9} if seed % 2 else {}))
            cluster = build.build(snap, options.model)
            best, proven = exact.optimum(cluster)
            plan = planner.plan(snap, options)
            info = plan.solver
            where = '%s seed %d' % (profile, seed)
            self.assertEqual([], checker.check(document, plan.to_json(),
                                               checker.Limits(
                ceilings=options.model.ceilings)), where)
            reached = exact.weighted_peak(cluster,
                                          emitted_location(cluster, plan))
            self.assertAlmostEqual(reached, info['objective'], places=9,
                                   msg=where)
            # The optimum is in [proven, best], 1e-4 apart at most.
            self.assertLessEqual(info['bound'], best + 1e-9, where)
            self.assertGreaterEqual(reached, proven - 1e-9, where)
            self.assertAlmostEqual(info['gap'],
                                   max(reached - info['bound'], 0.0),
                                   places=9, msg=where)


def _add(profile):
    def test(self):
        self._check_profile(profile)
    name = 'test_%s_bound_below_optimum' % profile.replace('-', '_')
    test.__name__ = name
    test.__doc__ = ('%s clouds: bound <= exact optimum <= emitted peak'
                    % profile)
    setattr(GapTest, name, test)


for _profile in profiles.PROFILES:
    _add(_profile)
