"""Every file nova-lb writes is whole or untouched, and on disk."""

import os
import stat

import fixtures
import testtools

from nova_lb import atomicfile
from nova_lb import exception
from nova_lb.rebalancer import metrics
from nova_lb.rebalancer import state as state_mod


class WriteTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.path = self.useFixture(fixtures.TempDir()).join('f.json')
        self.dir = os.path.dirname(self.path)

    def test_replaces_whole_readable_by_all(self):
        # Even an old file only its owner could read: the new one is the
        # rebalancer's state or a plan, for admins and exporters to read.
        atomicfile.write(self.path, 'old')
        os.chmod(self.path, 0o600)
        atomicfile.write(self.path, 'new')
        with open(self.path) as f:
            self.assertEqual('new', f.read())
        self.assertEqual(0o644, stat.S_IMODE(os.stat(self.path).st_mode))
        self.assertEqual(['f.json'], os.listdir(self.dir))

    def test_data_is_synced_before_the_rename(self):
        calls = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd):
            calls.append('fsync')
            real_fsync(fd)

        def replace(src, dst):
            calls.append('replace')
            real_replace(src, dst)

        self.useFixture(fixtures.MonkeyPatch('os.fsync', fsync))
        self.useFixture(fixtures.MonkeyPatch('os.replace', replace))
        atomicfile.write(self.path, 'x')
        self.assertEqual(['fsync', 'replace'], calls)

    def test_failed_rename_keeps_target_and_leaves_no_temporary(self):
        os.mkdir(self.path)
        e = self.assertRaises(exception.NovaLBError, atomicfile.write,
                              self.path, 'x')
        self.assertEqual('cannot write %s: Is a directory' % self.path,
                         str(e))
        self.assertEqual(['f.json'], os.listdir(self.dir))
        self.assertTrue(os.path.isdir(self.path))

    def test_missing_directory_is_one_line(self):
        path = os.path.join(self.dir, 'missing', 'f.json')
        e = self.assertRaises(exception.NovaLBError, atomicfile.write,
                              path, 'x')
        self.assertEqual('cannot write %s: No such file or directory' % path,
                         str(e))

    def test_state_and_metrics_files_go_through_it(self):
        # The rebalancer's files fail the same way: one line, not a
        # traceback (the metrics file used to raise OSError).
        os.mkdir(os.path.join(self.dir, 'nova-lb.prom'))
        e = self.assertRaises(exception.NovaLBError, metrics.write,
                              os.path.join(self.dir, 'nova-lb.prom'),
                              {'kind': 'rebalance'})
        self.assertIn('nova-lb.prom: Is a directory', str(e))
        os.mkdir(os.path.join(self.dir, state_mod.PLAN))
        e = self.assertRaises(exception.NovaLBError,
                              state_mod.State(self.dir).write,
                              state_mod.PLAN, {})
        self.assertIn('plan.json: Is a directory', str(e))
