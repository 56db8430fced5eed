"""The collector's failures are one line that names what failed."""

import types

import fixtures
import requests
import testtools

from nova_lb import exception
from nova_lb.model import collector

CLOUDS_YAML = """
clouds:
  down:
    auth:
      # Nothing listens on the discard port: the identity call is refused.
      auth_url: http://127.0.0.1:9/v3
      username: admin
      password: secret
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
"""


class ConnectTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        path = self.useFixture(fixtures.TempDir()).join('clouds.yaml')
        with open(path, 'w') as f:
            f.write(CLOUDS_YAML)
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', path))
        for name in ('OS_CLOUD', 'OS_AUTH_URL', 'OS_AUTH_TYPE', 'OS_TOKEN'):
            self.useFixture(fixtures.EnvironmentVariable(name))

    def test_unknown_cloud_is_one_line(self):
        e = self.assertRaises(exception.CloudError, collector.connect,
                              'nowhere')
        self.assertEqual(
            "cannot connect to cloud 'nowhere': Cloud nowhere was not found.",
            str(e))

    def test_unreachable_identity_is_one_line(self):
        e = self.assertRaises(exception.CloudError, collector.connect,
                              'down')
        self.assertTrue(str(e).startswith("cannot connect to cloud 'down': "))
        self.assertIn('127.0.0.1:9', str(e))
        self.assertNotIn('\n', str(e))
        self.assertEqual(exception.EXIT_ERROR, e.exit_code)


class FailingCallTest(testtools.TestCase):
    """The first call of a snapshot (the servers list) fails."""

    def _collect(self, status, reason):
        def get(path, **kwargs):
            response = requests.Response()
            response.status_code, response.reason = status, reason
            return response

        conn = types.SimpleNamespace(
            compute=types.SimpleNamespace(get=get), placement=None)
        return self.assertRaises(exception.CloudError, collector.collect,
                                 conn)

    def test_error_status_names_call_and_status(self):
        e = self._collect(503, 'Service Unavailable')
        self.assertEqual(
            'GET /servers/detail failed: 503 Service Unavailable', str(e))

    def test_status_without_reason_gets_its_phrase(self):
        e = self._collect(500, '')
        self.assertEqual(
            'GET /servers/detail failed: 500 Internal Server Error', str(e))
