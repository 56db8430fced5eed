"""``nova-lb-rebalancer`` on bad input: one line on stderr, non-zero exit.

Each test runs the installed console script as a subprocess, as systemd
would, so start-up, option parsing and logging are the real ones.
"""

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

import fixtures
import testtools

from nova_lb.rebalancer import lock

SCRIPT = shutil.which('nova-lb-rebalancer') or os.path.join(
    os.path.dirname(sys.executable), 'nova-lb-rebalancer')

#: An oslo.log line: date, time, pid, level.
LOG_LINE = re.compile(r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \d+ [A-Z]+ ')

CLOUDS_YAML = """
clouds:
  wrong:
    auth:
      auth_url: http://127.0.0.1:%(port)d/v3
      username: admin
      password: not-the-password
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    identity_api_version: 3
"""


class _Keystone401(http.server.BaseHTTPRequestHandler):
    """An identity endpoint that rejects the password.

    It answers version discovery as Keystone does (a client discovers
    before it authenticates) and every token request with 401.
    """

    def _send(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._send(200, {'version': {
            'id': 'v3.14', 'status': 'stable',
            'updated': '2020-04-07T00:00:00Z',
            'links': [{'rel': 'self', 'href': 'http://%s:%d/v3/'
                       % self.server.server_address}],
            'media-types': [{'base': 'application/json',
                             'type': 'application/vnd.openstack.identity-'
                                     'v3+json'}]}})

    def do_POST(self):
        self._send(401, {'error': {
            'code': 401, 'title': 'Unauthorized',
            'message': 'The request you have made requires '
                       'authentication.'}})

    def log_message(self, *args):
        pass


class CLITestCase(testtools.TestCase):
    """A private state directory, clouds.yaml and environment."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.state_dir = os.path.join(self.tmp, 'state')
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OS_')}
        self.env['OS_CLIENT_CONFIG_FILE'] = os.path.join(self.tmp,
                                                         'clouds.yaml')

    def _config(self, text):
        path = os.path.join(self.tmp, 'nova-lb.conf')
        with open(path, 'w') as f:
            f.write('[rebalancer]\nstate_dir = %s\n%s' % (self.state_dir,
                                                        text))
        return path


class RebalancerCLITest(CLITestCase):

    def _run(self, *args):
        proc = subprocess.run([SCRIPT] + list(args), capture_output=True,
                              text=True, env=self.env, timeout=120)
        # The run's summary is logged (on stderr, never on stdout) before
        # the error line.
        self.assertEqual('', proc.stdout)
        lines = [line for line in proc.stderr.splitlines()
                 if not LOG_LINE.match(line)]
        self.assertEqual(1, len(lines), proc.stderr)
        self.assertLessEqual(len(proc.stderr.splitlines()), 2, proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        self.assertNotEqual(0, proc.returncode)
        return proc.returncode, lines[0]

    def test_missing_config_file(self):
        code, line = self._run('--once', '--config-file',
                               os.path.join(self.tmp, 'absent.conf'))
        self.assertEqual(2, code)
        self.assertIn('absent.conf', line)

    def test_malformed_config_file(self):
        path = self._config('automation = sometimes\n[broken\n')
        code, line = self._run('--once', '--config-file', path)
        self.assertEqual(2, code)
        self.assertTrue(line.startswith('nova-lb-rebalancer: error: '), line)

    def test_bad_option_value(self):
        path = self._config('automation = sometimes\n')
        code, line = self._run('--once', '--config-file', path)
        self.assertEqual(2, code)
        self.assertIn('automation', line)

    def test_unknown_cloud(self):
        with open(self.env['OS_CLIENT_CONFIG_FILE'], 'w') as f:
            f.write(CLOUDS_YAML % {'port': 9})
        path = self._config('cloud = nowhere\n')
        code, line = self._run('--once', '--config-file', path)
        self.assertEqual(1, code)
        self.assertEqual("nova-lb-rebalancer: error: cannot connect to cloud "
                         "'nowhere': Cloud nowhere was not found.", line)

    def test_wrong_credentials(self):
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                 _Keystone401)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        with open(self.env['OS_CLIENT_CONFIG_FILE'], 'w') as f:
            f.write(CLOUDS_YAML % {'port': server.server_address[1]})
        path = self._config('cloud = wrong\n')
        code, line = self._run('--once', '--config-file', path)
        self.assertEqual(1, code)
        self.assertIn("cannot connect to cloud 'wrong'", line)

    def test_second_rebalancer_exits_with_a_clear_line(self):
        path = self._config('')
        os.makedirs(self.state_dir)
        with lock.FileLock(os.path.join(self.state_dir,
                                        lock.LOCK_NAME + '.lock')):
            code, line = self._run('--once', '--config-file', path)
        self.assertEqual(1, code)
        self.assertIn('another rebalancer is running (pid %d on '
                      % os.getpid(), line)

    def test_daemon_survives_failed_run_and_stops_on_sigterm(self):
        with open(self.env['OS_CLIENT_CONFIG_FILE'], 'w') as f:
            f.write(CLOUDS_YAML % {'port': 9})  # nothing listens there
        path = self._config('cloud = wrong\ninterval = 3600\n')
        out = os.path.join(self.tmp, 'out.log')
        with open(out, 'w') as log:
            proc = subprocess.Popen([SCRIPT, '--config-file', path],
                                    stdout=subprocess.PIPE, stderr=log,
                                    text=True, env=self.env)
        self.addCleanup(proc.kill)
        deadline = time.monotonic() + 60
        while 'Run failed' not in open(out).read():
            self.assertIsNone(proc.poll(), open(out).read())
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.2)

        proc.terminate()

        self.assertEqual(0, proc.wait(timeout=30))
        self.assertEqual('', proc.stdout.read())
        self.assertIn('INFO nova_lb.rebalancer.daemon [-] Stopped',
                      open(out).read())


class ApplyCLITest(CLITestCase):
    """``nova-lb apply`` refuses a bad plan file before touching the cloud."""

    def _apply(self, plan_text):
        plan = os.path.join(self.tmp, 'plan.json')
        if plan_text is not None:
            with open(plan, 'w') as f:
                f.write(plan_text)
        proc = subprocess.run(
            [os.path.join(os.path.dirname(SCRIPT), 'nova-lb'),
             '--config-file', self._config(''), 'apply', plan],
            capture_output=True, text=True, env=self.env, timeout=120)
        self.assertEqual(2, proc.returncode, proc.stderr)
        lines = proc.stderr.splitlines()
        self.assertEqual(1, len(lines), proc.stderr)
        return lines[0]

    def test_missing_plan_file(self):
        self.assertIn('plan.json: cannot read: No such file or directory',
                      self._apply(None))

    def test_not_json(self):
        self.assertIn('plan.json: ', self._apply('{"format": '))

    def test_not_a_plan(self):
        self.assertIn('not a nova-lb-plan/1 document',
                      self._apply('{"format": "nova-lb-snapshot/1"}'))
