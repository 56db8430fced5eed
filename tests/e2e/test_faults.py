"""Faults during a rebalancing run on the multi-process minicloud.

Each case ends with the invariants of :mod:`tests.e2e.invariants`, or with
exactly the leftovers nova-lb reports. The cloud's live migrations take
``--migration-seconds`` (tools/run-e2e: 6 s), so a fault lands
mid-migration for sure.
"""

import collections
import os
import signal
import time

from tests.e2e import base
from tests.e2e import cloud

ops = cloud.ops


def service(host):
    return 'nova-' + host     # compute-2 runs as service nova-compute-2


class FaultTestCase(base.E2ETestCase):
    """What fault cases share: a run started on a skew, and checks of its
    moves against Nova's records."""

    def start_rebalancer(self, count=4):
        self.skew(count=count)
        return self.command('nova-lb-rebalancer', '--once')

    def finish(self, proc, timeout=400):
        proc.wait(timeout)
        return proc.returncode, base.output(proc)

    def final_status(self, mig):
        """Nova's final status of migration record ``mig``."""
        return cloud.wait_for('the migration to end', lambda: next(
            (m['status'] for m in cloud.migrations(self.conn)
             if m['uuid'] == mig['uuid'] and m['status'] in cloud.FINAL),
            None))

    def assert_moves_match_nova(self):
        """Every move the run reports done is a completed Nova migration,
        and no server was moved twice."""
        moves = self.nova_moves()
        done = {(m['server'], m['source'], m['destination'])
                for m in self.state('last-run.json')['moves']
                if m['result'] == 'done'}
        self.assertLessEqual(done, {m[:3] for m in moves
                                    if m[3] == 'completed'})
        twice = [s for s, n in collections.Counter(
            m[0] for m in moves).items() if n > 1]
        self.assertEqual([], twice)


