import json
import os

import fixtures
import testtools

from nova_lb import exception
from nova_lb.rebalancer import state


class StateTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                'sub', 'state')
        self.state = state.State(self.dir)

    def test_directory_created(self):
        self.assertTrue(os.path.isdir(self.dir))

    def test_unwritable_directory_is_one_line(self):
        e = self.assertRaises(exception.InvalidConfig, state.State,
                              '/proc/nova-lb-state')
        self.assertIn('[rebalancer] state_dir /proc/nova-lb-state', str(e))

    def test_cooldown_remembers_recent_moves_only(self):
        self.state.record_move('a', now=1000.0, cooldown=100)
        self.state.record_move('b', now=1050.0, cooldown=100)
        self.assertEqual({'a': 1000.0, 'b': 1050.0},
                         self.state.recently_moved(1099.0, 100))
        self.assertEqual({'b': 1050.0},
                         self.state.recently_moved(1100.0, 100))
        # Expired moves are forgotten when the next one is recorded.
        self.state.record_move('c', now=1200.0, cooldown=100)
        with open(self.state.path(state.MOVED)) as f:
            self.assertEqual({'c': 1200.0}, json.load(f))

    def test_zero_cooldown_spares_nobody(self):
        self.state.record_move('a', now=1000.0, cooldown=0)
        self.assertEqual({}, self.state.recently_moved(1000.0, 0))

    def test_write_replaces_atomically_and_leaves_no_temporary(self):
        self.state.write(state.PLAN, {'migrations': [1]})
        self.state.write(state.PLAN, {'migrations': []})
        self.assertEqual({'migrations': []}, self.state.read(state.PLAN))
        self.assertEqual(['plan.json'], os.listdir(self.dir))

    def test_missing_file_reads_none_and_garbage_one_line(self):
        self.assertIsNone(self.state.read(state.LAST_RUN))
        with open(self.state.path(state.LAST_RUN), 'w') as f:
            f.write('{not json')
        e = self.assertRaises(exception.NovaLBError, self.state.read,
                              state.LAST_RUN)
        self.assertIn('last-run.json: unreadable', str(e))

    def test_moved_file_of_the_wrong_shape_is_one_line(self):
        for wrong in (['a', 'b'], {'a': 'yesterday'}, {'a': True}):
            self.state.write(state.MOVED, wrong)
            e = self.assertRaises(exception.NovaLBError,
                                  self.state.recently_moved, 1000.0, 600)
            self.assertIn('moved.json: not a {"server uuid": epoch '
                          'seconds} object', str(e))
