"""Hostile input: one line an admin understands, the right exit code.

One test class per row of the table of issue 13 (row 1, hung endpoints,
is covered with the API timeouts). Each feeds the commands what a new
user or a hostile tenant could: bad files, bad options, names with
terminal escapes; and checks the exit code (2 for bad input), that stderr
holds one ``error:`` line and never a traceback, and that stdout holds
nothing but the command's document.
"""

import contextlib
import io
import json
import os
import resource
import subprocess
import sys
from unittest import mock

import fixtures
import testtools

from nova_lb.cmd import admin
from nova_lb import exception
from nova_lb.cloud import client
from nova_lb.rebalancer import lock
from nova_lb.rebalancer import state as state_mod
from nova_lb import scenario
from tests.unit.cmd import test_rebalancer_cli

BIN = os.path.dirname(sys.executable)


class CommandTestCase(testtools.TestCase):
    """A temporary state dir, config file and snapshot; ``main`` runs
    ``nova-lb`` in-process and returns ``(code, stdout, stderr)``."""

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.Timeout(60, gentle=True))
        self.dir = self.useFixture(fixtures.TempDir())
        self.state_dir = self.dir.join('state')
        self.document = scenario.generate(8, 80, seed=3)
        self.snapshot = self.write('snap.json', self.document)
        self.conf = self.config('')

    def config(self, text, name='nova-lb.conf'):
        path = self.dir.join(name)
        with open(path, 'w') as f:
            f.write('[rebalancer]\nstate_dir = %s\n[solver]\ntime_limit = 1\n'
                    '%s' % (self.state_dir, text))
        return path

    def write(self, name, document):
        path = self.dir.join(name)
        with open(path, 'w') as f:
            f.write(document if isinstance(document, str)
                    else json.dumps(document))
        return path

    def main(self, *argv, conf=None):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = admin.main(['--config-file', conf or self.conf]
                                + list(argv))
        return code, out.getvalue(), err.getvalue()

    def assertBadInput(self, result, *fragments):
        """Exit 2, nothing on stdout, one error line naming ``fragments``."""
        code, out, err = result
        self.assertEqual((2, ''), (code, out), err)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertTrue(err.startswith('nova-lb: error: '), err)
        for fragment in fragments:
            self.assertIn(fragment, err)


class LockFileTest(CommandTestCase):
    """Row 2: a symlink or hard link as the lock file."""

    def setUp(self):
        super().setUp()
        os.makedirs(self.state_dir)
        self.path = os.path.join(self.state_dir, lock.LOCK_NAME + '.lock')
        self.victim = self.write('victim', 'precious\n')

    def assertRefused(self, why):
        """Taking the lock is refused naming ``why``; the victim file is
        left as it was."""
        e = self.assertRaises(exception.InvalidConfig,
                              lock.FileLock(self.path).__enter__)
        self.assertIn(why, str(e))
        with open(self.victim) as f:
            self.assertEqual('precious\n', f.read())

    def test_symlink_is_not_followed(self):
        os.symlink(self.victim, self.path)
        self.assertRefused('a symlink is not accepted')

    def test_hard_link_is_refused(self):
        os.link(self.victim, self.path)
        self.assertRefused('has 2 hard links')

    def test_world_writable_lock_file_is_refused(self):
        os.chmod(self.victim, 0o666)
        os.rename(self.victim, self.path)
        self.victim = self.write('victim', 'precious\n')
        self.assertRefused('writable by everyone')

    def test_lock_file_is_overwritten_never_truncated(self):
        with open(self.path, 'w') as f:
            f.write('x' * 1000)
        with lock.FileLock(self.path):
            with open(self.path) as f:
                text = f.read()
            self.assertTrue(text.startswith('pid %d on ' % os.getpid()))
        self.assertEqual(1000, os.path.getsize(self.path))

    def test_apply_through_a_symlinked_lock_is_exit_2(self):
        os.symlink(self.victim, self.path)
        plan = self.write('plan.json', {'format': 'nova-lb-plan/1',
                                        'migrations': []})
        with mock.patch.object(client, 'connect',
                               side_effect=AssertionError('contacted')):
            self.assertBadInput(self.main('apply', plan), 'symlink')
        with open(self.victim) as f:
            self.assertEqual('precious\n', f.read())


