"""tools/minicloud_lib/prometheus.py starts Debian's real Prometheus.

The tests of measured load and of the dashboard rely on it: a scrape of a
loopback target must reach the TSDB and answer a query, and stopping must
leave nothing listening.
"""

import os
import shutil
import socket
import sys
import tempfile

import testtools

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))

from minicloud_lib import prometheus  # noqa: E402
from minicloud_lib import services  # noqa: E402

METRICS = b'# TYPE minicloud_probe gauge\nminicloud_probe{host="h1"} 42\n'


class PrometheusTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        if shutil.which('prometheus') is None:
            self.fail('prometheus is not installed: run tools/bootstrap as '
                      'root, or apt-get install prometheus')
        self.workdir = tempfile.mkdtemp(prefix='nova-lb-prom-')
        self.addCleanup(shutil.rmtree, self.workdir, True)
        metrics = os.path.join(self.workdir, 'metrics.prom')
        with open(metrics, 'wb') as f:
            f.write(METRICS)
        target = prometheus.serve_file(metrics)
        self.addCleanup(target.server_close)
        self.addCleanup(target.shutdown)
        self.target = '127.0.0.1:%d' % target.server_address[1]

    def test_scrapes_a_loopback_target_and_stops_clean(self):
        port = prometheus.free_port()
        prom = prometheus.start(
            self.workdir, [{'job_name': 'probe',
                            'static_configs': [{'targets': [self.target]}]}],
            port=port)
        self.addCleanup(prom.stop)
        result = prometheus.wait_for(prom.url, 'minicloud_probe')
        self.assertEqual('42', result[0]['value'][1])
        self.assertEqual('h1', result[0]['metric']['host'])
        prom.stop()
        self.assertIsNone(prom.pid)
        self.assertFalse(services.port_open('127.0.0.1', port))

    def test_a_taken_port_is_refused_in_one_line(self):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            s.listen()
            port = s.getsockname()[1]
            e = self.assertRaises(prometheus.PrometheusError,
                                  prometheus.start, self.workdir, [],
                                  port=port)
        self.assertIn('port %d' % port, str(e))
