"""Query templates and unit conversions against recorded answers."""

import testtools

from nova_lb.conf import metrics as metrics_conf
from nova_lb.metrics import prometheus
from nova_lb.metrics import queries
from tests.unit.metrics import replay

BUSY = replay.BUSY
IDLE = replay.IDLE


class QueriesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.recorded = replay.recorded()
        self.params = self.recorded['params']

    def test_default_templates_are_the_recorded_queries(self):
        # Every query nova-lb sends for either source was answered by a
        # real Prometheus when recorded: the PromQL is valid and matches.
        for source in queries.SOURCES:
            q = queries.build(source, **self.params)
            for quantity in queries.QUANTITIES:
                for promql in (q.promql(quantity), q.samples(quantity)):
                    answer = self.recorded['answers'][promql]
                    self.assertEqual(200, answer['status'], promql)
                    self.assertEqual(2, len(
                        answer['body']['data']['result']), promql)

    def test_ceilometer_query_shape(self):
        q = queries.build('ceilometer', window=3600, rate_interval=300,
                          step=60)
        self.assertEqual(
            'quantile_over_time(0.95, (sum by (resource) '
            '(rate(ceilometer_cpu[300s])))[3600s:60s])', q.promql('cpu'))
        self.assertEqual(
            'count_over_time((max by (resource) '
            '(ceilometer_memory_usage))[3600s:60s])', q.samples('memory'))

    def _converted(self, source, quantity):
        q = queries.build(source, **self.params)
        series = prometheus.parse('q', self.recorded['answers'][
            q.promql(quantity)]['body'])
        return {labels[q.server_label]: q.convert(quantity, value)
                for labels, value in series}

    def test_ceilometer_units_become_cores_and_mib(self):
        # ceilometer_cpu is in ns of CPU time: its rate, ns/s, is 1e9 per
        # core; ceilometer_memory_usage is already MiB.
        cpu = self._converted('ceilometer', 'cpu')
        memory = self._converted('ceilometer', 'memory')
        self.assertAlmostEqual(1.5, cpu[BUSY], delta=0.02)
        self.assertAlmostEqual(0.25, cpu[IDLE], delta=0.02)
        self.assertEqual(3000.0, memory[BUSY])
        self.assertEqual(512.0, memory[IDLE])

    def test_libvirt_units_become_cores_and_mib(self):
        # libvirt-exporter counts CPU in seconds and memory in bytes.
        cpu = self._converted('libvirt', 'cpu')
        memory = self._converted('libvirt', 'memory')
        self.assertAlmostEqual(1.5, cpu[BUSY], delta=0.02)
        self.assertEqual(3000.0, memory[BUSY])
        self.assertEqual(512.0, memory[IDLE])

    def test_every_unit_has_its_factor(self):
        self.assertEqual(2.0, queries.build('libvirt', cpu_unit='millicores')
                         .convert('cpu', 2000))
        self.assertEqual(0.5, queries.build('libvirt', cpu_unit='percent')
                         .convert('cpu', 50))
        self.assertEqual(2048.0, queries.build(
            'ceilometer', memory_unit='GiB').convert('memory', 2))
        self.assertEqual(1.0, queries.build(
            'ceilometer', memory_unit='KiB').convert('memory', 1024))

    def test_overrides_replace_the_source_defaults(self):
        q = queries.build('ceilometer', server_label='instance_id',
                          cpu='my_cpu{x="%(server_label)s"}', cpu_unit='cores',
                          statistic='max', window=600, step=30)
        self.assertEqual('max_over_time((my_cpu{x="instance_id"})[600s:30s])',
                         q.promql('cpu'))
        self.assertEqual(3.0, q.convert('cpu', 3.0))

    def test_bad_values_are_named(self):
        for kwargs, word in (({'cpu_unit': 'parsecs'}, 'parsecs'),
                             ({'memory_unit': 'MB'}, 'MB'),
                             ({'statistic': 'p42'}, 'p42'),
                             ({'cpu': 'rate(x[%(window)s])'}, 'window')):
            e = self.assertRaises(ValueError, queries.build, 'ceilometer',
                                  **kwargs)
            self.assertIn(word, str(e))
        self.assertRaises(ValueError, queries.build, 'gnocchi')


class OptionsAgreeTest(testtools.TestCase):
    """``[metrics]`` spells out the choices and default templates of this
    module (conf/ imports nothing that reads it): they must stay equal."""

    def test_choices_are_the_known_names(self):
        self.assertEqual(sorted(queries.SOURCES), list(metrics_conf.SOURCES))
        self.assertEqual(sorted(queries.STATISTICS),
                         list(metrics_conf.STATISTICS))
        self.assertEqual(sorted(queries.CPU_UNITS),
                         list(metrics_conf.CPU_UNITS))
        self.assertEqual(sorted(queries.MEMORY_UNITS),
                         list(metrics_conf.MEMORY_UNITS))

    def test_help_shows_the_default_templates(self):
        self.assertEqual(
            {name: {q: getattr(source, q) for q in queries.QUANTITIES}
             for name, source in queries.SOURCES.items()},
            metrics_conf.DEFAULT_TEMPLATES)
        helps = {opt.name: opt.help for opt in metrics_conf.OPTS}
        for name, source in queries.SOURCES.items():
            for quantity in queries.QUANTITIES:
                self.assertIn(getattr(source, quantity),
                              helps['%s_query' % quantity])
