"""tools/demo, reduced: three hosts, a few servers, the same code path.

Runs what ``tools/demo`` runs (argument parsing, the in-process cloud, the
story, the exit code), so CI proves the README's demo keeps working.
"""

from demo import run as demo_run  # isort:skip  (patches eventlet first)

import io
import os
import struct

import fixtures
import testtools
from testtools import content

from demo import measured
from demo import usage

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


class DemoTest(testtools.TestCase):

    def demo(self, *args):
        """Run the demo on 3 hosts; ``(exit code, outcome, text, png)``."""
        png = os.path.join(self.useFixture(fixtures.TempDir()).path,
                           'demo.png')
        options = demo_run.parse(['--hosts', '3', '--servers', '8',
                                  '--seed', '1', '--output', png]
                                 + list(args))
        out = io.StringIO()
        outcome = demo_run.run(options, out)
        code = demo_run.exit_code(outcome, out)
        self.addDetail('demo output', content.text_content(
            out.getvalue()))
        return code, outcome, out.getvalue(), png

    def test_rebalances_the_skewed_cloud(self):
        code, outcome, text, png = self.demo()

        self.assertEqual(0, code)
        self.assertEqual([], outcome.violations)
        self.assertEqual(0, outcome.daemon.exit_code)
        # Real live migrations happened, as many as the daemon reports.
        self.assertTrue(outcome.moved)
        self.assertEqual(len(outcome.daemon.plan['migrations']),
                         outcome.daemon.summary['done'])
        self.assertGreaterEqual(outcome.daemon.summary['done'],
                                len(outcome.moved))
        # The busiest host is less busy in every resource class.
        before, after = usage.summary(outcome.before), usage.summary(
            outcome.after)
        planned = outcome.daemon.plan['after']
        for rc in usage.CLASSES:
            self.assertLess(after[rc]['peak'], before[rc]['peak'], rc)
            # ... and exactly as busy as the plan said it would be.
            self.assertAlmostEqual(planned[rc]['peak'], after[rc]['peak'],
                                   places=9, msg=rc)
        # The imbalance score fell, to what the plan said, and is shown.
        score = outcome.daemon.plan['imbalance']
        self.assertLess(usage.cloud_imbalance(after),
                        usage.cloud_imbalance(before))
        self.assertAlmostEqual(score['after'], usage.cloud_imbalance(after),
                               places=9)
        self.assertIn('Imbalance score of the cloud (0 balanced, 1 badly '
                      'unbalanced): %.2f -> %.2f' % (
                          usage.cloud_imbalance(before),
                          usage.cloud_imbalance(after)), text)
        self.assertIn('imbalance score of the cloud %.2f -> %.2f' % (
            score['before'], score['after']), text)
        # A real PNG with a before/after chart's size.
        with open(png, 'rb') as f:
            head = f.read(24)
        self.assertEqual(PNG_SIGNATURE, head[:8])
        self.assertEqual(b'IHDR', head[12:16])
        width, height = struct.unpack('>II', head[16:24])
        self.assertGreater(width, height)
        self.assertIn('After rebalancing', text)
        # The daemon's own log lines were picked out of the harness's.
        self.assertTrue(outcome.daemon.log)
        self.assertIn("nova-lb's log:", text)

    def test_manual_stops_at_the_plan(self):
        code, outcome, text, png = self.demo('--manual')

        self.assertEqual(0, code)
        self.assertEqual([], outcome.violations)
        # A plan was made and shown, and nothing moved.
        self.assertTrue(outcome.daemon.plan['migrations'])
        self.assertIn('wave 1:', text)
        self.assertEqual([], outcome.moved)
        self.assertEqual(outcome.before, outcome.after)
        self.assertFalse(os.path.exists(png))

    def test_measured_hotspot_is_removed(self):
        # Needs Debian's prometheus (tools/bootstrap installs it as root).
        code, outcome, text, png = self.demo('--load', 'measured')

        self.assertEqual(0, code)
        self.assertEqual([], outcome.violations)
        self.assertEqual('measured', outcome.daemon.plan['load']['balance'])
        self.assertTrue(outcome.moved)
        classes = usage.CLASSES + (measured.CLASS,)
        before = usage.summary(outcome.before, classes)
        after = usage.summary(outcome.after, classes)
        # Placement saw an even cloud; the measured peak is what fell.
        self.assertLess(after[measured.CLASS]['peak'],
                        before[measured.CLASS]['peak'] - 0.1)
        self.assertIn('measured:VCPU %', text)
        self.assertTrue(os.path.exists(png))
