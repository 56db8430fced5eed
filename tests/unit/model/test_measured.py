"""Measured load in the model and the planner (``balance = measured``)."""

import copy
import dataclasses
import json
import os

import numpy as np
import testtools

from nova_lb import exception
from nova_lb.model import build
from nova_lb.model import measured
from nova_lb.model import snapshot
from nova_lb.planner import checker
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.scenario import measured as scenario_measured
from nova_lb.solver import result

SMALL = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                     'fixtures', 'snapshots', 'small.json')
S = 'aaaaaaaa-0000-4000-8000-0000000000%02d'
MEASURED = build.Options(measured=True)


def _small(metrics):
    with open(SMALL) as f:
        document = json.load(f)
    if metrics is not None:
        document['metrics'] = {'source': 'prometheus', 'window_s': 3600,
                               'statistic': 'p95', 'servers': metrics}
    return document


def _options(measured=True, time_limit=3.0):
    return planner.Options(model=build.Options(measured=measured),
                           solver=result.Options(time_limit=time_limit))


class ExtendTest(testtools.TestCase):

    def test_measured_columns_use_physical_capacity(self):
        doc = _small({S % 1: {'cpu_cores': 0.5, 'memory_mb': 1000},
                      S % 2: {'cpu_cores': 1.45, 'memory_mb': 2000}})
        model = build.build(snapshot.parse(doc), MEASURED)
        self.assertEqual(('measured:VCPU', 'measured:MEMORY_MB'),
                         model.resource_classes[-2:])
        h1 = model.hosts.index('h1')
        vcpu = model.resource_classes.index('measured:VCPU')
        mem = model.resource_classes.index('measured:MEMORY_MB')
        # h1: 16 cores, no ratio; 65536 - 4096 MiB, no ratio.
        self.assertEqual(16.0, model.capacity[h1, vcpu])
        self.assertEqual(61440.0, model.capacity[h1, mem])
        self.assertEqual(np.inf, model.limit[h1, vcpu])
        # Servers 3 and 11 on h1 have no data, nor has server 6 whose
        # migration holds 4 vCPUs there: counted at their allocation
        # (a vCPU as a core), never as idle.
        # Measured use as measured, unrounded.
        self.assertAlmostEqual(0.5 + 1.45 + 1 + 4 + 1,
                               model.usage()[h1, vcpu])
        self.assertEqual(1000 + 2000 + 2048 + 8192 + 512,
                         model.usage()[h1, mem])
        # h2: servers 4 and 5 (2 cores, 4096 MiB each); the consumer that
        # is no server (1 VCPU, 512 MiB) runs nothing: no measured load.
        h2 = model.hosts.index('h2')
        self.assertEqual([4, 8192], [model.usage()[h2, vcpu],
                                     model.usage()[h2, mem]])
        self.assertIn(S % 3, model.unmeasured)
        self.assertIn(S % 11, model.unmeasured)
        self.assertNotIn(S % 1, model.unmeasured)
        # Only the measured classes are weighed; the others stay limits.
        weights = dict(zip(model.cost.resource_classes, model.cost.weights))
        self.assertEqual(0.0, weights['VCPU'])
        self.assertEqual(1.0, weights['measured:VCPU'])

    def test_solver_and_bound_see_use_rounded_to_a_tenth(self):
        doc = _small({S % 1: {'cpu_cores': 0.5, 'memory_mb': 1000},
                      S % 2: {'cpu_cores': 1.45, 'memory_mb': 2000},
                      S % 10: {'cpu_cores': 0.6, 'memory_mb': 0}})
        model = build.build(snapshot.parse(doc), MEASURED)
        vcpu = model.resource_classes.index('measured:VCPU')
        mem = model.resource_classes.index('measured:MEMORY_MB')
        row = {uuid: s for s, uuid in enumerate(model.servers)}
        # A tenth of 1 vCPU and 2048 MiB (server 1), of 2 vCPUs and
        # 4096 MiB (server 2) and of 2 vCPUs and 2048 MiB (server 10).
        # 0.6 of 2 vCPUs is on the grid (0.6 / 0.2 is 2.9999999999999996
        # in floating point): it stays 0.6 both ways.
        for rounded, expected in (
                (measured.coarse(model), ((S % 1, 0.5, 1024.0),
                                          (S % 2, 1.4, 2048.0),
                                          (S % 10, 0.6, 0.0))),
                (measured.floored(model), ((S % 1, 0.5, 819.2),
                                           (S % 2, 1.4, 1638.4),
                                           (S % 10, 0.6, 0.0)))):
            for uuid, cpu, memory in expected:
                self.assertAlmostEqual(cpu, rounded.demand[row[uuid], vcpu],
                                       places=6)
                self.assertAlmostEqual(memory,
                                       rounded.demand[row[uuid], mem],
                                       places=4)
            # Allocations, capacity and the load that does not move: as is.
            allocation = [c for c in range(len(model.resource_classes))
                          if c not in (vcpu, mem)]
            np.testing.assert_array_equal(model.demand[:, allocation],
                                          rounded.demand[:, allocation])
            np.testing.assert_array_equal(model.fixed, rounded.fixed)
        # Rounded down, never above the use itself, whatever the value: the
        # bound of that problem is a bound of the real one.
        self.assertTrue(np.all(measured.floored(model).demand
                               <= model.demand))
        # Servers rounded to one multiple share one number (one shape).
        values = np.array([0.6, 0.61, 0.65, 0.6999999])
        floored = measured._floor(values / 0.2) * 0.2
        self.assertEqual(1, len(set(floored.tolist())))
        self.assertTrue(np.all(floored <= values))

    def test_allocation_mode_is_unchanged(self):
        snap = snapshot.parse(_small({S % 1: {'cpu_cores': 0.5}}))
        model = build.build(snap)
        self.assertNotIn('measured:VCPU', model.resource_classes)
        self.assertEqual({'balance': 'allocations'},
                         planner.plan(snap, _options(False)).load)

    def test_snapshot_without_metrics_is_bad_input(self):
        e = self.assertRaises(exception.BadSnapshot, build.build,
                              snapshot.parse(_small(None)), MEASURED)
        self.assertIn('no metrics block', str(e))
        self.assertEqual(exception.EXIT_BAD_INPUT, e.exit_code)

    def test_malformed_metrics_are_named(self):
        doc = _small({S % 1: {'cpu_cores': -2}})
        e = self.assertRaises(exception.BadSnapshot, build.build,
                              snapshot.parse(doc), MEASURED)
        self.assertIn('metrics.servers.%s.cpu_cores' % (S % 1), str(e))
        doc = _small({S % 1: {'memory_mb': 'lots'}})
        e = self.assertRaises(exception.BadSnapshot, build.build,
                              snapshot.parse(doc), MEASURED)
        self.assertIn('expected a number', str(e))


