"""How fast and how well the planner balances generated clouds.

For each size, in its own subprocess (so that peak memory is its own): a
seeded cloud from :mod:`nova_lb.scenario`, then ``planner.plan`` timed end
to end (model, solver, waves and the independent checker). The cost model
weighs VCPU and MEMORY_MB (the quality target is about those peaks; disk
is still a capacity). Reported: plan time, peak RSS, migrations, RAM
moved, peak/stddev per class before and after, the proven gap, and the
checker's verdict.

Baselines: on small and medium clouds a time-limited exact MILP (servers
counted per shape and host, nothing restricted) gives the best peaks it
can prove and find, and a second one the fewest migrations that reach a
peak within 0.02 of that. The bound reported is the best proven one: the
solver's (the fractional relaxation by shape, or the per-zone mean
utilisation, whichever is higher) or the reference MILP's dual bound.

    python -m benchmarks.planner [--sizes small,medium,large,xlarge]
"""

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

from nova_lb.model import build
from nova_lb.model import cost
from nova_lb.model import snapshot
from nova_lb.planner import checker
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.solver import result
from nova_lb.solver import shapes
from nova_lb.solver import zone as zone_mod

#: name: (hosts, servers, solver time limit, plan-time target s, baseline)
SIZES = {
    'small': (20, 300, 8.0, 10.0, True),
    'medium': (200, 4000, 8.0, 10.0, True),
    'large': (1000, 20000, 8.0, 10.0, False),
    'xlarge': (5000, 100000, 48.0, 60.0, False),
}
QUALITY = ('VCPU', 'MEMORY_MB')
REFERENCE_TIME = 60.0
MEMORY_TARGET = 4 * 1024 ** 3


def _cost_model():
    return cost.CostModel.build({rc: 1.0 for rc in QUALITY},
                                resource_classes=cost.STANDARD_CLASSES)


def measure(name, seed):
    n_hosts, n_servers, limit, _, baseline = SIZES[name]
    document = scenario.generate(n_hosts, n_servers, seed=seed)
    snap = snapshot.parse(document)
    options = planner.Options(
        model=build.Options(cost=_cost_model()),
        solver=result.Options(time_limit=limit))
    start = time.monotonic()
    plan = planner.plan(snap, options)
    elapsed = time.monotonic() - start
    violations = checker.check(snap, plan.to_json())
    model = build.build(snap, options.model)
    ram = {s: d for s, d in zip(
        model.servers, model.demand[:, model.resource_classes.index(
            'MEMORY_MB')])}
    figures = {
        'size': name, 'hosts': n_hosts, 'servers': n_servers,
        'time': elapsed, 'maxrss': resource.getrusage(
            resource.RUSAGE_SELF).ru_maxrss * 1024,
        'migrations': len(plan.migrations), 'waves': len(plan.waves),
        'left_out': len(plan.left_out),
        'ram_moved_gb': sum(ram.get(m.server, 0.0)
                            for m in plan.migrations) / 1024,
        'before': plan.before, 'after': plan.after,
        'objective': plan.solver['objective'],
        'bound': plan.solver['bound'], 'gap': plan.solver['gap'],
        'status': plan.solver['status'], 'violations': len(violations)}
    if baseline:
        figures.update(_baseline(model, plan))
    return figures


