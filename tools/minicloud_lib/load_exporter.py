"""A Prometheus exporter of synthetic per-server load for fake computes.

Each minicloud compute serves ``/metrics`` on its own loopback port with
the metric names and labels nova-lb's default queries read, for both
sources: Ceilometer's (``ceilometer_cpu`` in ns of CPU time,
``ceilometer_memory_usage`` in MiB, UUID in ``resource``) and Debian's
prometheus-libvirt-exporter (``libvirt_domain_info_cpu_time_seconds_total``,
``libvirt_domain_info_memory_usage_bytes``, UUID in ``uuid``). A server's
load comes from its metadata at boot (``minicloud_cpu_cores``,
``minicloud_memory_mb``), so a test can make one host hot while
allocations stay even; ``minicloud_unmeasured`` keeps a server out of the
answer, as a guest whose exporter lost it.

CPU time is a counter that grows at the server's load since it started on
this host, as a real hypervisor's would; a server that moves starts a new
series on its new host.
"""

import http.server
import threading
import time

CPU_KEY = 'minicloud_cpu_cores'
MEMORY_KEY = 'minicloud_memory_mb'
UNMEASURED_KEY = 'minicloud_unmeasured'


def load_of(metadata, vcpus, memory_mb):
    """``(cpu_cores, memory_mb, measured)`` of a server from its metadata.

    Without metadata a server idles at a tenth of its vCPUs and uses half
    its memory.
    """
    metadata = metadata or {}
    try:
        cpu = float(metadata.get(CPU_KEY, 0.1 * vcpus))
        memory = float(metadata.get(MEMORY_KEY, memory_mb / 2.0))
    except ValueError:
        cpu, memory = 0.1 * vcpus, memory_mb / 2.0
    return cpu, memory, UNMEASURED_KEY not in metadata


def render(guests, now):
    """The exposition text for ``guests``: ``{uuid: (name, cpu, mem,
    measured, since)}``."""
    lines = []

    def family(name, kind, help_text, value_of, labels_of):
        lines.append('# HELP %s %s' % (name, help_text))
        lines.append('# TYPE %s %s' % (name, kind))
        for uuid, guest in sorted(guests.items()):
            if guest[3]:
                lines.append('%s{%s} %r' % (name, labels_of(uuid, guest),
                                            float(value_of(guest))))

    def ceilometer(uuid, guest):
        return 'resource="%s",type="instance"' % uuid

    def libvirt(uuid, guest):
        return 'domain="%s",uuid="%s"' % (guest[0], uuid)

    family('ceilometer_cpu', 'counter', 'CPU time used (ns).',
           lambda g: g[1] * (now - g[4]) * 1e9, ceilometer)
    family('ceilometer_memory_usage', 'gauge', 'Memory used (MiB).',
           lambda g: g[2], ceilometer)
    family('libvirt_domain_info_cpu_time_seconds_total', 'counter',
           'CPU time used (s).', lambda g: g[1] * (now - g[4]), libvirt)
    family('libvirt_domain_info_memory_usage_bytes', 'gauge',
           'Memory used (bytes).', lambda g: g[2] * 1048576, libvirt)
    return '\n'.join(lines) + '\n'


def serve(port, guests):
    """Serve ``render(guests())`` on 127.0.0.1:``port`` from a thread."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.split('?')[0] != '/metrics':
                self.send_error(404)
                return
            body = render(guests(), time.time()).encode()
            self.send_response(200)
            self.send_header('Content-Type',
                             'text/plain; version=0.0.4; charset=utf-8')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the scraper hung up (Prometheus stopping)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True,
                     name='minicloud-load-exporter').start()
    return server
