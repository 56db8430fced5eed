"""Load on the real multi-process minicloud: boots with and without the
scheduler plugin, then a full rebalance by nova-lb-rebalancer.

Starts its own minicloud (1 nova-scheduler, 4 computes with large fake
inventories), boots a few hundred servers in rounds that alternate the
plugin on and off (nova-scheduler restarted with the other nova.conf
between rounds, so both see the same cloud growing), and measures per
round:

* boot throughput: servers ACTIVE per second of wall time, ``--parallel``
  create calls in flight;
* scheduler time per request: CPU seconds nova-scheduler's process group
  spent per boot (utime + stime from /proc), minus its idle rate measured
  just before the round. CPU time is what the plugin adds to
  select_destinations and does not count other work on this shared
  2-core machine.

Then it makes the cloud lopsided (deletes every server on the last host
and half of those on the one before), runs ``nova-lb-rebalancer --once``
in automatic mode as its own process, and reports plan time, migrations
and wall time. Prints one table and a JSON line; stops the cloud at the
end. Not a test, not run by CI:

    .venv/bin/python -m benchmarks.minicloud_load [--servers 300]
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time

from tests.e2e import cloud  # noqa: I100 (puts tools/ on sys.path)

from minicloud_lib import configs  # noqa: E402
from minicloud_lib import lifecycle  # noqa: E402
from minicloud_lib import ops  # noqa: E402

LAY = cloud.LAYOUT
HOSTS = 4
SIZE = (64, 262144, 4000)      # VCPU, MEMORY_MB, DISK_GB per compute
CONFIG = """[rebalancer]
cloud = minicloud
automation = automatic
state_dir = %(state_dir)s
[executor]
max_parallel_migrations = 4
migration_timeout = 300
poll_interval = 0.5
[solver]
time_limit = 20
max_migrations = %(max_migrations)d
"""


def scheduler_cpu():
    """CPU seconds used so far by nova-scheduler's process group."""
    with open(LAY.path('run', 'nova-scheduler.pid')) as f:
        pgid = int(f.read())
    tick = os.sysconf('SC_CLK_TCK')
    total = 0
    for entry in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def use_plugin(plugin):
    configs.write_nova_control(LAY, dict(LAY.read_state(), plugin=plugin))
    ops.restart(LAY, 'nova-scheduler')
    ops.wait_healthy(LAY)


def boot_round(conn, first, count, parallel):
    image, flavor = cloud.image_and_flavor(conn)

    def one(i):
        server = conn.compute.create_server(
            name='load-%d' % i, image_id=image.id, flavor_id=flavor.id,
            networks='none')
        return conn.compute.wait_for_server(server, status='ACTIVE',
                                            wait=600)

    idle_from, idle_cpu = time.monotonic(), scheduler_cpu()
    time.sleep(10)
    idle_rate = (scheduler_cpu() - idle_cpu) / (time.monotonic() - idle_from)
    t0, cpu0 = time.monotonic(), scheduler_cpu()
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        list(pool.map(one, range(first, first + count)))
    wall, cpu = time.monotonic() - t0, scheduler_cpu() - cpu0
    return {'servers': count, 'wall_s': round(wall, 1),
            'boots_per_s': round(count / wall, 3),
            'sched_cpu_ms_per_boot': round(
                1000 * (cpu - idle_rate * wall) / count, 1),
            'sched_cpu_ms_per_boot_raw': round(1000 * cpu / count, 1),
            'idle_cpu_ms_per_s': round(1000 * idle_rate, 2)}


def lopside(conn):
    """Delete every server on the last host, half on the one before."""
    on = {}
    for s in cloud.servers(conn):
        on.setdefault(s['OS-EXT-SRV-ATTR:host'], []).append(s['id'])
    hosts = sorted(on)
    doomed = on[hosts[-1]] + on[hosts[-2]][::2]
    for uuid in doomed:
        conn.compute.delete_server(uuid)
    cloud.wait_for('the deletes', lambda: len(cloud.servers(conn)) ==
                   sum(map(len, on.values())) - len(doomed), 300)
    time.sleep(5)      # Placement lags the 404 a moment
    return {h: len(v) for h, v in on.items()}, len(doomed)


