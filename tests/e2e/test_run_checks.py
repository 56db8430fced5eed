"""Runs that re-check what changed and report what happened (issue 14),
on the multi-process minicloud.

Each case ends with the invariants of :mod:`tests.e2e.invariants`, with
exactly the leftovers nova-lb reported exempted, and checks that the run's
own report (exit code, ``last-run.json``, ``nova-lb status``) says what the
APIs show. Kept short: few servers, short timeouts and retries.
"""

import json
import os
import signal
import time

from tests.e2e import base
from tests.e2e import cloud
from tests.e2e import invariants
from tests.e2e import test_faults

ops = cloud.ops


class RunCheckTest(test_faults.FaultTestCase):

    def config_with(self, **values):
        """A config file of its own: the test's, with ``values`` set
        (each option name must appear once in the base config, or is
        added to ``[rebalancer]``)."""
        with open(self.config) as f:
            text = f.read()
        for name, value in values.items():
            lines = text.splitlines()
            at = [i for i, line in enumerate(lines)
                  if line.startswith(name + ' = ')]
            if at:
                lines[at[0]] = '%s = %s' % (name, value)
            else:
                lines.insert(lines.index('[rebalancer]') + 1,
                             '%s = %s' % (name, value))
            text = '\n'.join(lines) + '\n'
        path = os.path.join(self.state_dir, 'nova-lb-%d.conf'
                            % time.monotonic_ns())
        with open(path, 'w') as f:
            f.write(text)
        return path

    def assert_outcome(self, code, out, name):
        """The exit code, last-run.json and status agree on ``name``."""
        last = self.state('last-run.json')
        self.assertEqual(name, last['outcome'], out)
        self.assertEqual(0 if name in ('done', 'skipped') else 1, code, out)
        self.assertEqual(int(name in ('done', 'skipped', 'refused')),
                         last['success'])
        status_code, status = self.run_command('nova-lb', 'status')
        self.assertEqual(0, status_code, status)
        self.assertIn(': %s%s\n' % (name, '' if last['success']
                                     else ' (needs an admin)'), status)
        self.assertNotIn('Unhandled error', out)
        return last

    def assert_reported_leftovers(self, last):
        """What nova-lb said after the run is exactly what the APIs show;
        then the invariants hold for everything else."""
        servers, state = invariants.read(self.conn)
        actual = invariants.leftovers(servers, state,
                                      cloud.migrations(self.conn))
        messages = last.get('leftovers', [])
        self.assertEqual(len(actual), len(messages), messages)
        for server, consumer in actual.items():
            self.assertTrue(any((consumer or server) in m
                                for m in messages), (actual, messages))
        self.assert_invariants(allowed=set(actual))
        return actual

    # -- 2: APIs down when a run starts; the daemon survives ---------------

    def test_api_down_at_start_one_line_and_daemon_survives(self):
        self.skew(count=3, elsewhere=())
        config = self.config_with(api_retries=1, api_retry_delay=0.5,
                                  interval=5)
        for service, named in (('placement-api', 'placement'),
                               ('nova-api', 'compute')):
            ops.kill(cloud.LAYOUT, service)
            try:
                code, out = self.run_command(
                    'nova-lb-rebalancer', '--once', config=config,
                    timeout=120)
            finally:
                ops.restart(cloud.LAYOUT, service)
            last_line = out.strip().splitlines()[-1]
            self.assertEqual(1, code, out)
            self.assertRegex(last_line, r'^nova-lb-rebalancer: error: ')
            self.assertIn(named, last_line)
            self.assertNotIn('Unhandled error', out)
            self.assert_outcome(code, out, 'aborted')
        # The daemon, started while Placement is down, logs the failed run,
        # stays up, and rebalances at its next interval once it is back.
        ops.kill(cloud.LAYOUT, 'placement-api')
        daemon = self.command('nova-lb-rebalancer', config=config)
        try:
            cloud.wait_for('the daemon to fail a run', lambda: (
                'Run failed' in base.output(daemon)
                or daemon.poll() is not None), 60)
            self.assertIsNone(daemon.poll(), base.output(daemon))
        finally:
            ops.restart(cloud.LAYOUT, 'placement-api')
        cloud.wait_for('a run that moved servers', lambda: (
            os.path.exists(os.path.join(self.state_dir, 'moved.json'))
            and self.state('last-run.json').get('outcome') == 'done'
            or daemon.poll() is not None), 240)
        self.assertIsNone(daemon.poll(), base.output(daemon))
        daemon.send_signal(signal.SIGTERM)
        self.assertEqual(0, daemon.wait(120), base.output(daemon))
        self.assertNotIn('Unhandled error', base.output(daemon))
        self.assert_reported_leftovers(self.state('last-run.json'))
        # Later runs (every 5 s) may have found nothing more to do: the
        # moves are those moved.json recorded, each once.
        moves = self.nova_moves()
        self.assertEqual(sorted(self.state('moved.json')),
                         sorted(m[0] for m in moves if m[3] == 'completed'))
        self.assertEqual(len(moves), len({m[0] for m in moves}))

    # -- 1: the owner's opt-out set while the run goes on -----------------

    def test_opt_out_set_mid_run_is_respected(self):
        proc = self.start_rebalancer(count=4)
        cloud.wait_for('plan.json', lambda: os.path.exists(os.path.join(
            self.state_dir, 'plan.json')) or proc.poll() is not None,
            120, interval=0.2)
        moves = self.state('plan.json')['migrations']
        last_wave = max(m['wave'] for m in moves)
        self.assertGreater(last_wave, 0, moves)
        owner = next(m['server'] for m in moves if m['wave'] == last_wave)
        self.conn.compute.set_server_metadata(
            owner, **{'nova_lb:movable': 'false'})
        code, out = self.finish(proc)
        last = self.assert_outcome(code, out, 'done')
        result = next(m for m in last['moves'] if m['server'] == owner)
        self.assertEqual(('skipped', 'its owner set nova_lb:movable=false'),
                         (result['result'], result['reason']))
        self.assertNotIn(owner, [m[0] for m in self.nova_moves()])
        self.assert_reported_leftovers(last)
        self.assert_moves_match_nova()

    # -- 3: a reviewed plan applied after an admin moved servers ----------

    def test_stale_plan_runs_only_the_moves_still_needed(self):
        # compute-1 holds 2 servers their owners keep in place and 4 that
        # may move: the reviewed plan moves the 4, 2 to each other host.
        pinned = cloud.boot(self.conn, ['pinned-0', 'pinned-1'],
                            host='compute-1', wait=False,
                            metadata={'nova_lb:movable': 'false'})
        self.skew(count=4, elsewhere=())
        reviewed = os.path.join(self.state_dir, 'reviewed.json')
        code, out = self.run_command('nova-lb', 'plan', '--format', 'json',
                                     '--output', reviewed)
        self.assertEqual(0, code, out)
        with open(reviewed) as f:
            planned = json.load(f)['migrations']
        self.assertEqual((4, {'compute-1'}), (
            len(planned), {m['source'] for m in planned}))
        # Meanwhile an admin moves the 2 others off compute-1, one to each
        # other host: compute-1 is at 4 servers, and the plan's 4 moves
        # reach a peak of 3 servers a host, which 1 of them reaches too.
        for server, host in zip(pinned, ('compute-2', 'compute-3')):
            self.conn.compute.live_migrate_server(server, host=host,
                                                  block_migration='auto')
            cloud.wait_for('the admin\'s migration', lambda: cloud.compute(
                self.conn, '/servers/%s' % server.id)['server'][
                    'OS-EXT-SRV-ATTR:host'] == host, 120)
        cloud.wait_settled(self.conn)

        code, out = self.run_command('nova-lb', 'apply', reviewed)

        last = self.assert_outcome(code, out, 'done')
        self.assertEqual((1, 0), (last['done'], last['failed']))
        self.assertEqual(3, len(last['dropped']))
        for server, why in last['dropped'].items():
            self.assertIn('its purpose vanished', why)
            self.assertIn('Dropping the move of server %s' % server, out)
        self.assertIn('3 dropped from the reviewed plan', out)
        moved = [m for m in self.nova_moves() if m[0] not in {
            s.id for s in pinned}]
        self.assertEqual([(m['server'], 'completed') for m in last['moves']
                          if m['result'] == 'done'],
                         [(m[0], m[3]) for m in moved])
        self.assertEqual(set(), {m[0] for m in moved} & set(last['dropped']))
        # Measured: the peak afterwards is what Placement shows, and what
        # the kept move was predicted to reach: 4 servers a host -> 3.
        _, state = invariants.read(self.conn)
        for rc, stats in last['after'].items():
            peak = max(h['usage'].get(rc, 0) / h['capacity'][rc]
                       for h in state.values())
            self.assertAlmostEqual(peak, stats['peak'], msg=rc)
            self.assertAlmostEqual(last['predicted_after'][rc]['peak'],
                                   stats['peak'], msg=rc)
            self.assertAlmostEqual(stats['peak'] * 4 / 3,
                                   last['before'][rc]['peak'], msg=rc)
        self.assert_reported_leftovers(last)
        self.assert_moves_match_nova()

    # -- 4: Placement restarted, or the server deleted, mid-migration ------

    def test_placement_restarted_mid_migration(self):
        proc = self.start_rebalancer(count=3)
        mig = self.wait_moving()
        ops.kill(cloud.LAYOUT, 'placement-api')
        time.sleep(12)
        ops.restart(cloud.LAYOUT, 'placement-api')
        code, out = self.finish(proc)
        self.final_status(mig)
        last = self.state('last-run.json')
        found = self.assert_reported_leftovers(last)
        # A leftover that appeared during the run makes it a partial
        # failure at best; none, and every move done, is a success.
        self.assert_outcome(code, out, last['outcome'])
        if found:
            self.assertIn(last['outcome'], ('partly failed', 'all failed'))
            self.assertIn('new leftover allocations', last['reason'])
        elif not last['failed']:
            self.assertEqual('done', last['outcome'])
        self.assert_moves_match_nova()

    def test_server_deleted_mid_migration(self):
        proc = self.start_rebalancer(count=3)
        mig = self.wait_moving()
        self.conn.compute.delete_server(mig['instance_uuid'], force=True)
        code, out = self.finish(proc)
        last = self.state('last-run.json')
        result = next(m for m in last['moves']
                      if m['server'] == mig['instance_uuid'])
        self.assertNotEqual('done', result['result'], result)
        self.assert_outcome(code, out, last['outcome'])
        self.assertIn(last['outcome'], ('partly failed', 'all failed'))
        cloud.wait_for('the server to be gone', lambda: mig[
            'instance_uuid'] not in [s['id'] for s in cloud.servers(
                self.conn)])
        self.assert_reported_leftovers(last)

    # -- 5, 6: every move timing out ----------------------------------------

    def test_all_moves_timing_out_is_all_failed_everywhere(self):
        config = self.config_with(migration_timeout=1, max_failures=2)
        self.skew(count=3, elsewhere=())
        code, out = self.run_command('nova-lb-rebalancer', '--once',
                                     config=config)
        last = self.assert_outcome(code, out, 'all failed')
        self.assertEqual(0, last['done'])
        self.assertGreater(last['failed'], 0)
        self.assertEqual({'aborted'}, {m['result'] for m in last['moves']
                                       if m['result'] not in (
                                           'not started', 'skipped')})
        # Measured: nothing moved, so the peak did not change.
        self.assertEqual(last['before'], last['after'])
        self.assert_reported_leftovers(last)
        self.assert_moves_match_nova()
