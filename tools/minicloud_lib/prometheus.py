"""Debian's Prometheus on loopback, for tests that need a real one.

A test gives the scrape configurations (and alert or recording rule files)
it needs; :func:`start` writes them into a private directory, starts
``/usr/bin/prometheus`` bound to 127.0.0.1 with its own TSDB there, and
returns once ``/-/ready`` answers. The handle stops it (process group,
like every minicloud service) and queries it through the HTTP API, the way
a dashboard or an admin's script would.

    prom = prometheus.start(workdir, [{'job_name': 'x',
                                       'static_configs': [{'targets': [...]}]}])
    try:
        prometheus.query(prom.url, 'up')
    finally:
        prom.stop()
"""

import http.server
import json
import os
import shutil
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

from minicloud_lib import debian
from minicloud_lib import layout as L
from minicloud_lib import services

PACKAGE = 'prometheus'
BINARY = '/usr/bin/prometheus'


class PrometheusError(Exception):
    pass


def install():
    """Debian's ``prometheus`` (with ``promtool``) unless already there."""
    if debian.missing(['prometheus', 'promtool']):
        debian.apt_install([PACKAGE])


class Prometheus(object):
    """A running Prometheus: its URL, files and how to stop it."""

    def __init__(self, workdir, port):
        self.layout = L.Layout(workdir)
        self.port = port
        self.url = 'http://%s:%d' % (L.HOST, port)
        self.config = self.layout.path('prometheus.yml')
        self.service = services.Service(
            'prometheus',
            [BINARY, '--config.file=' + self.config,
             '--storage.tsdb.path=' + self.layout.path('data'),
             '--web.listen-address=%s:%d' % (L.HOST, port),
             # No consoles: Debian's defaults point at files that a test
             # does not need.
             '--web.console.templates=', '--web.console.libraries=',
             '--web.enable-lifecycle'],
            port=port)

    @property
    def pid(self):
        return self.service.pid(self.layout)

    def stop(self):
        self.service.stop(self.layout)

    def reload(self):
        """Re-read the configuration and rule files (``/-/reload``)."""
        _request(self.url + '/-/reload', data=b'')

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def serve_file(path):
    """A scrape target for tests: an HTTP server on loopback (a port the
    kernel picks) answering every GET with the file ``path``, read anew
    each time. Stop it with ``shutdown()`` and ``server_close()``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with open(path, 'rb') as f:
                body = f.read()
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain; version=0.0.4')
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass

    server = http.server.ThreadingHTTPServer((L.HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def free_port():
    """A loopback port nobody uses (the kernel's ephemeral range, away from
    the minicloud's fixed ports), for a Prometheus beside a minicloud."""
    with socket.socket() as s:
        s.bind((L.HOST, 0))
        return s.getsockname()[1]


def write_config(path, scrape_configs, rule_files=(), scrape_interval='1s',
                 evaluation_interval='1s'):
    config = {
        'global': {'scrape_interval': scrape_interval,
                   'evaluation_interval': evaluation_interval},
        'rule_files': [os.path.abspath(f) for f in rule_files],
        'scrape_configs': list(scrape_configs),
    }
    with open(path, 'w') as f:
        yaml.safe_dump(config, f, default_flow_style=False)


def start(workdir, scrape_configs, rule_files=(), port=L.PORTS['prometheus'],
          scrape_interval='1s', evaluation_interval='1s', timeout=30):
    """Start Prometheus in ``workdir`` (wiped TSDB) and wait until ready.

    :param scrape_configs: entries of Prometheus' ``scrape_configs`` list.
    :param rule_files: paths of rule files to load.
    :raises PrometheusError: the port is taken, or it is not ready in time
        (the message ends with its log's last line).
    """
    if services.port_open(L.HOST, port):
        raise PrometheusError('port %d on %s is in use' % (port, L.HOST))
    prom = Prometheus(workdir, port)
    os.makedirs(prom.layout.workdir, exist_ok=True)
    data = prom.layout.path('data')
    shutil.rmtree(data, ignore_errors=True)
    write_config(prom.config, scrape_configs, rule_files, scrape_interval,
                 evaluation_interval)
    prom.service.start(prom.layout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if prom.pid is None:
            break
        try:
            _request(prom.url + '/-/ready')
            return prom
        except (OSError, PrometheusError):
            time.sleep(0.2)
    prom.stop()
    raise PrometheusError('prometheus did not become ready: %s' %
                          _last_line(prom.layout.log('prometheus')))


def query(url, promql, timeout=10):
    """The ``result`` list of an instant query (``/api/v1/query``)."""
    return api(url, '/api/v1/query', {'query': promql}, timeout)['result']


def api(url, path, params=None, timeout=10):
    """``data`` of a Prometheus HTTP API answer; raises on ``error``."""
    target = url + path
    if params:
        target += '?' + urllib.parse.urlencode(params)
    body = json.loads(_request(target, timeout=timeout))
    if body.get('status') != 'success':
        raise PrometheusError('%s: %s' % (path, body.get('error')))
    return body['data']


def wait_for(url, promql, predicate=bool, timeout=30, interval=0.5):
    """Query until ``predicate(result)`` holds; the result, or raises."""
    deadline = time.monotonic() + timeout
    result = None
    while time.monotonic() < deadline:
        result = query(url, promql)
        if predicate(result):
            return result
        time.sleep(interval)
    raise PrometheusError('%s: not as expected after %ss: %r' %
                          (promql, timeout, result))


def _request(url, data=None, timeout=10):
    try:
        with urllib.request.urlopen(url, data=data, timeout=timeout) as resp:
            return resp.read()
    except urllib.error.HTTPError as e:
        raise PrometheusError('%s: HTTP %s %s' % (url, e.code,
                                                  e.read()[:200]))


def _last_line(path):
    try:
        with open(path) as f:
            lines = f.read().strip().splitlines()
    except FileNotFoundError:
        return '(no log)'
    return lines[-1] if lines else '(empty log)'