def rebalance(max_migrations):
    state_dir = tempfile.mkdtemp(prefix='nova-lb-load-')
    config = os.path.join(state_dir, 'nova-lb.conf')
    with open(config, 'w') as f:
        f.write(CONFIG % {'state_dir': state_dir,
                          'max_migrations': max_migrations})
    t0 = time.monotonic()
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'nova-lb-rebalancer'),
         '--config-file', config, '--once'],
        env=dict(os.environ, OS_CLIENT_CONFIG_FILE=cloud.CLOUDS_YAML),
        capture_output=True, text=True)
    wall = time.monotonic() - t0
    with open(os.path.join(state_dir, 'last-run.json')) as f:
        last = json.load(f)
    with open(os.path.join(state_dir, 'plan.json')) as f:
        plan = json.load(f)
    return {'exit': proc.returncode, 'wall_s': round(wall, 1),
            'run_s': last['duration'],
            'plan_solver_s': round(plan['solver'].get('time', 0), 2),
            'solver_status': plan['solver'].get('status'),
            'planned': len(plan['migrations']),
            'waves': len({m['wave'] for m in plan['migrations']}),
            'done': last.get('done'), 'failed': last.get('failed'),
            'peak_before': {rc: v['peak'] for rc, v in plan['before'].items()},
            'peak_after_plan': {rc: v['peak']
                                for rc, v in plan['after'].items()},
            'state_dir': state_dir}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--servers', type=int, default=300)
    p.add_argument('--rounds', type=int, default=4,
                   help='alternating plugin on/off rounds (even number)')
    p.add_argument('--parallel', type=int, default=8)
    p.add_argument('--max-migrations', type=int, default=60)
    args = p.parse_args(argv)
    lifecycle.start(LAY, lifecycle.options(
        computes=HOSTS, sizes={i: SIZE for i in range(1, HOSTS + 1)}))
    try:
        conn = cloud.connect()
        per_round = args.servers // args.rounds
        rounds = []
        for r in range(args.rounds):
            plugin = r % 2 == 0
            use_plugin(plugin)
            result = boot_round(conn, r * per_round, per_round,
                                args.parallel)
            rounds.append(dict(result, plugin=plugin))
            print('round %d plugin=%s: %s' % (r, plugin, result), flush=True)
        spread, deleted = lopside(conn)
        use_plugin(True)
        rb = rebalance(args.max_migrations)
    finally:
        lifecycle.stop(LAY)
    report(rounds, spread, deleted, rb)


def report(rounds, spread, deleted, rb):
    def mean(plugin, key):
        vals = [r[key] for r in rounds if r['plugin'] == plugin]
        return sum(vals) / len(vals)

    on, off = (mean(True, 'sched_cpu_ms_per_boot'),
               mean(False, 'sched_cpu_ms_per_boot'))
    bon, boff = mean(True, 'boots_per_s'), mean(False, 'boots_per_s')
    print('\n%-8s %8s %8s %10s %14s %10s' % (
        'plugin', 'servers', 'wall s', 'boots/s', 'sched ms/boot',
        'raw ms'))
    for r in rounds:
        print('%-8s %8d %8.1f %10.3f %14.1f %10.1f' % (
            'on' if r['plugin'] else 'off', r['servers'], r['wall_s'],
            r['boots_per_s'], r['sched_cpu_ms_per_boot'],
            r['sched_cpu_ms_per_boot_raw']))
    print('scheduler CPU per request, plugin on/off: %.1f / %.1f ms = '
          'ratio %.3f' % (on, off, on / off))
    print('boot throughput, plugin on/off: %.3f / %.3f boots/s = ratio '
          '%.3f' % (bon, boff, bon / boff))
    print('servers per host after the boots: %s; %d deleted to lopside'
          % (spread, deleted))
    print('rebalance: %(planned)d moves in %(waves)d waves planned in '
          '%(plan_solver_s)ss (%(solver_status)s), %(done)s done, '
          '%(failed)s failed, run %(run_s)ss, wall %(wall_s)ss, exit '
          '%(exit)d' % rb)
    print('peak before %s, after (plan) %s' % (rb['peak_before'],
                                               rb['peak_after_plan']))
    print(json.dumps({'rounds': rounds, 'sched_ratio': on / off,
                      'boot_ratio': bon / boff, 'rebalance': rb}))


if __name__ == '__main__':
    main()
