import re

import fixtures
import testtools

from nova_lb.rebalancer import metrics

SAMPLE = re.compile(r'^[a-z_]+(\{(resource_class="[A-Z_]+"|'
                    r'outcome="[a-z ]+")\})? [-+.e0-9]+$')


class MetricsTest(testtools.TestCase):

    SUMMARY = {'ended_at': 1700000000.5, 'duration': 12.25, 'success': 0,
               'outcome': 'partly failed',
               'planned': 3, 'done': 2, 'failed': 1, 'skipped': 0,
               'before': {'VCPU': {'peak': 0.9, 'mean': 0.5, 'stddev': 0.2},
                          'MEMORY_MB': {'peak': 0.7, 'mean': 0.5,
                                        'stddev': 0.1}},
               'after': {'VCPU': {'peak': 0.6, 'mean': 0.5, 'stddev': 0.05},
                         'MEMORY_MB': {'peak': 0.55, 'mean': 0.5,
                                       'stddev': 0.02}}}

    def test_text_format(self):
        text = metrics.render(self.SUMMARY)
        samples = {}
        for line in text.splitlines():
            if line.startswith('#'):
                self.assertRegex(line, r'^# (HELP|TYPE) nova_lb_rebalancer_')
                continue
            self.assertRegex(line, SAMPLE)
            name, value = line.rsplit(' ', 1)
            samples[name] = float(value)
        self.assertEqual(12.25, samples[
            'nova_lb_rebalancer_last_run_duration_seconds'])
        self.assertEqual(1.0, samples['nova_lb_rebalancer_moves_failed'])
        self.assertEqual(0.9, samples[
            'nova_lb_rebalancer_utilisation_peak_before'
            '{resource_class="VCPU"}'])
        self.assertEqual(
            [('partly failed', 1.0)],
            [(name.split('"')[1], v) for name, v in samples.items()
             if 'outcome=' in name and v])
        self.assertEqual(0.02, samples[
            'nova_lb_rebalancer_utilisation_stddev_after'
            '{resource_class="MEMORY_MB"}'])

    def test_operator_figures(self):
        summary = dict(self.SUMMARY, kind='rebalance', gap=0.012,
                       imbalance_before=0.5, imbalance_after=0.125,
                       draining_hosts=2, leftovers=['a', 'b', 'c'],
                       last_success_at=1699990000.0, interval=3600,
                       migrations_last_day=9, held_by=['allowed_hours'])
        summary['before'] = {'VCPU': dict(summary['before']['VCPU'],
                                          imbalance=0.4)}
        text = metrics.render(summary)
        for sample in (
                'nova_lb_rebalancer_plan_gap 0.012',
                'nova_lb_rebalancer_cloud_imbalance_score_before 0.5',
                'nova_lb_rebalancer_cloud_imbalance_score_after 0.125',
                'nova_lb_rebalancer_imbalance_score_before'
                '{resource_class="VCPU"} 0.4',
                'nova_lb_rebalancer_hosts_draining 2.0',
                'nova_lb_rebalancer_leftovers 3.0',
                'nova_lb_rebalancer_last_success_timestamp_seconds '
                '1699990000.0',
                'nova_lb_rebalancer_interval_seconds 3600.0',
                'nova_lb_rebalancer_migrations_last_day 9.0',
                'nova_lb_rebalancer_held_back{policy="allowed_hours"} 1.0',
                'nova_lb_rebalancer_held_back{policy="hold_runs"} 0.0'):
            self.assertIn(sample + '\n', text)
        # A plan without scores (an older reviewed file) has none.
        self.assertNotIn('_imbalance_score_after{', text)
        self.assertNotIn(' nova_lb_rebalancer_imbalance_score_after ', text)
        self.assertNotIn('held_back', metrics.render(self.SUMMARY))

    def test_run_without_plan_has_no_utilisation(self):
        text = metrics.render({'duration': 1.0, 'success': 0})
        self.assertNotIn('utilisation', text)
        self.assertIn('nova_lb_rebalancer_last_run_success 0.0', text)

    def test_written_to_file(self):
        path = self.useFixture(fixtures.TempDir()).join('nova_lb.prom')
        metrics.write(path, self.SUMMARY)
        with open(path) as f:
            self.assertEqual(metrics.render(self.SUMMARY), f.read())