class MeasuredPlanTest(testtools.TestCase):

    def _cloud(self, seed=3):
        document = scenario.generate(20, 300, seed=seed)
        document['metrics'] = scenario_measured.metrics(document, seed=seed)
        return document

    def test_plan_cools_measured_hotspots_within_placement(self):
        document = self._cloud()
        plan = planner.plan(snapshot.parse(document), _options())
        # The independent checker judges allocations: still valid.
        self.assertEqual([], checker.check(document, plan.to_json()))
        self.assertTrue(plan.migrations)
        before = plan.before['measured:VCPU']['peak']
        after = plan.after['measured:VCPU']['peak']
        self.assertLess(after, before - 0.1)
        self.assertEqual('measured', plan.load['balance'])
        self.assertEqual(
            sorted(document['metrics']['without_data']['cpu']),
            sorted(set(plan.load['without_data'])
                   & set(document['metrics']['without_data']['cpu'])))

    def test_missing_servers_are_never_idle(self):
        # Drop every busy host's data: counted at allocation, those
        # hosts must not look emptier than with their data.
        document = self._cloud()
        snap = snapshot.parse(document)
        full = build.build(snap, MEASURED)
        col = full.resource_classes.index('measured:VCPU')
        hot = int(np.argmax(full.utilisation()[:, col]))
        partial = copy.deepcopy(document)
        for s in document['compute']['servers']['servers']:
            if s['OS-EXT-SRV-ATTR:host'] == full.hosts[hot]:
                partial['metrics']['servers'].pop(s['id'], None)
        model = build.build(snapshot.parse(partial), MEASURED)
        # Allocations (>= what these idle-ish flavors use) stand in.
        self.assertGreaterEqual(model.usage()[hot, col],
                                full.usage()[hot, col] - 1e-9)
        self.assertGreater(model.usage()[hot, col], 0)
        plan = planner.plan(snapshot.parse(partial), _options())
        into_hot = [m for m in plan.migrations
                    if m.destination == full.hosts[hot]]
        self.assertEqual([], checker.check(partial, plan.to_json()))
        self.assertTrue(set(plan.load['without_data']) >= {
            s['id'] for s in document['compute']['servers']['servers']
            if s['OS-EXT-SRV-ATTR:host'] == full.hosts[hot]
            and s['id'] in full.servers})
        util = model.utilisation()[:, col]
        self.assertFalse(into_hot and util[hot] >= np.max(util) - 1e-9)

    def test_measured_mode_needs_a_weighted_measured_class(self):
        document = self._cloud()
        options = dataclasses.replace(MEASURED, cost=MEASURED.cost.build(
            {'DISK_GB': 1.0}))
        e = self.assertRaises(exception.BadSnapshot, build.build,
                              snapshot.parse(document), options)
        self.assertIn('resource_weights', str(e))
