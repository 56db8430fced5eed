"""How fast and how well the planner balances a family of generated clouds.

For each size, scenario profile (:mod:`nova_lb.scenario.profiles`) and
seed, in its own subprocess (so that peak memory is its own): a seeded
cloud, then ``planner.plan`` timed end to end (model, solver, waves and
the independent checker) with the default ``resource_weights`` (VCPU and
MEMORY_MB 1:1, disk a capacity only). The figures are those of the plan
*as emitted*: the weighted peak of the placement its waves reach.

Reference, per cloud:

* small and medium: the exact model of ``tests/unit/solver/exact.py``
  (servers counted per host, nothing restricted, affinity pinned), time
  limited. Its best plan is the *optimum* when HiGHS proved it within
  1e-4; otherwise the best known of it and the plan, and its dual bound
  is reported. On small clouds a second exact model (by shape) gives the
  fewest migrations that reach the plan's peak in every class.
* large and beyond: the plan's own proven bound (the linear relaxation,
  :meth:`nova_lb.solver.shapes.ShapeCountModel.relaxed`).

Printed: per size and profile, the worst and median gap of the emitted
plan to the reference (and to the best proven bound), time, migrations;
then per size over all profiles, with the targets of issue #11 (the
median one on every profile). Seeds 0-9 and 112-118 were used while
tuning the solver and 102-111 to check changes on clouds it was not
tuned on (three of them, ``mixed`` 102, 103 and 109, were traced to
find where a plan's gap went); the default seeds (100, 101) were not
tuned on (101 was traced once).

    python -m benchmarks.planner [--sizes small,medium,large,xlarge,xxlarge]
        [--profiles default,skewed,...] [--seeds 100,101]
"""

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

from nova_lb.model import build
from nova_lb.model import snapshot
from nova_lb.planner import checker
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.scenario import profiles
from nova_lb.solver import result
from nova_lb.solver import shapes
from nova_lb.solver import zone as zone_mod
from tests.unit.solver import exact

#: name: (hosts, servers, solver time limit, time target s, memory
#: target GiB or None, reference: 'exact', 'bound')
SIZES = {
    'small': (20, 300, 1.5, 2.0, None, 'exact'),
    'medium': (200, 4000, 8.0, 10.0, None, 'exact'),
    'large': (1000, 20000, 8.0, 10.0, None, 'bound'),
    'xlarge': (5000, 100000, 45.0, 60.0, 4, 'bound'),
    'xxlarge': (10000, 200000, 90.0, 120.0, 8, 'bound'),
}
#: Seconds the reference exact model may take per cloud.
REFERENCE_TIME = {'small': 20.0, 'medium': 40.0}
GAP_WORST, GAP_MEDIAN, FEWEST_RATIO = 0.02, 0.01, 1.2


def measure(name, profile, seed):
    n_hosts, n_servers, limit, _, _, reference = SIZES[name]
    document = scenario.generate(n_hosts, n_servers, seed=seed,
                                 profile=profile)
    snap = snapshot.parse(document)
    options = planner.Options(solver=result.Options(time_limit=limit))
    start = time.monotonic()
    plan = planner.plan(snap, options)
    elapsed = time.monotonic() - start
    violations = checker.check(snap, plan.to_json())
    figures = {
        'size': name, 'profile': profile, 'seed': seed, 'time': elapsed,
        'maxrss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        'migrations': len(plan.migrations), 'left_out': len(plan.left_out),
        'objective': plan.solver['objective'],
        'bound': plan.solver['bound'], 'violations': len(violations)}
    if reference == 'exact':
        model = build.build(snap, options.model)
        best, dual = exact.optimum(model, REFERENCE_TIME[name],
                                   require=False)
        figures.update(ref_objective=best, ref_bound=dual)
        if name == 'small':
            figures['fewest'] = _fewest(model, {
                rc: plan.after[rc]['peak'] for rc in plan.after})
    return figures


def _fewest(model, peaks):
    """Fewest migrations reaching the plan's peaks ``{rc: peak}`` in every
    class (exact model by shape, time-limited), or None if not found."""
    cap = np.array([peaks.get(rc, np.inf) + 1e-9
                    for rc in model.resource_classes])
    fewest = 0
    for z in zone_mod.split(model)[0]:
        location, _ = shapes.ShapeCountModel(z, len(z.units), 0.0).min_churn(
            cap, REFERENCE_TIME['small'], gap=1e-4)
        if location is None:
            return None
        fewest += int(np.sum(location != z.unit_host))
    return fewest


def _gap(f):
    """Gap of the emitted plan to the reference, and what that is."""
    if f.get('ref_objective') is not None or 'ref_bound' in f:
        best = f.get('ref_objective')
        proven = best is not None and best - f['ref_bound'] <= 1e-4 * max(
            best, 1e-9) + 1e-9
        known = min(x for x in (best, f['objective']) if x is not None)
        return f['objective'] - known, 'optimum' if proven else 'best known'
    return f['objective'] - f['bound'], 'proven bound'


