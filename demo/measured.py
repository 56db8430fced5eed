"""``tools/demo --load measured``: a hotspot only measured load shows.

The servers are booted through nova-scheduler, so Placement sees an even
cloud; those on one host then run busy (90 % of their vCPUs), the others
idle (10 %): the host with the most vCPUs booted per physical core, which
busy servers make hottest. The load is served, per server, with the metric names
of Ceilometer's Prometheus output by the minicloud's load exporter, and
Debian's real Prometheus scrapes it every second on loopback; the daemon
reads it there with ``[solver] balance = measured``, as it would on a
cloud. The tables and the chart add each host's measured CPU (cores used
over its physical cores).
"""

import os
import socket
import sys
import time

from nova_lb import exception

from demo import usage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'tools'))
from minicloud_lib import load_exporter  # noqa: E402
from minicloud_lib import prometheus  # noqa: E402

#: The column the tables and the chart add.
CLASS = 'measured:VCPU'
BUSY, IDLE = 0.9, 0.1
#: A window short enough for a demo; a cloud keeps the hour default.
CONFIG = """
[metrics]
prometheus_url = %(url)s
window = 10
rate_interval = 3
step = 1
timeout = 5

[solver]
balance = measured
"""
#: Seconds of data the window needs before the daemon runs.
WARM_UP = 60


class NoPrometheus(exception.NovaLBError):
    """Debian's prometheus is not installed."""

    exit_code = exception.EXIT_BAD_INPUT


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Load(object):
    """Each server's CPU use, served to a real Prometheus."""

    def __init__(self, cloud, booted, hosts_of, workdir):
        if not os.access(prometheus.BINARY, os.X_OK):
            raise NoPrometheus(
                '--load measured needs Debian\'s prometheus: run '
                'tools/bootstrap as root, or apt-get install prometheus')
        vcpus = {h.name: 0 for h in cloud.hosts}
        for server, host in hosts_of.items():
            vcpus[host] += booted[server].vcpus
        sizes = {h.name: h.vcpus for h in cloud.hosts}
        hot = max(vcpus, key=lambda h: vcpus[h] / sizes[h])
        started = time.time()
        #: server id -> cores it uses
        self.cores = {s: b.vcpus * (BUSY if hosts_of[s] == hot else IDLE)
                      for s, b in booted.items()}
        guests = {s: (booted[s].name, cores, booted[s].memory_mb / 2.0,
                      True, started) for s, cores in self.cores.items()}
        port = _free_port()
        self._exporter = load_exporter.serve(port, lambda: guests)
        cloud.addCleanup(self._exporter.shutdown)
        self.prometheus = prometheus.start(
            workdir, [{'job_name': 'demo-load', 'static_configs': [
                {'targets': ['127.0.0.1:%d' % port]}]}],
            port=_free_port())
        cloud.addCleanup(self.prometheus.stop)
        self.hot = hot

    def config(self):
        return CONFIG % {'url': self.prometheus.url}

    def wait(self):
        """Until the window holds data of every server."""
        want = set(self.cores)
        prometheus.wait_for(
            self.prometheus.url, 'count_over_time((sum by (resource) '
            '(rate(ceilometer_cpu[3s])))[10s:1s]) >= 8',
            lambda r: want <= {x['metric']['resource'] for x in r},
            timeout=WARM_UP)

    def add_to(self, cloud, hosts, hosts_of):
        """``hosts`` (``[HostUsage]``) with the measured CPU column."""
        used = {h.name: 0.0 for h in cloud.hosts}
        for server, host in hosts_of.items():
            used[host] += self.cores.get(server, 0.0)
        sizes = {h.name: h.vcpus for h in cloud.hosts}
        return [usage.HostUsage(h.host, dict(h.used, **{CLASS: used[h.host]}),
                                dict(h.capacity, **{CLASS: sizes[h.host]}))
                for h in hosts]