def _baseline(model, plan):
    """Exact, time-limited MILPs per zone: best peak, then fewest moves.

    Both count servers per shape and host (:mod:`nova_lb.solver.shapes`):
    that model is exact, and far smaller than one binary per server and
    host, which finds nothing within the time on medium clouds. The
    fewest-migrations model weighs every migration the same (no RAM
    term). ``ref_objective`` is None when HiGHS found no solution in time
    for some zone (then there is no fewest-migrations figure either).
    """
    bound, fewest, fewest_bound, peaks = 0.0, 0, 0, []
    zones, _ = zone_mod.split(model)
    for z in zones:
        m = shapes.Model(z, len(z.units), 0.0)
        location, res = m.min_peak(REFERENCE_TIME, gap=1e-4)
        if res is not None and res.mip_dual_bound is not None:
            bound = max(bound, float(res.mip_dual_bound))
        if location is None:
            return {'ref_objective': None, 'ref_bound': bound}
        found = z.peaks(z.usage_after(location))
        peaks.append(found)
        location, res = m.min_churn(found + 0.02 * (z.weights > 0),
                                    REFERENCE_TIME, gap=1e-4)
        if location is None:
            fewest = None
        elif fewest is not None:
            fewest += int(np.sum(location != z.unit_host))
            fewest_bound += int(np.ceil(res.mip_dual_bound - 1e-6))
    best = float(np.dot(zones[0].weights, np.max(peaks, axis=0)))
    return {'ref_objective': best, 'ref_bound': bound, 'fewest': fewest,
            'fewest_bound': fewest_bound}


def _row(f):
    def q(side, stat):
        return np.mean([f[side][rc][stat] for rc in QUALITY])

    bound, source = f['bound'], 'solver: shape relaxation or mean'
    if f.get('ref_bound', 0.0) > bound:
        bound, source = f['ref_bound'], 'reference MILP dual bound'
    best = min(f.get('ref_objective') or bound, f['objective'])
    lines = [
        '%s %d hosts / %d servers: %.1f s (target %.0f s, ratio %.2f), '
        'peak RSS %.0f MiB%s' % (
            f['size'], f['hosts'], f['servers'], f['time'],
            SIZES[f['size']][3], f['time'] / SIZES[f['size']][3],
            f['maxrss'] / 2 ** 20,
            ' (target 4096 MiB, ratio %.2f)' % (f['maxrss'] / MEMORY_TARGET)
            if f['size'] == 'xlarge' else ''),
        '  %d migrations in %d waves (%d left out), %.0f GiB RAM moved, '
        'checker: %s' % (f['migrations'], f['waves'], f['left_out'],
                         f['ram_moved_gb'], 'valid' if not f['violations']
                         else '%d VIOLATIONS' % f['violations']),
        '  mean VCPU/MEMORY_MB peak %.3f -> %.3f; proven bound %.3f (%s): '
        '%.3f above it (target <= 0.02); best known %.3f; solver %s' % (
            q('before', 'peak'), q('after', 'peak'), bound, source,
            f['objective'] - bound, best, f['status'])]
    if 'ref_objective' in f and f['ref_objective'] is None:
        lines.append('  reference exact MILP: no solution within %.0f s per '
                     'zone; dual bound %.3f' % (REFERENCE_TIME,
                                                f['ref_bound']))
    elif f.get('fewest') is not None:
        lines.append(
            '  fewest migrations within 0.02 of the reference peak: %d '
            '(proven >= %d); plan uses %d, ratio %.2f (target <= 1.5); '
            'reference MILP peak %.3f, dual bound %.3f' % (
                f['fewest'], f['fewest_bound'], f['migrations'],
                f['migrations'] / max(f['fewest'], 1), f['ref_objective'],
                f['ref_bound']))
    for rc in f['before']:
        b, a = f['before'][rc], f['after'][rc]
        lines.append('  %-10s peak %.3f -> %.3f, stddev %.3f -> %.3f' % (
            rc, b['peak'], a['peak'], b['stddev'], a['stddev']))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default=','.join(SIZES))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--one', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.seed)))
        return 0
    failed = 0
    for name in args.sizes.split(','):
        proc = subprocess.run(
            [sys.executable, '-m', 'benchmarks.planner', '--one', name,
             '--seed', str(args.seed)], capture_output=True, text=True)
        if proc.returncode:
            print('%s: failed\n%s' % (name, proc.stderr[-2000:]))
            failed += 1
            continue
        print(_row(json.loads(proc.stdout.strip().splitlines()[-1])))
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
