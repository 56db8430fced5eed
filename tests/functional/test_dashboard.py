"""The Grafana dashboard's queries against a real Prometheus.

A real rebalancing run in the in-process cloud writes its metrics file;
a local HTTP server on loopback serves it to Debian's Prometheus, started
with nova-lb's alert rules; every query of etc/grafana/nova-lb.json must
then return a series, and the rules must load and evaluate.
"""

from tests.functional import test_rebalancer  # isort:skip  (eventlet first)

import json
import os
import shutil
import sys
import time

from nova_lb.rebalancer import flow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DASHBOARD = os.path.join(ROOT, 'etc', 'grafana', 'nova-lb.json')
RULES = os.path.join(ROOT, 'etc', 'prometheus', 'nova-lb-rules.yml')
sys.path.insert(0, os.path.join(ROOT, 'tools'))

from minicloud_lib import prometheus  # noqa: E402


def panel_queries(path=DASHBOARD):
    """``[(panel title, expr)]`` of every query of the dashboard."""
    with open(path) as f:
        dashboard = json.load(f)
    return [(panel['title'], target['expr'])
            for panel in dashboard['panels']
            for target in panel.get('targets', ())]


class DashboardTest(test_rebalancer.RebalancerTestCase):

    def test_every_panel_query_returns_a_series(self):
        if shutil.which('prometheus') is None:
            self.fail('prometheus is not installed: run tools/bootstrap as '
                      'root, or apt-get install prometheus')
        self.boot_skewed({'host1': 4}, **test_rebalancer.SMALL)
        metrics = os.path.join(self.state_dir, 'nova_lb.prom')
        summary = flow.rebalance(self.rebalancer_conf(
            automation='automatic', metrics_file=metrics), conn=self.sdk)
        self.assertGreater(summary['done'], 0)
        server = prometheus.serve_file(metrics)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        workdir = self.useFixture(
            test_rebalancer.fixtures.TempDir()).path
        prom = prometheus.start(workdir, [{
            'job_name': 'nova-lb', 'static_configs': [{'targets': [
                '127.0.0.1:%d' % server.server_address[1]]}]}],
            rule_files=[RULES], port=prometheus.free_port())
        self.addCleanup(prom.stop)
        prometheus.wait_for(prom.url, 'nova_lb_rebalancer_moves_done')

        queries = panel_queries()
        self.assertGreaterEqual(len(queries), 12)
        empty = [(title, expr) for title, expr in queries
                 if not prometheus.query(prom.url, expr)]
        self.assertEqual([], empty)

        # The rules load and evaluate (every second) without error.
        deadline = time.monotonic() + 30
        while True:
            rules = {r['name']: r['health'] for g in prometheus.api(
                prom.url, '/api/v1/rules')['groups'] for r in g['rules']}
            if 'unknown' not in rules.values() or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(dict.fromkeys((
            'NovaLBNoSuccessfulRun', 'NovaLBRunFailed',
            'NovaLBMigrationsFailed', 'NovaLBLeftovers', 'NovaLBImbalanced'),
            'ok'), rules)
