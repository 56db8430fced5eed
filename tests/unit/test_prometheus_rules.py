"""The shipped alert rules pass Debian's ``promtool``: syntax and behaviour.

``promtool check rules`` validates etc/prometheus/nova-lb-rules.yml;
``promtool test rules`` evaluates it on the series of
tests/unit/prometheus/nova-lb-rules-test.yml and checks that each alert
fires when it should, with its annotations, and not before.
"""

import os
import shutil
import subprocess

import testtools

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
RULES = os.path.join(ROOT, 'etc', 'prometheus', 'nova-lb-rules.yml')
CASES = os.path.join(ROOT, 'tests', 'unit', 'prometheus',
                     'nova-lb-rules-test.yml')


class PromtoolTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        if shutil.which('promtool') is None:
            self.fail('promtool is not installed: run tools/bootstrap as '
                      'root, or apt-get install prometheus')

    def promtool(self, *args, cwd=ROOT):
        result = subprocess.run(['promtool'] + list(args), cwd=cwd,
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(0, result.returncode,
                         result.stdout + result.stderr)
        return result.stdout + result.stderr

    def test_check_rules(self):
        self.assertIn('SUCCESS: 5 rules found',
                      self.promtool('check', 'rules', RULES))

    def test_alerts_fire_as_intended(self):
        self.assertIn('SUCCESS', self.promtool(
            'test', 'rules', os.path.basename(CASES),
            cwd=os.path.dirname(CASES)))
