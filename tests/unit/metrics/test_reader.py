"""Reading measured load over HTTP: answers, partial answers, failures."""

import time

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from nova_lb import conf as lb_conf
from nova_lb import exception
from nova_lb.metrics import prometheus
from nova_lb.metrics import queries
from nova_lb.metrics import reader
from nova_lb.metrics import settings as metrics_settings
from tests.unit.metrics import replay

BUSY = replay.BUSY
IDLE = replay.IDLE
LOST = replay.LOST
ABSENT = replay.ABSENT


class ReaderTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.recorded = replay.recorded()
        self.at = self.recorded['at']

    def _read(self, source='ceilometer', drop=(), uuids=(BUSY, IDLE, LOST),
              **kwargs):
        server = self.useFixture(replay.Replay(drop=drop))
        q = queries.build(source, **dict(self.recorded['params'], **kwargs))
        return reader.read(prometheus.Client(server.url, 5.0), q, uuids,
                           self.at)

    def test_block_holds_cores_mib_and_sample_counts(self):
        for source in queries.SOURCES:
            block = self._read(source)
            busy = block['servers'][BUSY]
            self.assertAlmostEqual(1.5, busy['cpu_cores'], delta=0.02)
            self.assertEqual(3000.0, busy['memory_mb'])
            self.assertEqual(20, busy['cpu_samples'])
            self.assertEqual(20, busy['memory_samples'])
            self.assertAlmostEqual(0.25, block['servers'][IDLE]['cpu_cores'],
                                   delta=0.02)
            self.assertEqual({'cpu': [LOST], 'memory': [LOST]},
                             block['without_data'])
            self.assertNotIn(LOST, block['servers'])
            self.assertEqual(('prometheus', 20, 'p95'), (
                block['source'], block['window_s'], block['statistic']))

    def test_partial_answer_lists_the_missing_servers(self):
        block = self._read(drop={IDLE})
        self.assertEqual([BUSY], sorted(block['servers']))
        self.assertEqual({'cpu': [IDLE, LOST], 'memory': [IDLE, LOST]},
                         block['without_data'])

    def test_series_of_servers_not_in_the_snapshot_are_ignored(self):
        block = self._read(uuids=(BUSY, ABSENT))
        self.assertEqual([BUSY], sorted(block['servers']))

    def test_several_series_per_server_are_refused(self):
        # A template not aggregated by the label: the libvirt exporter's
        # raw series carry the domain name too, and a host with two
        # exporters would answer twice.
        series = [({'uuid': BUSY, 'domain': 'a'}, 1.0),
                  ({'uuid': BUSY, 'domain': 'b'}, 2.0)]
        e = self.assertRaises(exception.MetricsUnavailable,
                              reader._by_server, 'q', series, 'uuid')
        self.assertIn('several series for uuid=%s' % BUSY, str(e))
        self.assertIn('aggregate the template by (uuid)', str(e))

    def test_no_series_at_all_is_a_failure_naming_the_query(self):
        e = self.assertRaises(exception.MetricsUnavailable, self._read,
                              drop={BUSY, IDLE})
        self.assertIn('rate(ceilometer_cpu[5s])', str(e))
        self.assertIn('no series', str(e))

    def test_prometheus_error_names_query_and_reason(self):
        server = self.useFixture(replay.Replay())
        e = self.assertRaises(
            exception.MetricsUnavailable,
            prometheus.Client(server.url, 5.0).query, 'rate((', self.at)
        self.assertIn('rate((', str(e))
        self.assertIn('HTTP 400', str(e))
        self.assertIn('unclosed left parenthesis', str(e))

    def test_unreachable_prometheus_is_one_line(self):
        client = prometheus.Client('http://127.0.0.1:9', 2.0)
        e = self.assertRaises(exception.MetricsUnavailable, client.query,
                              'up', self.at)
        self.assertIn('Prometheus query up failed', str(e))
        self.assertNotIn('\n', str(e))

    def test_slow_prometheus_times_out(self):
        server = self.useFixture(replay.Replay(delay=3.0))
        start = time.monotonic()
        e = self.assertRaises(
            exception.MetricsUnavailable,
            prometheus.Client(server.url, 0.5).query, 'rate((', self.at)
        self.assertLess(time.monotonic() - start, 2.5)
        self.assertIn('timed out', str(e))

    def test_bearer_and_basic_authentication_are_sent(self):
        server = self.useFixture(replay.Replay())
        prometheus.Client(server.url, 5.0, token='s3cret').query(
            'max by (resource) (no_such_metric)', self.at)
        prometheus.Client(server.url, 5.0, auth=('nova-lb', 'pw')).query(
            'max by (resource) (no_such_metric)', self.at)
        self.assertEqual('Bearer s3cret',
                         server.headers[0]['Authorization'])
        self.assertEqual('Basic bm92YS1sYjpwdw==',
                         server.headers[1]['Authorization'])


