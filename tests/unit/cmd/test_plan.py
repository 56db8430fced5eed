"""``nova-lb plan`` in-process: output formats and exit codes."""

import contextlib
import io
import json
import sys
from unittest import mock

import fixtures
import testtools

from nova_lb.cmd import admin
from nova_lb.planner import checker
from nova_lb import scenario


class CommandTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir())
        self.document = scenario.generate(20, 300, seed=4)
        self.snapshot = self.dir.join('snap.json')
        with open(self.snapshot, 'w') as f:
            json.dump(self.document, f)
        conf = self.dir.join('nova-lb.conf')
        with open(conf, 'w') as f:
            f.write('[solver]\ntime_limit = 2\n')
        self.conf = conf

    def main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = admin.main(['--config-file', self.conf] + list(argv))
        return code, out.getvalue(), err.getvalue()


class PlanCommandTest(CommandTestCase):

    def test_json_plan_is_valid_and_balances(self):
        code, out, _ = self.main('plan', '--snapshot', self.snapshot,
                                 '--format', 'json')
        self.assertEqual(0, code)
        plan = json.loads(out)
        self.assertEqual('nova-lb-plan/1', plan['format'])
        self.assertEqual([], checker.check(self.document, plan))
        self.assertTrue(plan['migrations'])
        self.assertLess(plan['after']['MEMORY_MB']['peak'],
                        plan['before']['MEMORY_MB']['peak'])
        self.assertGreaterEqual(plan['solver']['gap'], 0.0)

    def test_table_shows_utilisation_waves_gap_and_reasons(self):
        out_file = self.dir.join('plan.txt')
        code, out, _ = self.main('plan', '--snapshot', self.snapshot,
                                 '--output', out_file)
        self.assertEqual(0, code)
        with open(out_file) as f:
            text = f.read()
        self.assertIn('MEMORY_MB', text)
        self.assertIn('wave 0:', text)
        self.assertIn('gap', text)
        self.assertIn('servers left alone, by reason:', text)

    def test_bad_snapshot_is_exit_2(self):
        bad = self.dir.join('bad.json')
        with open(bad, 'w') as f:
            f.write('{"format": "nova-lb-snapshot/1"}')
        code, out, err = self.main('plan', '--snapshot', bad)
        self.assertEqual(2, code)
        self.assertEqual('', out)
        self.assertEqual(1, len(err.strip().splitlines()))
        self.assertIn('bad.json', err)

    def test_missing_snapshot_file_is_exit_2(self):
        code, _, err = self.main('plan', '--snapshot',
                                 self.dir.join('none.json'))
        self.assertEqual(2, code)
        self.assertIn('cannot read', err)


class FrontierCommandTest(CommandTestCase):
    """``nova-lb plan --frontier``: every point a valid plan."""

    def setUp(self):
        super().setUp()
        with open(self.conf, 'w') as f:
            f.write('[solver]\ntime_limit = 1\n')

    def test_frontier_json_is_monotone_and_within_budgets(self):
        code, out, _ = self.main('plan', '--snapshot', self.snapshot,
                                 '--frontier', '--format', 'json')
        self.assertEqual(0, code)
        points = json.loads(out)['frontier']
        self.assertEqual(0, points[0]['budget'])
        self.assertEqual(0, points[0]['migrations'])
        self.assertIsNone(points[-1]['budget'])
        self.assertGreater(len(points), 2)
        for before, after in zip(points, points[1:]):
            self.assertLessEqual(after['peak'], before['peak'] + 1e-9)
        for p in points[1:-1]:
            self.assertLessEqual(p['migrations'], p['budget'])
            self.assertGreaterEqual(p['peak'], points[-1]['bound'] - 1e-9)
        self.assertLess(points[-1]['peak'], points[0]['peak'])

    def test_frontier_chart_is_a_png(self):
        chart = self.dir.join('frontier.png')
        code, out, _ = self.main('plan', '--snapshot', self.snapshot,
                                 '--frontier', '--chart', chart)
        self.assertEqual(0, code)
        self.assertIn('unlimited', out)
        self.assertIn('proven bound', out)
        with open(chart, 'rb') as f:
            self.assertEqual(b'\x89PNG', f.read(4))

    def test_chart_without_matplotlib_is_exit_2_before_planning(self):
        # The one faked call: importing matplotlib fails.
        patch = mock.patch.dict(sys.modules, {'matplotlib': None})
        patch.start()
        self.addCleanup(patch.stop)
        code, out, err = self.main('plan', '--snapshot', self.snapshot,
                                   '--frontier', '--chart',
                                   self.dir.join('f.png'))
        self.assertEqual(2, code)
        self.assertEqual('', out)
        self.assertEqual(1, len(err.strip().splitlines()))
        self.assertIn('matplotlib', err)

    def test_chart_needs_frontier(self):
        code, _, err = self.main('plan', '--snapshot', self.snapshot,
                                 '--chart', self.dir.join('f.png'))
        self.assertEqual(2, code)
        self.assertIn('--frontier', err)
