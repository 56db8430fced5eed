"""The cloud client's failures are one line that names what failed, and no
endpoint can hang a run: each test here talks to a real socket on
loopback that misbehaves one way, or fakes one API call."""

import http.server
import socket
import threading
import time
import types

import fixtures
import requests
import testtools

from nova_lb import exception
from nova_lb.cloud import client
from nova_lb.cloud import retry
from nova_lb.cloud import collector

CLOUDS_YAML = """
clouds:
  down:
    auth:
      auth_url: http://127.0.0.1:%d/v3
      username: admin
      password: secret
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
"""

#: [executor]'s API options, short enough for a unit test.
SETTINGS = types.SimpleNamespace(api_retries=1, api_retry_delay=0.05,
                                 api_connect_timeout=1.0,
                                 api_read_timeout=1.0)


class Answering401(http.server.BaseHTTPRequestHandler):
    """An identity service that wants a token for everything, even its
    version document (``GET /v3``)."""

    def do_GET(self):
        self.send_response(401)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'{}')

    do_POST = do_GET

    def log_message(self, *args):
        pass


class ConnectTest(testtools.TestCase):

    def use_port(self, port):
        path = self.useFixture(fixtures.TempDir()).join('clouds.yaml')
        with open(path, 'w') as f:
            f.write(CLOUDS_YAML % port)
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', path))
        for name in ('OS_CLOUD', 'OS_AUTH_URL', 'OS_AUTH_TYPE', 'OS_TOKEN'):
            self.useFixture(fixtures.EnvironmentVariable(name))

    def connect(self, error=exception.CloudError):
        started = time.monotonic()
        e = self.assertRaises(error, client.connect, 'down', SETTINGS)
        self.assertNotIn('\n', str(e))
        self.assertEqual(exception.EXIT_ERROR, e.exit_code)
        return e, time.monotonic() - started

    def test_unknown_cloud_is_one_line(self):
        self.use_port(9)
        e = self.assertRaises(exception.CloudError, client.connect,
                              'nowhere', SETTINGS)
        self.assertEqual(
            "cannot connect to cloud 'nowhere': Cloud nowhere was not found.",
            str(e))

    def test_unreachable_identity_retried_then_one_line(self):
        # Nothing listens on the discard port: every try is refused.
        self.use_port(9)
        e, _ = self.connect(exception.CloudUnavailable)
        self.assertTrue(str(e).startswith(
            "authenticate to cloud 'down' failed 2 times, last: "), e)
        self.assertIn('127.0.0.1:9', str(e))

    def test_identity_that_never_answers_times_out(self):
        listener = socket.socket()
        self.addCleanup(listener.close)
        listener.bind(('127.0.0.1', 0))
        listener.listen(8)   # the kernel accepts; nobody ever answers
        self.use_port(listener.getsockname()[1])
        e, took = self.connect(exception.CloudUnavailable)
        self.assertIn('timed out', str(e))
        # Two tries of one read timeout each (discovery, then the token
        # request), a short wait between: never a hang.
        self.assertLess(took, 10)

    def test_identity_answering_401_to_its_version_document(self):
        # keystoneauth deadlocks on its own lock here without the guard.
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                 Answering401)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.use_port(server.server_address[1])
        e, took = self.connect()
        self.assertTrue(str(e).startswith("cannot connect to cloud 'down': "))
        self.assertIn('401', str(e))
        self.assertLess(took, 5)


class FailingCallTest(testtools.TestCase):
    """The first call of a snapshot (the servers list) fails."""

    def _collect(self, status, reason, error=exception.CloudError):
        calls = []

        def get(path, **kwargs):
            calls.append(path)
            response = requests.Response()
            response.status_code, response.reason = status, reason
            response.url = 'http://nova' + path
            return response

        conn = types.SimpleNamespace(
            compute=types.SimpleNamespace(get=get), placement=None)
        e = self.assertRaises(error, collector.collect, client.Client(
            conn, retry.Retrier(2, 0.0, sleep=lambda wait: None)))
        return e, len(calls)

    def test_client_error_names_call_and_status_not_retried(self):
        e, calls = self._collect(403, 'Forbidden')
        self.assertEqual(
            'compute GET /servers/detail failed: 403 Forbidden', str(e))
        self.assertEqual(1, calls)

    def test_status_without_reason_gets_its_phrase(self):
        e, _ = self._collect(409, '')
        self.assertEqual(
            'compute GET /servers/detail failed: 409 Conflict', str(e))

    def test_server_error_retried_then_one_line(self):
        e, calls = self._collect(503, 'Service Unavailable',
                                 exception.CloudUnavailable)
        self.assertEqual(3, calls)
        self.assertTrue(str(e).startswith(
            'compute GET /servers/detail failed 3 times, last: '), e)
        self.assertNotIn('\n', str(e))
