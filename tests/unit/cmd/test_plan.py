"""``nova-lb plan`` in-process: output formats and exit codes."""

import contextlib
import io
import json

import fixtures
import testtools

from nova_lb.cmd import nova_lb
from nova_lb.planner import checker
from nova_lb import scenario


class PlanCommandTest(testtools.TestCase):

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
            code = nova_lb.main(['--config-file', self.conf] + list(argv))
        return code, out.getvalue(), err.getvalue()

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