class StateDirNotWritableTest(CommandTestCase):
    """Row 3: a state dir the rebalancer cannot write."""

    def test_apply_says_so_in_one_line(self):
        os.makedirs(self.state_dir)
        os.chmod(self.state_dir, 0o555)
        plan = self.write('plan.json', {'format': 'nova-lb-plan/1',
                                        'migrations': []})
        os.chmod(self.dir.path, 0o755)
        with self._unprivileged():
            result = self.main('apply', plan)
        self.assertBadInput(result, 'cannot open the lock file',
                            'Permission denied')

    @contextlib.contextmanager
    def _unprivileged(self):
        """Root writes any directory: be nobody for a moment."""
        if os.geteuid() != 0:
            yield
            return
        os.seteuid(65534)
        try:
            yield
        finally:
            os.seteuid(0)


class LogsNotOnStdoutTest(CommandTestCase):
    """Row 4: ``--debug`` logs and warnings stay off stdout."""

    def test_debug_plan_json_is_json(self):
        code, out, err = self.main('--debug', 'plan', '--snapshot',
                                   self.snapshot, '--format', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('nova-lb-plan/1', json.loads(out)['format'])
        self.assertIn('DEBUG nova_lb', err)


    def test_snapshot_keeps_keystoneauth_warnings_off_stdout(self):
        # keystoneauth warns when identity discovery fails (nothing
        # listens on port 9); `nova-lb snapshot > file` must not write
        # the warning into the file.
        clouds = self.write('clouds.yaml', test_rebalancer_cli.CLOUDS_YAML
                            % {'port': 9})
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        env.update(OS_CLIENT_CONFIG_FILE=clouds, OS_CLOUD='wrong')
        proc = subprocess.run(
            [os.path.join(BIN, 'nova-lb'), '--config-file', self.conf,
             'snapshot'], capture_output=True, text=True, timeout=120,
            env=env)
        self.assertEqual((1, ''), (proc.returncode, proc.stdout),
                         proc.stderr)
        self.assertIn('WARNING keystoneauth', proc.stderr)
        self.assertIn('nova-lb: error: ', proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)


class SnapshotNumbersTest(CommandTestCase):
    """Row 5: numbers that are not finite or out of Placement's range."""

    def _vcpu(self, document):
        rp = next(iter(document['placement']['providers'].values()))
        return rp['inventories']['inventories']['VCPU']

    def _allocation(self, document):
        for rp in document['placement']['providers'].values():
            for alloc in rp['allocations']['allocations'].values():
                return alloc['resources']

    def test_non_finite_numbers_are_refused(self):
        total = self._vcpu(self.document)['total']
        text = json.dumps(self.document)
        needle = '"total": %d' % total
        for bad, why in (('NaN', 'NaN is not a number JSON allows'),
                         ('-Infinity', '-Infinity is not a number'),
                         ('1e400', 'number 1e400 is out of range'),
                         ('1' + '0' * 30, 'is out of range')):
            path = self.write('bad.json', text.replace(needle,
                                                       '"total": ' + bad, 1))
            self.assertBadInput(
                self.main('plan', '--snapshot', path), 'bad.json', why)

    def test_out_of_range_inventories_and_allocations(self):
        cases = (
            (lambda d: self._vcpu(d).update(total=0), 'VCPU.total: 0'),
            (lambda d: self._vcpu(d).update(reserved=10 ** 6),
             'VCPU.reserved: 1000000 is out of range'),
            (lambda d: self._vcpu(d).update(allocation_ratio=0),
             'VCPU.allocation_ratio: 0 is out of range (must be > 0)'),
            (lambda d: self._vcpu(d).update(allocation_ratio=-1.5),
             'allocation_ratio: -1.5'),
            (lambda d: self._allocation(d).update(VCPU=-4),
             'resources.VCPU: -4 is out of range'))
        for change, why in cases:
            document = json.loads(json.dumps(self.document))
            change(document)
            path = self.write('bad.json', document)
            self.assertBadInput(self.main('plan', '--snapshot', path), why)


class ZeroHostsTest(CommandTestCase):
    """Row 6: a snapshot without compute hosts."""

    def test_zero_hosts(self):
        compute = self.document['compute']
        compute['services']['services'] = [
            s for s in compute['services']['services']
            if s['binary'] != 'nova-compute']
        compute['hypervisors']['hypervisors'] = []
        compute['servers']['servers'] = []
        placement = self.document['placement']
        placement['resource_providers']['resource_providers'] = []
        placement['providers'] = {}
        path = self.write('empty.json', self.document)
        self.assertBadInput(self.main('plan', '--snapshot', path),
                            'no nova-compute service')


class DeepNestingTest(CommandTestCase):
    """Row 7: deeply nested JSON in snapshot, plan and state files."""

    DEEP = '[' * 100000 + ']' * 100000

    def test_snapshot_plan_and_state(self):
        path = self.write('deep.json', self.DEEP)
        self.assertBadInput(self.main('plan', '--snapshot', path),
                            'nested too deeply')
        self.assertBadInput(self.main('apply', path), 'nested too deeply')
        # Shallow enough for the parser, deeper than any document.
        path = self.write('deep.json', '{"a":' * 200 + '1' + '}' * 200)
        self.assertBadInput(self.main('plan', '--snapshot', path),
                            'nested more than 64 levels')
        os.makedirs(self.state_dir)
        self.write(os.path.join(self.state_dir, state_mod.PLAN), self.DEEP)
        code, out, err = self.main('status')
        self.assertEqual((1, ''), (code, err))
        self.assertIn('Current plan: %s: unreadable: not JSON: nested too '
                      'deeply' % os.path.join(self.state_dir, state_mod.PLAN),
                      out)


class NotARegularFileTest(CommandTestCase):
    """Row 8: ``/dev/zero`` or a FIFO as snapshot or plan."""

    def test_dev_zero_and_fifo(self):
        fifo = self.dir.join('fifo')
        os.mkfifo(fifo)
        for path in ('/dev/zero', fifo):
            self.assertBadInput(self.main('plan', '--snapshot', path),
                                'not a regular file')
            self.assertBadInput(self.main('apply', path),
                                'not a regular file')

    def test_oversized_file(self):
        path = self.write('huge.json', '')
        os.truncate(path, state_mod.MAX_BYTES + 1)  # sparse
        self.assertBadInput(self.main('apply', path), 'more than the')


class OptionValuesTest(CommandTestCase):
    """Row 9: option values that are not finite or name no class."""

    def test_bad_values(self):
        for text, why in (
                ('[nova_lb]\nvcpu_ceiling = nan\n', 'vcpu_ceiling'),
                ('[nova_lb]\nresource_weights = CUSTOM_GPU:1\n',
                 'none of the resource classes the hosts have'),
                ('[nova_lb]\nresource_weights = VCPU:inf\n',
                 'resource_weights'),
                ('[nova_lb]\nimbalance_weight = nan\n', 'imbalance_weight'),
                ('[solver]\ntime_limit = nan\n', 'time_limit'),
                ('[solver]\ntime_limit = inf\n', 'time_limit')):
            conf = self.config('', name='base.conf')
            extra = self.write('extra.conf', text)
            result = self.main('--config-file', extra, 'plan', '--snapshot',
                               self.snapshot, conf=conf)
            self.assertBadInput(result, why)


class EscapedNamesTest(CommandTestCase):
    """Row 10: tenants' names with terminal escapes and newlines."""

    FORGED = '\x1b[2J\x1b[H\nwave 0: forged -> nowhere\r\u202e'

    def test_table_and_errors_escape_control_characters(self):
        groups = self.document['compute']['server_groups']['server_groups']
        for group in groups:
            group['name'] = self.FORGED
        path = self.write('names.json', self.document)
        code, out, err = self.main('plan', '--snapshot', path)
        self.assertEqual(0, code, err)
        self.assertIn('affinity group \\x1b[2J\\x1b[H\\nwave 0: forged -> '
                      'nowhere\\r\\u202e', out)
        for line in out.splitlines():
            self.assertFalse(line.startswith('wave 0: forged'), line)
        for char in '\x1b\r\u202e':
            self.assertNotIn(char, out)

        bad = self.write('bad-host.json', {
            'format': 'nova-lb-plan/1', 'migrations': [
                {'server': 's', 'source': self.FORGED,
                 'destination': self.FORGED, 'wave': 0}]})
        with mock.patch.object(client, 'connect',
                               side_effect=AssertionError('contacted')):
            code, out, err = self.main('apply', bad)
        self.assertBadInput((code, out, err), 'both \\x1b[2J')


class StatusTest(CommandTestCase):
    """Row 11: ``status`` with broken state, or none."""

    def test_missing_state_dir_is_not_created(self):
        code, out, err = self.main('status')
        self.assertEqual((0, ''), (code, err))
        self.assertIn('Last run: none yet', out)
        self.assertFalse(os.path.exists(self.state_dir))

    def test_malformed_files_are_shown_and_exit_1(self):
        os.makedirs(self.state_dir)
        plan_path = os.path.join(self.state_dir, state_mod.PLAN)
        run_path = os.path.join(self.state_dir, state_mod.LAST_RUN)
        for last_run, plan, why_run, why_plan in (
                ('[1, 2]', '{"format": "nova-lb-plan/2", "migrations": []}',
                 'not usable', 'not a nova-lb-plan/1 document'),
                ('{"kind": "rebalance"}', '{"format": "nova-lb-plan/1"}',
                 "KeyError: 'ended_at'", "malformed"),
                ('{"kind": 1, "ended_at": 1e300, "duration": "x"}',
                 '{"format": "nova-lb-plan/1", "migrations": [{}]}',
                 'not usable', 'malformed migration'),
                ('{"truncated', '', 'not JSON', 'not JSON')):
            self.write(run_path, last_run)
            self.write(plan_path, plan)
            code, out, err = self.main('status')
            self.assertEqual((1, ''), (code, err))
            self.assertIn('Last run: %s: ' % run_path, out)
            self.assertIn(why_run, out)
            self.assertIn('Current plan: %s: ' % plan_path, out)
            self.assertIn(why_plan, out)
            code, out, err = self.main('status', '--json')
            self.assertEqual((1, ''), (code, err))
            self.assertEqual(2, len(json.loads(out)['problems']))


class GenerateSizeTest(CommandTestCase):
    """Row 12: a size that cannot fit, refused before allocating."""

    def test_refused_within_a_memory_limit(self):
        def limit_memory():
            resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))
        for args, why in ((['--hosts', '3', '--servers', '100000000'],
                           'do not fit on 3 hosts'),
                          (['--hosts', '1000000000'], 'at most 100000')):
            proc = subprocess.run(
                [os.path.join(BIN, 'nova-lb'), 'generate'] + args,
                capture_output=True, text=True, timeout=60,
                preexec_fn=limit_memory)
            self.assertEqual(2, proc.returncode, proc.stderr)
            self.assertEqual(1, len(proc.stderr.splitlines()), proc.stderr)
            self.assertIn(why, proc.stderr)


