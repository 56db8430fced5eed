"""Measured load on the minicloud: Debian's Prometheus scraping each fake
compute's load exporter, read by nova-lb with its default (Ceilometer)
queries over a short window.

Every server has the same flavor and every host the same number of
servers, so Placement sees a balanced cloud; the servers of compute-1 are
busy (1.9 of their 2 vCPUs), the others idle (0.05).
"""

from tests.e2e import base
from tests.e2e import cloud

from minicloud_lib import layout  # isort:skip  (tests.e2e.cloud's path)
from minicloud_lib import prometheus  # isort:skip

PROMETHEUS = layout.endpoint('prometheus')
METRICS = """[metrics]
prometheus_url = %(url)s
window = 20
rate_interval = 5
step = 1
timeout = 5
%(extra)s
[solver]
balance = measured
# Within 5 points of the best peak is enough: fewer moves, a short test.
peak_tolerance = 0.05
"""
BUSY = {'minicloud_cpu_cores': '1.9', 'minicloud_memory_mb': '256'}
IDLE = {'minicloud_cpu_cores': '0.05', 'minicloud_memory_mb': '256'}
UNMEASURED = dict(IDLE, minicloud_unmeasured='1')
#: Cores each host uses, per Prometheus, summed over its servers.
PER_HOST = 'sum by (host) (rate(ceilometer_cpu[5s])) / 1e9'


class MeasuredTestCase(base.E2ETestCase):

    def measured(self, url=PROMETHEUS, **extra):
        """The run's config plus ``[metrics]``; returns its path."""
        with open(self.config, 'a') as f:
            f.write(METRICS % {'url': url, 'extra': '\n'.join(
                '%s = %s' % item for item in extra.items())})
        return self.config

    def boot_loads(self, loads):
        """``{host: [metadata, ...]}`` booted; returns {name: server}."""
        made = []
        for host, metadata in loads.items():
            for i, meta in enumerate(metadata):
                made += cloud.boot(self.conn, ['%s-%d' % (host, i)],
                                   host=host, wait=False, metadata=meta)
        return {s.name: s for s in made}

    def wait_measured(self, servers, samples=10):
        """Until Prometheus holds ``samples`` CPU points of each server."""
        want = {s.id for s in servers}
        prometheus.wait_for(
            PROMETHEUS, 'count_over_time((sum by (resource) '
            '(rate(ceilometer_cpu[5s])))[20s:1s]) >= %d' % samples,
            lambda r: want <= {x['metric']['resource'] for x in r},
            timeout=60)

    def per_host(self):
        return {r['metric']['host']: float(r['value'][1])
                for r in prometheus.query(PROMETHEUS, PER_HOST)}


class MeasuredRebalanceTest(MeasuredTestCase):

    def test_measured_hot_host_is_cooled(self):
        servers = self.boot_loads({'compute-1': [BUSY] * 2,
                                   'compute-2': [IDLE] * 2,
                                   'compute-3': [IDLE] * 2})
        self.wait_measured(servers.values())
        # Balanced for Placement, hot for Prometheus.
        _, before = self.assert_invariants()
        self.assertEqual(1, len({tuple(sorted(h['usage'].items()))
                                 for h in before.values()}), before)
        hot = self.per_host()
        self.assertGreater(hot['compute-1'], 3.5, hot)
        self.measured()
        # The snapshot holds each server's measured use, in cores and MiB.
        code, out = self.run_command('nova-lb', 'snapshot', '--output',
                                     self.state_dir + '/snapshot.json')
        self.assertEqual(0, code, out)
        metrics = self.state('snapshot.json')['metrics']
        self.assertEqual((20, 'p95'), (metrics['window_s'],
                                       metrics['statistic']))
        for name, server in servers.items():
            got = metrics['servers'][server.id]
            want = 1.9 if name.startswith('compute-1') else 0.05
            self.assertAlmostEqual(want, got['cpu_cores'], delta=0.05)
            self.assertAlmostEqual(256, got['memory_mb'], delta=0.01)
            self.assertGreaterEqual(got['cpu_samples'], 10)
        code, out = self.rebalance()
        self.assertEqual(0, code, out)
        plan = self.state('plan.json')
        self.assertEqual('measured', plan['load']['balance'])
        self.assertEqual([], plan['load']['without_data'])
        moved = {m['server']: m['destination'] for m in plan['migrations']}
        busy = {servers['compute-1-%d' % i].id for i in range(2)}
        self.assertTrue(busy & set(moved), plan['migrations'])
        self.assertLess(plan['after']['measured:VCPU']['peak'],
                        plan['before']['measured:VCPU']['peak'] - 0.15)
        # Every planned move is a completed Nova live migration.
        moves = self.nova_moves()
        self.assertEqual({(m['server'], m['source'], m['destination'])
                          for m in plan['migrations']},
                         {m[:3] for m in moves})
        self.assertEqual({'completed'}, {m[3] for m in moves})
        self.assert_invariants()
        # Prometheus, asked by the test, sees compute-1 cooled.
        cooled = prometheus.wait_for(
            PROMETHEUS, PER_HOST, lambda r: r and all(
                float(x['value'][1]) < 2.5 for x in r), timeout=30)
        self.assertEqual(3, len(cooled), cooled)


