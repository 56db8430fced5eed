"""Random mutations of a valid snapshot, plan and state, fed to commands.

Whatever a file holds, ``plan``, ``apply`` and ``status`` end with exit
code 0, 1 or 2, at most a few lines on stderr and never a traceback (an
exception escaping ``main`` fails the test with it); a plan that ``plan``
prints always passes the checker against the snapshot it came from; and
``apply`` refuses with exit 2 only before contacting the cloud. The
mutations are seeded, so a failure names its seed and replays exactly.
"""

import contextlib
import copy
import io
import json
import random
from unittest import mock

import fixtures
import testtools

from nova_lb.cmd import admin
from nova_lb import exception
from nova_lb.cloud import client
from nova_lb.model import snapshot
from nova_lb.planner import checker
from nova_lb.rebalancer import state as state_mod
from nova_lb import scenario

#: Mutations per command: enough to reach every kind of value in every
#: part of the documents, few enough for the unit tier (~25 s).
ROUNDS = {'plan': 120, 'apply': 300, 'status': 300}
MAX_STDERR_LINES = 3

#: What a mutation may put in place of a value.
VALUES = (None, True, 0, -1, 1, 2 ** 70, -1e308, 0.5, float('nan'),
          float('inf'), '', 'x', '\x1b[2J\nwave 0: forged', [], {}, [[[]]],
          {'format': 'nova-lb-plan/1'})


def _paths(document):
    """Every ``(container, key)`` in ``document``, without recursion."""
    found, stack = [], [document]
    while stack:
        node = stack.pop()
        keys = (node.keys() if isinstance(node, dict)
                else range(len(node)) if isinstance(node, list) else ())
        for key in keys:
            found.append((node, key))
            stack.append(node[key])
    return found


def _value(rng):
    """One of :data:`VALUES`, a copy: a container must not end up twice in
    a document (or inside itself) through a later mutation."""
    return copy.deepcopy(rng.choice(VALUES))


def mutate(document, rng):
    """A copy of ``document`` with one to three random changes."""
    document = copy.deepcopy(document)
    for _ in range(rng.randint(1, 3)):
        paths = _paths(document)
        if not paths:
            return _value(rng)
        node, key = rng.choice(paths)
        op = rng.randrange(4)
        if op == 0:
            del node[key]
        elif op == 1:
            node[key] = _value(rng)
        elif op == 2 and isinstance(node, list):
            node.insert(key, copy.deepcopy(node[key]))   # a duplicate
        elif op == 3 and isinstance(node[key], (int, float)) \
                and not isinstance(node[key], bool):
            node[key] = node[key] * rng.choice((-1, 0, 10 ** 6, 1.5))
        else:
            node[key] = _value(rng)
    return document


class MutationTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.snapshot = scenario.generate(6, 60, seed=11)
        self.useFixture(fixtures.Timeout(120, gentle=True))
        self.dir = self.useFixture(fixtures.TempDir())
        self.state_dir = self.dir.join('state')
        self.conf = self.dir.join('nova-lb.conf')
        with open(self.conf, 'w') as f:
            f.write('[rebalancer]\nstate_dir = %s\n[solver]\ntime_limit = 1\n'
                    % self.state_dir)

    def write(self, name, document):
        path = self.dir.join(name)
        with open(path, 'w') as f:
            json.dump(document, f)       # NaN and Infinity as Python writes
        return path

    def main(self, what, *argv):
        """``(code, stdout, stderr)``; fails on a traceback or noise."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = admin.main(['--config-file', self.conf] + list(argv))
        out, err = out.getvalue(), err.getvalue()
        self.assertIn(code, (0, 1, 2), what)
        self.assertLessEqual(len(err.splitlines()), MAX_STDERR_LINES,
                             '%s: %s' % (what, err))
        self.assertNotIn('Traceback', out + err, what)
        return code, out, err

    def valid_plan(self):
        code, out, err = self.main('the valid snapshot', 'plan',
                                   '--snapshot',
                                   self.write('snap.json', self.snapshot),
                                   '--format', 'json')
        self.assertEqual(0, code, err)
        plan = json.loads(out)
        self.assertTrue(plan['migrations'])
        return plan

    def test_plan(self):
        codes = set()
        for seed in range(ROUNDS['plan']):
            document = mutate(self.snapshot, random.Random(seed))
            what = 'snapshot seed %d' % seed
            path = self.write('snap.json', document)
            code, out, _ = self.main(what, 'plan', '--snapshot', path,
                                     '--format', 'json')
            codes.add(code)
            if code == 0:
                self.assertEqual([], checker.check(
                    snapshot.load(path), json.loads(out)), what)
        self.assertEqual({0, 2}, codes)

    def test_apply(self):
        plan = self.valid_plan()
        codes = set()
        for seed in range(ROUNDS['apply']):
            what = 'plan seed %d' % seed
            path = self.write('plan.json', mutate(plan, random.Random(seed)))
            with mock.patch.object(
                    client, 'connect', side_effect=exception.CloudError(
                        'no cloud in this test')) as connect:
                code, _, err = self.main(what, 'apply', path)
            codes.add(code)
            if code == 2:
                connect.assert_not_called()
            else:
                self.assertEqual(1, code, what)
                self.assertIn('no cloud in this test', err, what)
        self.assertEqual({1, 2}, codes)

    def test_status(self):
        plan = self.valid_plan()
        summary = {'kind': 'rebalance', 'ended_at': 1700000000.0,
                   'duration': 4.5, 'success': 1, 'hosts': 6, 'servers': 60,
                   'planned': 2, 'done': 2, 'failed': 0, 'skipped': 0,
                   'not_started': 0, 'note': 'x', 'leftovers': ['y']}
        state = state_mod.State(self.state_dir)
        codes = set()
        for seed in range(ROUNDS['status']):
            rng = random.Random(seed)
            what = 'state seed %d' % seed
            state.write(state_mod.PLAN, mutate(plan, rng))
            state.write(state_mod.LAST_RUN, mutate(summary, rng))
            code, out, err = self.main(what, 'status')
            codes.add(code)
            self.assertEqual('', err, what)
            self.assertNotIn('\x1b', out, what)
            self.assertEqual(code, self.main(what, 'status', '--json')[0])
        self.assertEqual({0, 1}, codes)