class ApplyOfflineCheckTest(CommandTestCase):
    """Row 13: plans the offline checker rejects never reach the cloud."""

    def test_refused_before_any_api_call(self):
        host = self.document['compute']['services']['services'][0]['host']
        servers = [s['id'] for s in
                   self.document['compute']['servers']['servers'][:2]]

        def move(server, wave, source='a', destination='b'):
            return {'server': server, 'source': source,
                    'destination': destination, 'wave': wave}
        for migrations, why in (
                ([move(servers[0], 0), move(servers[0], 0)],
                 'moves twice in wave 0'),
                ([move(servers[0], 0), move(servers[0], 1)],
                 'is moved to b by an earlier migration'),
                ([move(servers[0], 0, host, host)],
                 'source and destination are both %s' % host),
                ([move(servers[0], 1), move(servers[1], 0)],
                 'is in wave 0 after a migration in wave 1'),
                ([move(servers[0], -1)], 'a wave number >= 0'),
                ([move(servers[0], 0.5)], 'a wave number >= 0'),
                ([move(servers[0], '0')], 'a wave number >= 0')):
            path = self.write('plan.json', {'format': 'nova-lb-plan/1',
                                            'migrations': migrations})
            with mock.patch.object(client, 'connect',
                                   side_effect=AssertionError('contacted')):
                self.assertBadInput(self.main('apply', path),
                                    'the plan is invalid, nothing moved',
                                    why)
        self.assertFalse(os.path.exists(self.state_dir))