class AttachTest(testtools.TestCase):
    """[metrics] options to a snapshot's metrics block, with fallback."""

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        lb_conf.register_opts(self.conf)
        self.useFixture(config_fixture.Config(self.conf))
        self.conf([])
        self.recorded = replay.recorded()
        for key, value in self.recorded['params'].items():
            self.conf.set_override(key, value, 'metrics')
        self.document = {'compute': {'servers': {'servers': [
            {'id': BUSY}, {'id': IDLE}]}}}

    def test_not_configured(self):
        self.assertIsNone(metrics_settings.for_run(self.conf))
        self.conf.set_override('balance', 'measured', 'solver')
        e = self.assertRaises(exception.InvalidConfig,
                              metrics_settings.for_run,
                              self.conf)
        self.assertIn('prometheus_url', str(e))

    def test_attach_fills_the_block(self):
        server = self.useFixture(replay.Replay())
        self.conf.set_override('prometheus_url', server.url, 'metrics')
        settings = metrics_settings.for_run(self.conf)
        self.assertIsNone(reader.attach(self.document, settings,
                                        self.recorded['at']))
        self.assertEqual({BUSY, IDLE},
                         set(self.document['metrics']['servers']))

    def test_failure_stops_unless_fallback_configured(self):
        self.conf.set_override('prometheus_url', 'http://127.0.0.1:9',
                               'metrics')
        self.assertRaises(exception.MetricsUnavailable, reader.attach,
                          self.document, metrics_settings.for_run(self.conf))
        self.conf.set_override('on_failure', 'allocations', 'metrics')
        note = reader.attach(self.document,
                             metrics_settings.for_run(self.conf))
        self.assertIn('Prometheus query', note)
        self.assertNotIn('metrics', self.document)

    def test_conflicting_authentication_is_bad_config(self):
        self.conf.set_override('prometheus_url', 'http://127.0.0.1:9',
                               'metrics')
        self.conf.set_override('username', 'u', 'metrics')
        self.conf.set_override('bearer_token', 't', 'metrics')
        e = self.assertRaises(exception.InvalidConfig, metrics_settings.load,
                              self.conf)
        self.assertIn('bearer_token', str(e))

    def test_templates_survive_the_config_file(self):
        # oslo.config reads "$name" in a value as another option: the
        # placeholders are %(name)s so that a template reads as written.
        path = self.useFixture(fixtures.TempDir()).join('nova-lb.conf')
        with open(path, 'w') as f:
            f.write('[metrics]\nprometheus_url = http://127.0.0.1:9\n'
                    'source = libvirt\ncpu_query = sum by (%(server_label)s) '
                    '(rate(my_cpu_seconds[%(rate_interval)s])) %% 7\n')
        self.conf(['--config-file', path])
        queries_ = metrics_settings.load(self.conf).queries
        self.assertEqual('sum by (uuid) (rate(my_cpu_seconds[5s])) % 7',
                         queries_.instant('cpu'))
