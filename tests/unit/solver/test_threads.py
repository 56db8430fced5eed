"""Zones planned side by side, in threads."""

import json
import os
import subprocess
import sys
import textwrap
from unittest import mock

import numpy as np
import testtools

from nova_lb.model import build
from nova_lb.model import snapshot
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.solver import aim
from nova_lb.solver import result
from nova_lb.solver import solve
from nova_lb.solver import threads
from nova_lb.solver import zone_plan


_ROOT = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                     os.pardir)


class _Patcher:
    """eventlet.patcher as :func:`threads.count` asks it."""

    def __init__(self, green):
        self.green = green

    def is_monkey_patched(self, module):
        return self.green and module == 'thread'


def _cloud():
    """Two availability zones of 20 and 19 hosts."""
    return build.build(snapshot.parse(scenario.generate(40, 800, seed=3)),
                       planner.Options().model)


class CountTest(testtools.TestCase):

    def count(self, wanted, jobs, green=False):
        with mock.patch.dict(sys.modules,
                             {'eventlet.patcher': _Patcher(green)}):
            return threads.count(wanted, jobs)

    def test_one_per_core_and_job_unless_told(self):
        with mock.patch('os.sched_getaffinity', return_value={0, 1, 2, 3}):
            self.assertEqual(4, self.count(0, 6))
            self.assertEqual(2, self.count(0, 2))
        self.assertEqual(3, self.count(3, 5))
        self.assertEqual(2, self.count(3, 2))
        self.assertEqual(1, self.count(0, 0))

    def test_one_where_eventlet_made_threads_green(self):
        # Green threads take turns, and a HiGHS solve never yields.
        self.assertEqual(1, self.count(4, 4, green=True))

    def test_run_keeps_the_order_and_raises(self):
        self.assertEqual([0, 1, 4, 9],
                         threads.run(lambda x: x * x, range(4), 2))

        def fail(x):
            raise ValueError('zone %d' % x)

        e = self.assertRaises(ValueError, threads.run, fail, [3], 2)
        self.assertEqual('zone 3', str(e))


class ApartTest(testtools.TestCase):
    """Zones too large for one exact model (forced here on small ones)
    plan side by side when there is no migration budget, else in turn.

    In this test runner eventlet makes threads green (they take turns):
    :class:`RealThreadsTest` runs the plans at the same time.
    """

    def setUp(self):
        super().setUp()
        self.patch(aim, 'WHOLE', 0)
        self.patch(threads, 'count',
                   lambda wanted, jobs: max(min(wanted, jobs), 1))
        self.cluster = _cloud()

    def solve(self, **options):
        res = solve.solve(self.cluster, result.Options(time_limit=3.0,
                                                       **options))
        usage = self.cluster.usage(res.location)
        self.assertTrue(np.all((usage <= self.cluster.limit + 1e-9)
                               | (usage <= self.cluster.usage() + 1e-9)))
        self.assertEqual({'az1', 'az2'}, set(res.zones))
        return res

    def calls(self, **options):
        """``[(zone, budget, deadline)]`` of each zone's plan (faked:
        no moves, at once)."""
        calls = []

        def recorded(z, options, budget, deadline, model, bound, aim):
            calls.append((z.name, budget, deadline))
            return zone_plan.report(result.NO_MOVES, z, z.unit_host,
                                    bound, 'faked') + (None,)

        self.patch(zone_plan, 'plan', recorded)
        self.solve(**options)
        return calls

    def test_side_by_side_each_until_the_plans_end(self):
        (_, b1, d1), (_, b2, d2) = self.calls(threads=2)
        self.assertAlmostEqual(d1, d2, delta=0.05)
        self.assertEqual((len(self.cluster.servers),) * 2, (b1, b2))

    def test_in_turn_with_a_budget_or_one_thread(self):
        for options in (dict(threads=2, max_migrations=40),
                        dict(threads=1)):
            (_, b1, d1), (_, b2, d2) = self.calls(**options)
            # The first has its share of the time, the second the rest.
            self.assertLess(d1, d2 - 0.2, options)
            self.assertEqual(options.get('max_migrations', len(
                self.cluster.servers)), b1)

    def test_plans_side_by_side_keep_every_limit(self):
        res = self.solve(threads=2)
        self.assertLess(res.objective, solve.weighted_peak(
            self.cluster, self.cluster.location) - 0.05)


class RealThreadsTest(testtools.TestCase):
    """Out of this test runner (Nova's harness patches eventlet into
    it): the zones' plans run at the same time, on real threads."""

    def test_two_zones_plan_at_once(self):
        script = textwrap.dedent('''
            import json, threading
            from nova_lb.solver import aim, result, solve, zone_plan
            from tests.unit.solver import test_threads
            aim.WHOLE = 0
            lock, running, most = threading.Lock(), [0], [0]
            plan = zone_plan.plan
            def counted(*args):
                with lock:
                    running[0] += 1
                    most[0] = max(most[0], running[0])
                try:
                    return plan(*args)
                finally:
                    with lock:
                        running[0] -= 1
            zone_plan.plan = counted
            cloud = test_threads._cloud()
            res = solve.solve(cloud, result.Options(time_limit=3.0,
                                                    threads=2))
            print(json.dumps({'most': most[0], 'zones': sorted(res.zones),
                              'gain': solve.weighted_peak(
                                  cloud, cloud.location) - res.objective}))
        ''')
        out = subprocess.run([sys.executable, '-c', script], check=True,
                             capture_output=True, text=True, timeout=120,
                             cwd=_ROOT)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertEqual({'most': 2, 'zones': ['az1', 'az2']},
                         {k: figures[k] for k in ('most', 'zones')})
        self.assertGreater(figures['gain'], 0.05)
