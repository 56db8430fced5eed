"""Show the rebalancer's last run and its current plan.

Reads ``last-run.json`` and ``plan.json`` in ``[rebalancer] state_dir``;
does not contact the cloud, and changes nothing: a missing state directory
is shown as no run yet, not created. Broken state (a file cut short by a
full disk, edited by hand, or written by another version) is shown as
such, and the exit code is 1, while the other file is still shown.
"""

import datetime
import json

from nova_lb.cmd import output
from nova_lb.conf import rebalancer as rebalancer_conf
from nova_lb import exception
from nova_lb.planner import plan as plan_mod
from nova_lb.rebalancer import state as state_mod


def add_arguments(parser):
    parser.add_argument('--json', action='store_true',
                        help='Print both documents as one JSON object.')


def run(conf):
    state = state_mod.State(rebalancer_conf.load(conf).state_dir,
                            create=False)
    last_run, run_lines, run_problem = _read(state, state_mod.LAST_RUN,
                                             describe_run)
    plan, plan_lines, plan_problem = _read(state, state_mod.PLAN,
                                           describe_plan)
    problems = [p for p in (run_problem, plan_problem) if p]
    if conf.command.json:
        print(json.dumps({'last_run': last_run, 'plan': plan,
                          'problems': problems}, indent=1, sort_keys=True))
    else:
        print(output.lines(
            (run_lines or ['Last run: %s' % run_problem]) + [''] +
            (plan_lines or ['Current plan: %s' % plan_problem])), end='')
    return exception.EXIT_ERROR if problems else exception.EXIT_OK


def _read(state, name, describe):
    """``(document, describe(document), None)``, or ``(None, None, what is
    wrong)`` for a state file that cannot be read or described."""
    try:
        document = state.read(name)
        return document, describe(document), None
    except exception.NovaLBError as e:
        return None, None, str(e)
    except (AttributeError, KeyError, TypeError, ValueError, OverflowError,
            OSError) as e:
        return None, None, '%s: not usable: %s: %s' % (
            state.path(name), type(e).__name__, e)


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
    dropped = summary.get('dropped') or {}
    lines += ['  dropped from the reviewed plan: server %s: %s' % item
              for item in sorted(dropped.items())]
    before = summary.get('before') or {}
    after = summary.get('after') or {}
    predicted = summary.get('predicted_after') or {}
    for rc in sorted(before):
        lines.append('  %-10s peak %.1f%% -> %s measured (plan predicted '
                     '%s)' % (rc, 100 * before[rc]['peak'],
                              _peak(after.get(rc)), _peak(predicted.get(rc))))
    lines += ['  %s' % message for message in summary.get('leftovers', ())]
    lines += describe_policy(summary)
    return lines


def describe_policy(summary):
    """Which churn policies held the run back or kept servers in place."""
    lines = []
    if summary.get('held_by'):
        lines.append('  held back by %s: %s' % (
            ', '.join(summary['held_by']), summary['held']))
    kept = summary.get('kept_by_policy') or {}
    if kept:
        lines.append('  servers kept in place by %s' % ', '.join(
            '%s (%d)' % item for item in sorted(kept.items())))
    if summary.get('migrations_last_day') is not None:
        lines.append('  %d migrations in the last 24 h'
                     % summary['migrations_last_day'])
    if summary.get('imbalance_before') is not None:
        after = summary.get('imbalance_after')
        lines.append('  imbalance score %.2f -> %s' % (
            summary['imbalance_before'],
            '-' if after is None else '%.2f' % after))
    return lines


def _peak(stats):
    return '%.1f%%' % (100 * stats['peak']) if stats else '-'


def describe_plan(plan):
    if not plan:
        return ['Current plan: none yet']
    plan_mod.Plan.from_json(plan)   # not a nova-lb-plan/1: ValueError
    moves = plan['migrations']
    lines = ['Current plan: %d migrations in %d waves' % (
        len(moves), len({m['wave'] for m in moves}))]
    for rc in sorted(plan.get('before', {})):
        before, after = plan['before'][rc], plan['after'].get(rc, {})
        lines.append('  %-10s peak %.1f%% -> %.1f%%, stddev %.1f%% -> %.1f%%'
                     % (rc, 100 * before['peak'], 100 * after.get('peak', 0),
                        100 * before['stddev'],
                        100 * after.get('stddev', 0)))
    lines += describe_imbalance(plan)
    lines += ['  wave %(wave)d: %(server)s %(source)s -> %(destination)s' % m
              for m in moves]
    lines += ['  %s' % item['message'] for item in plan.get('leftovers', ())]
    return lines


def describe_imbalance(plan):
    """The imbalance scores (0-1) of the cloud and of each class."""
    cloud = plan.get('imbalance') or {}
    if cloud.get('before') is None:
        return []
    before, after = plan.get('before', {}), plan.get('after', {})
    return ['  imbalance score (0 balanced - 1): cloud %.2f -> %.2f%s' % (
        cloud['before'], cloud['after'], ''.join(
            ', %s %.2f -> %.2f' % (rc, before[rc]['imbalance'],
                                   after[rc]['imbalance'])
            for rc in sorted(before)
            if 'imbalance' in before[rc] and rc in after))]