def _proven(f):
    """Gap of the emitted plan to the best proven bound (the plan's own or
    the reference's dual bound): what it is at most above the optimum."""
    return f['objective'] - max(f['bound'], f.get('ref_bound', 0.0))


def _summary(rows, size):
    gaps = [_gap(f)[0] for f in rows]
    proven = [_proven(f) for f in rows]
    times = [f['time'] for f in rows]
    migrations = [f['migrations'] for f in rows]
    ratios = [f['migrations'] / max(f['fewest'], 1) for f in rows
              if f.get('fewest')]
    memory = max(f['maxrss'] for f in rows) / 2 ** 30
    line = ('gap worst %.4f median %.4f (to proven bound %.4f / %.4f) | '
            'time worst %.1f s median %.1f s | '
            'migrations median %d (max %d) | left out %d | peak RSS %.2f GiB'
            % (max(gaps), float(np.median(gaps)), max(proven),
               float(np.median(proven)), max(times),
               float(np.median(times)), int(np.median(migrations)),
               max(migrations), sum(f['left_out'] for f in rows), memory))
    if ratios:
        line += ' | migrations/fewest worst %.2f median %.2f' % (
            max(ratios), float(np.median(ratios)))
    if any(f['violations'] for f in rows):
        line += ' | CHECKER VIOLATIONS'
    _, _, _, t_target, m_target, _ = SIZES[size]
    # The median target holds on every profile, not on all pooled.
    medians = {p: float(np.median([g for g, f in zip(gaps, rows)
                                   if f['profile'] == p]))
               for p in sorted({f['profile'] for f in rows})}
    highest = max(medians, key=medians.get)
    verdict = [
        'gap worst <= %.2f: %s' % (GAP_WORST, max(gaps) <= GAP_WORST),
        'median <= %.2f on every profile: %s (highest %s %.4f)' % (
            GAP_MEDIAN, medians[highest] <= GAP_MEDIAN, highest,
            medians[highest]),
        'time <= %.0f s: %s' % (t_target, max(times) <= t_target)]
    if m_target:
        verdict.append('memory <= %d GiB: %s' % (m_target,
                                                memory <= m_target))
    if ratios:
        verdict.append('migrations <= %.1fx fewest: %s' % (
            FEWEST_RATIO, max(ratios) <= FEWEST_RATIO))
    return line, '; '.join(verdict)


def _report(rows):
    for size in SIZES:
        mine = [f for f in rows if f['size'] == size]
        if not mine:
            continue
        hosts, servers = SIZES[size][:2]
        kinds = sorted({_gap(f)[1] for f in mine})
        print('%s (%d hosts / %d servers), gap to %s:' % (
            size, hosts, servers, ' or '.join(kinds)))
        for profile in profiles.PROFILES:
            these = [f for f in mine if f['profile'] == profile]
            if these:
                print('  %-14s %s' % (profile, _summary(these, size)[0]))
        line, verdict = _summary(mine, size)
        print('  %-14s %s' % ('ALL', line))
        print('  targets: %s' % verdict)
        sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default=','.join(SIZES))
    parser.add_argument(
        '--profiles', help='Profiles to run (default: every profile; the '
        'largest sizes, which take minutes a cloud, only default).')
    parser.add_argument('--seeds', default='100,101')
    parser.add_argument('--json', metavar='FILE',
                        help='Also write every measurement here.')
    parser.add_argument('--one', nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        size, profile, seed = args.one
        print(json.dumps(measure(size, profile, int(seed))))
        return 0
    rows, failed = [], 0
    for size in args.sizes.split(','):
        # The largest sizes run the default profile unless told: each
        # takes minutes.
        names = (args.profiles.split(',') if args.profiles
                 else list(profiles.PROFILES) if SIZES[size][0] <= 1000
                 else ['default'])
        for profile in names:
            for seed in args.seeds.split(','):
                proc = subprocess.run(
                    [sys.executable, '-m', 'benchmarks.planner', '--one',
                     size, profile, seed], capture_output=True, text=True)
                if proc.returncode:
                    print('%s %s seed %s: failed\n%s' % (
                        size, profile, seed, proc.stderr[-2000:]))
                    failed += 1
                    continue
                f = json.loads(proc.stdout.strip().splitlines()[-1])
                print('  %s %s seed %s: emitted %.4f, gap %.4f to %s, '
                      'bound %.4f, %.1f s, %d migrations, %d left out' % (
                          size, profile, seed, f['objective'], _gap(f)[0],
                          _gap(f)[1], f['bound'], f['time'],
                          f['migrations'], f['left_out']),
                      file=sys.stderr)
                rows.append(f)
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(rows, out, indent=1)
    _report(rows)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
