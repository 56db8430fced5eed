"""The planner in measured mode (``[solver] balance = measured``).

Profiles: the generated clouds of :mod:`benchmarks.planner` (over-committed
CPU, allocation ratios up to 16) with a generated ``metrics`` block
(:mod:`nova_lb.scenario.measured`): most servers idle, a few busy servers
on 15 % of the hosts, hotspots Placement does not show. Kept apart from
``benchmarks.planner`` so that the two evolve separately; sizes, time
targets and the reference MILP are that module's, the cost weights the
defaults.

For each size: ``planner.plan`` in measured mode
timed end to end, the checker's verdict on allocations, peak measured CPU
and memory (over physical capacity) before and after, the proven bound
and gap, migrations. Baselines measured in the same run: the measured
peaks after an allocation-mode plan of the same cloud (what nova-lb did
before), and on small clouds the reference exact MILP of
``benchmarks.planner`` on raw measured use (time-limited: with a shape
per server it does not finish on larger ones).

    python -m benchmarks.planner_measured [--sizes small,medium,large]
"""

import argparse
import dataclasses
import sys
import time

from benchmarks import planner as allocation_bench
from nova_lb.model import build
from nova_lb.model import snapshot
from nova_lb.planner import checker
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.scenario import measured
from nova_lb.solver import result
from tests.unit.solver import exact

MEASURED = ('measured:VCPU', 'measured:MEMORY_MB')


def _peaks(plan, side):
    block = getattr(plan, side)
    return {rc: block[rc]['peak'] for rc in MEASURED}


def measure(name, seed):
    n_hosts, n_servers, limit = allocation_bench.SIZES[name][:3]
    document = scenario.generate(n_hosts, n_servers, seed=seed)
    document['metrics'] = measured.metrics(document, seed=seed)
    snap = snapshot.parse(document)
    options = planner.Options(
        model=build.Options(measured=True),
        solver=result.Options(time_limit=limit))
    start = time.monotonic()
    plan = planner.plan(snap, options)
    elapsed = time.monotonic() - start
    violations = checker.check(snap, plan.to_json())
    # Baseline 1: what balancing allocations does to the measured peaks.
    alloc_options = dataclasses.replace(options, model=dataclasses.replace(
        options.model, measured=False))
    alloc_plan = planner.plan(snap, alloc_options)
    model = build.build(snap, options.model)
    after = model.location.copy()
    index = {s: i for i, s in enumerate(model.servers)}
    hosts = {h: i for i, h in enumerate(model.hosts)}
    for m in alloc_plan.migrations:
        after[index[m.server]] = hosts[m.destination]
    util = model.utilisation(after)[model.accepts]
    cols = [model.resource_classes.index(rc) for rc in MEASURED]
    figures = {
        'size': name, 'hosts': n_hosts, 'servers': n_servers,
        'time': elapsed, 'migrations': len(plan.migrations),
        'waves': len(plan.waves), 'violations': len(violations),
        'without_data': len(plan.load['without_data']),
        'before': _peaks(plan, 'before'), 'after': _peaks(plan, 'after'),
        'objective': plan.solver['objective'],
        'bound': plan.solver['bound'], 'gap': plan.solver['gap'],
        'status': plan.solver['status'],
        'alloc_migrations': len(alloc_plan.migrations),
        'alloc_after': {rc: float(util[:, j].max())
                        for rc, j in zip(MEASURED, cols)}}
    if name == 'small':
        best, dual = exact.optimum(
            model, allocation_bench.REFERENCE_TIME[name], require=False)
        figures.update(ref_objective=best, ref_bound=dual,
                       fewest=allocation_bench._fewest(model, {
                           rc: plan.after[rc]['peak'] for rc in plan.after}))
    return figures


def _row(f):
    lines = [
        '%s (measured) %d hosts / %d servers: %.1f s (target %.0f s), %d '
        'migrations in %d waves, checker: %s, %d servers without data' % (
            f['size'], f['hosts'], f['servers'], f['time'],
            allocation_bench.SIZES[f['size']][3], f['migrations'],
            f['waves'], 'valid' if not f['violations']
            else '%d VIOLATIONS' % f['violations'], f['without_data'])]
    for rc in MEASURED:
        lines.append('  %-18s peak %.3f -> %.3f (allocation-mode plan: '
                     '%.3f with %d migrations)' % (
                         rc, f['before'][rc], f['after'][rc],
                         f['alloc_after'][rc], f['alloc_migrations']))
    bound = max(f['bound'], f.get('ref_bound', 0.0))
    lines.append('  weighted measured peak %.3f, proven bound %.3f: %.3f '
                 'above it (target <= 0.02); solver %s' % (
                     f['objective'], bound, f['objective'] - bound,
                     f['status']))
    if f.get('ref_objective') is not None:
        lines.append('  reference MILP: peak %.3f (dual bound %.3f); fewest '
                     'migrations reaching the plan\'s peaks: %s; plan uses '
                     '%d' % (f['ref_objective'], f['ref_bound'],
                             f['fewest'], f['migrations']))
    elif 'ref_bound' in f:
        lines.append('  reference MILP: no solution within %.0f s'
                     % allocation_bench.REFERENCE_TIME[f['size']])
    return '\n'.join(lines)


def main(argv=None):
    """Each size in this process: no peak memory is reported here (see
    ``benchmarks.planner`` for it)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='small,medium,large')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    for name in args.sizes.split(','):
        print(_row(measure(name, args.seed)))
        sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
