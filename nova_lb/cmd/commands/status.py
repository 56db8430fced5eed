"""Show the rebalancer's last run and its current plan.

Reads ``last-run.json`` and ``plan.json`` in ``[rebalancer] state_dir``;
does not contact the cloud.
"""

import datetime
import json

from nova_lb.conf import rebalancer as rebalancer_conf
from nova_lb.rebalancer import state as state_mod


def add_arguments(parser):
    parser.add_argument('--json', action='store_true',
                        help='Print both documents as one JSON object.')


def run(conf):
    state = state_mod.State(rebalancer_conf.load(conf).state_dir)
    last_run = state.read(state_mod.LAST_RUN)
    plan = state.read(state_mod.PLAN)
    if conf.command.json:
        print(json.dumps({'last_run': last_run, 'plan': plan}, indent=1,
                         sort_keys=True))
        return 0
    print('\n'.join(describe_run(last_run) + [''] + describe_plan(plan)))
    return 0


def describe_run(summary):
    if not summary:
        return ['Last run: none yet']
    ended = datetime.datetime.fromtimestamp(
        summary['ended_at'], datetime.timezone.utc)
    lines = ['Last run: %s, ended %s after %.1fs: %s%s' % (
        summary['kind'], ended.strftime('%Y-%m-%d %H:%M:%S UTC'),
        summary['duration'], summary.get('outcome', 'unknown outcome'),
        '' if summary.get('success') else ' (needs an admin)')]
    if summary.get('reason'):
        lines.append('  reason: %s' % summary['reason'])
    if 'hosts' in summary:
        lines.append('  %(hosts)d hosts, %(servers)d servers' % summary)
    if 'done' in summary:
        lines.append('  moves: %d done, %d failed, %d skipped, %d not '
                     'started' % (summary['done'], summary['failed'],
                                  summary['skipped'],
                                  summary['not_started']))
    before = summary.get('before') or {}
    after = summary.get('after') or {}
    predicted = summary.get('predicted_after') or {}
    for rc in sorted(before):
        lines.append('  %-10s peak %.1f%% -> %s measured (plan predicted '
                     '%s)' % (rc, 100 * before[rc]['peak'],
                              _peak(after.get(rc)), _peak(predicted.get(rc))))
    lines += ['  %s' % message for message in summary.get('leftovers', ())]
    return lines


def _peak(stats):
    return '%.1f%%' % (100 * stats['peak']) if stats else '-'


def describe_plan(plan):
    if not plan:
        return ['Current plan: none yet']
    moves = plan['migrations']
    lines = ['Current plan: %d migrations in %d waves' % (
        len(moves), len({m['wave'] for m in moves}))]
    for rc in sorted(plan.get('before', {})):
        before, after = plan['before'][rc], plan['after'].get(rc, {})
        lines.append('  %-10s peak %.1f%% -> %.1f%%, stddev %.1f%% -> %.1f%%'
                     % (rc, 100 * before['peak'], 100 * after.get('peak', 0),
                        100 * before['stddev'],
                        100 * after.get('stddev', 0)))
    lines += ['  wave %(wave)d: %(server)s %(source)s -> %(destination)s' % m
              for m in moves]
    lines += ['  %s' % item['message'] for item in plan.get('leftovers', ())]
    return lines