class FaultTest(FaultTestCase):

    def kill_compute_mid_migration(self, end, down):
        """Start a run, kill the ``end`` ('source_compute' or
        'dest_compute') nova-compute of its first migration for ``down``
        seconds; ``(migration record, exit code, output)`` of the run."""
        proc = self.start_rebalancer()
        mig = self.wait_moving()
        ops.kill(cloud.LAYOUT, service(mig[end]))
        time.sleep(down)
        ops.restart(cloud.LAYOUT, service(mig[end]))
        return (mig,) + self.finish(proc)

    def test_source_compute_killed_mid_migration(self):
        mig, code, out = self.kill_compute_mid_migration('source_compute', 3)
        self.assertEqual(1, code, out)     # a migration failed
        self.assertEqual('error', self.final_status(mig))
        ops.wait_healthy(cloud.LAYOUT, timeout=180)
        # Nova left the allocations swapped; the next run must say so,
        # exactly, and plan nothing on top of it.
        code, out = self.rebalance()
        self.assertEqual(0, code, out)
        plan = self.state('plan.json')
        self.assertEqual({mig['instance_uuid']: mig['uuid']},
                         self.assert_leftovers_reported(plan['leftovers']))
        message = plan['leftovers'][0]['message']
        for part in (mig['instance_uuid'], mig['uuid'],
                     mig['source_compute'], mig['dest_compute']):
            self.assertIn(part, message)
        self.assertEqual(message, plan['left_alone'][mig['instance_uuid']])
        self.assertNotIn(mig['instance_uuid'],
                         [m['server'] for m in plan['migrations']])
        self.assertEqual([message],
                         self.state('last-run.json')['leftovers'])
        code, out = self.run_command('nova-lb', 'status')
        self.assertIn(message, out)
        self.assert_moves_match_nova()

    def test_destination_compute_killed_mid_migration(self):
        _, code, out = self.kill_compute_mid_migration('dest_compute', 8)
        self.assertEqual(0, code, out)
        last = self.state('last-run.json')
        self.assertEqual((len(self.state('plan.json')['migrations']), 0),
                         (last['done'], last['failed']), out)
        self.assert_leftovers_reported([])
        self.assert_moves_match_nova()

    def test_rabbitmq_restarted_mid_run(self):
        proc = self.start_rebalancer()
        mig = self.wait_moving()
        ops.restart(cloud.LAYOUT, 'rabbitmq')
        code, out = self.finish(proc)
        # The restart may fail the running migration (cleanly, or in error
        # with allocations left behind) or not: the run must say of it
        # what Nova says, and exit 1 if any move failed.
        status = self.final_status(mig)
        last = self.state('last-run.json')
        moves = last['moves']
        result = next(m['result'] for m in moves
                      if m['server'] == mig['instance_uuid'])
        self.assertEqual(status == 'completed', result == 'done',
                         'Nova: %s, nova-lb: %s' % (status, result))
        failed = any(m['result'] in ('failed', 'aborted', 'lost')
                     for m in moves)
        # Or a move completed but Nova left its allocation behind.
        left = 'new leftover allocations' in last.get('reason', '')
        self.assertEqual(1 if failed or left else 0, code, out)
        self.assert_moves_match_nova()
        ops.wait_healthy(cloud.LAYOUT, timeout=180)
        self.steady()
        # Whatever the restart cost, a new run sees it all and reports it.
        code, out = self.run_command('nova-lb-rebalancer', '--once',
                                     '--dry-run')
        self.assertEqual(0, code, out)
        self.assert_leftovers_reported(self.state('plan.json')['leftovers'])

    def test_rebalancer_killed_between_waves_and_restarted(self):
        proc = self.start_rebalancer(count=5)
        moved = os.path.join(self.state_dir, 'moved.json')
        cloud.wait_for('the first move to finish', lambda: os.path.exists(
            moved) or proc.poll() is not None, 300, interval=0.1)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        self.assertEqual(-signal.SIGKILL, proc.returncode, base.output(proc))
        first = set(self.state('moved.json'))
        self.assertGreater(len({m['wave'] for m in self.state(
            'plan.json')['migrations']}), 1)
        # The kill may land just after a request for the next move.
        cloud.wait_settled(self.conn)
        code, out = self.rebalance()
        self.assertEqual(0, code, out)
        # A skipped run would leave the first run's plan to be read here.
        self.assertNotIn('run skipped',
                         self.state('last-run.json').get('reason', ''), out)
        plan = self.state('plan.json')
        for server in first:
            self.assertNotIn(server, [m['server']
                                      for m in plan['migrations']])
            self.assertIn('moved recently',
                          plan['left_alone'].get(server, 'movable'))
        self.assert_leftovers_reported([])
        self.assert_moves_match_nova()

    def test_two_rebalancers_started_at_once(self):
        self.skew()
        procs = [self.command('nova-lb-rebalancer', '--once')
                 for _ in range(2)]
        results = [self.finish(p) for p in procs]
        busy = [r for r in results
                if 'another rebalancer is running' in r[1]]
        self.assertEqual(1, len(busy), results)
        self.assertEqual(1, busy[0][0])
        # One line for the admin (the config's debug = true logs more).
        self.assertRegex(busy[0][1].splitlines()[-1],
                         '^nova-lb-rebalancer: error: another rebalancer is '
                         r'running \(pid \d+ on ')
        worker = [r for r in results if r not in busy][0]
        self.assertEqual(0, worker[0], worker[1])
        planned = {(m['server'], m['source'], m['destination'])
                   for m in self.state('plan.json')['migrations']}
        self.assertTrue(planned)
        self.assertEqual(planned, {m[:3] for m in self.nova_moves()})
        self.assert_leftovers_reported([])
        self.assert_moves_match_nova()

    def test_nova_api_unreachable_for_a_while(self):
        proc = self.start_rebalancer()
        self.wait_moving()
        ops.kill(cloud.LAYOUT, 'nova-api')
        time.sleep(15)
        ops.restart(cloud.LAYOUT, 'nova-api')
        code, out = self.finish(proc)
        self.assertEqual(0, code, out)
        self.assertIn('retry', out)     # it did see nova-api gone
        last = self.state('last-run.json')
        self.assertEqual((len(self.state('plan.json')['migrations']), 0),
                         (last['done'], last['failed']), out)
        self.assert_leftovers_reported([])
        self.assert_moves_match_nova()