class MeasuredFaultTest(MeasuredTestCase):
    """Without usable measured load a measured run moves nothing."""

    def setUp(self):
        super().setUp()
        # Skewed for Placement: a run balancing allocations would move.
        self.servers = self.boot_loads({'compute-1': [BUSY] * 4})

    def assert_stopped(self, code, out, *words):
        self.assertEqual(1, code, out)
        error = out.strip().splitlines()[-1]
        self.assertTrue(error.startswith('nova-lb-rebalancer: error: '
                                         'Prometheus query '), error)
        for word in words:
            self.assertIn(word, error)
        self.assertEqual([], self.nova_moves())
        self.assert_invariants()

    def test_prometheus_down(self):
        # Nothing listens on this loopback port.
        self.measured(url='http://127.0.0.1:18099')
        code, out = self.rebalance()
        self.assert_stopped(code, out, 'rate(ceilometer_cpu[5s])',
                            'cannot connect to http://127.0.0.1:18099')
        last = self.state('last-run.json')
        self.assertEqual('aborted', last['outcome'])
        self.assertIn('Prometheus query', last['reason'])

    def test_prometheus_down_with_fallback_balances_allocations(self):
        self.measured(url='http://127.0.0.1:18099', on_failure='allocations')
        code, out = self.run_command('nova-lb-rebalancer', '--once',
                                     '--dry-run')
        self.assertEqual(0, code, out)
        last = self.state('last-run.json')
        self.assertIn('balanced allocations, measured load unavailable: '
                      'Prometheus query', last['fallback'])
        self.assertEqual({'balance': 'allocations'},
                         self.state('plan.json')['load'])
        self.assertTrue(self.state('plan.json')['migrations'])
        self.assertEqual([], self.nova_moves())

    def test_no_series(self):
        self.measured(cpu_query='sum by (%(server_label)s) '
                                '(rate(no_such_metric[%(rate_interval)s]))')
        code, out = self.rebalance()
        self.assert_stopped(code, out, 'no_such_metric', 'no series')

    def test_partial_answer_is_not_idle(self):
        # compute-2's servers are missing from Prometheus' answer: at
        # their allocation (2 cores each) compute-2 is the busiest host,
        # so no busy server may be planned onto it; as idle it would be
        # the first choice.
        missing = self.boot_loads({'compute-2': [UNMEASURED] * 4})
        self.wait_measured(self.servers.values())
        self.measured()
        code, out = self.run_command('nova-lb', 'plan', '--format', 'json',
                                     '--output', self.state_dir + '/p.json')
        self.assertEqual(0, code, out)
        plan = self.state('p.json')
        self.assertEqual(sorted(s.id for s in missing.values()),
                         sorted(plan['load']['without_data']))
        self.assertTrue(plan['migrations'])
        # The cores each host uses once the plan is carried out, compute-2's
        # servers counted at their allocation (2 cores each): the plan's
        # own measured peak must cover them. Had the planner taken them as
        # idle, it would fill compute-2 and report a peak below its load.
        cores = {s.id: 2.0 for s in missing.values()}
        cores.update({s.id: 1.9 for s in self.servers.values()})
        host = {s.id: name.rsplit('-', 1)[0] for name, s in
                list(missing.items()) + list(self.servers.items())}
        host.update({m['server']: m['destination']
                     for m in plan['migrations']})
        load = {}
        for server, where in host.items():
            load[where] = load.get(where, 0.0) + cores[server]
        # Hosts have 8 physical cores (tools/run-e2e's default size); the
        # 95th percentile of a rate over a short window is near 1.9, not
        # exactly it.
        self.assertLessEqual(max(load.values()) / 8.0,
                             plan['after']['measured:VCPU']['peak'] + 0.05,
                             (load, plan['migrations']))
