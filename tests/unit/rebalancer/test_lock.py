"""One rebalancing at a time: real fcntl locks and a real tooz backend."""

import subprocess
import sys
from unittest import mock

import fixtures
import testtools

from nova_lb import exception
from nova_lb.rebalancer import lock


class FileLockTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.path = self.useFixture(fixtures.TempDir()).join('x.lock')

    def test_second_holder_refused_with_the_first_named(self):
        with lock.FileLock(self.path):
            e = self.assertRaises(exception.RebalancerBusy,
                                  lock.FileLock(self.path).__enter__)
        self.assertIn('another rebalancer is running (pid ', str(e))
        self.assertIn(self.path, str(e))

    def test_released_lock_can_be_taken_again(self):
        with lock.FileLock(self.path):
            pass
        with lock.FileLock(self.path):
            pass

    def test_other_process_is_refused(self):
        code = ('import sys; from nova_lb.rebalancer import lock\n'
                'from nova_lb import exception\n'
                'try:\n'
                '    lock.FileLock(sys.argv[1]).__enter__()\n'
                'except exception.RebalancerBusy as e:\n'
                '    print(e); sys.exit(3)\n')
        with lock.FileLock(self.path):
            proc = subprocess.run([sys.executable, '-c', code, self.path],
                                  capture_output=True, text=True)
        self.assertEqual(3, proc.returncode, proc.stderr)
        self.assertIn('another rebalancer is running', proc.stdout)

    def test_dead_holder_leaves_no_stale_lock(self):
        code = ('import os, sys; from nova_lb.rebalancer import lock\n'
                'lock.FileLock(sys.argv[1]).__enter__(); os._exit(9)\n')
        proc = subprocess.run([sys.executable, '-c', code, self.path])
        self.assertEqual(9, proc.returncode)
        with lock.FileLock(self.path):
            pass


class ToozLockTest(testtools.TestCase):

    def test_file_backend_excludes_second_member(self):
        url = 'file://' + self.useFixture(fixtures.TempDir()).path
        with lock.ToozLock(url):
            self.assertRaises(exception.RebalancerBusy,
                              lock.ToozLock(url).__enter__)
        with lock.ToozLock(url):
            pass

    def test_missing_tooz_is_one_clear_line(self):
        with mock.patch.dict(sys.modules, {'tooz': None}):
            e = self.assertRaises(exception.InvalidConfig, lock.ToozLock,
                                  'etcd3+http://controller:2379')
        self.assertEqual('[rebalancer] coordination_url is set but the tooz '
                         'package is not installed', str(e))

    def test_holder_confirms_it_holds_the_lock(self):
        url = 'file://' + self.useFixture(fixtures.TempDir()).path
        with lock.ToozLock(url) as held:
            self.assertTrue(held.held())

    def test_unreachable_etcd_is_one_line_and_a_failure(self):
        # Nothing listens on port 9; the etcd3gw driver is installed.
        e = self.assertRaises(
            exception.CloudError,
            lock.ToozLock('etcd3+http://127.0.0.1:9?timeout=2').__enter__)
        self.assertIn('coordination_url etcd3+http://127.0.0.1:9?timeout=2: '
                      'cannot connect: ', str(e))
        self.assertNotIn('\n', str(e))

    def test_unknown_backend_is_bad_input(self):
        e = self.assertRaises(exception.InvalidConfig, lock.ToozLock,
                              'nosuch://controller')
        self.assertIn('[rebalancer] coordination_url nosuch://controller',
                      str(e))
