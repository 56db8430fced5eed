"""Compute a rebalancing plan, from a snapshot file or the live cloud.

Nothing moves: the plan (nova-lb-plan/1) is printed as a table or as JSON
for review, and can be carried out later with ``nova-lb apply``. With
``--frontier`` it prints instead the best weighted peak reachable with at
most N migrations for a range of N (and draws it with ``--chart``). Exit
codes: 0 a plan was found (maybe empty), 1 error, 2 bad input.
"""

import collections
import dataclasses
import sys

from nova_lb.cloud import client
from nova_lb.cloud import collector
from nova_lb.cmd import output
from nova_lb.conf import executor as executor_conf
from nova_lb import exception
from nova_lb.metrics import reader
from nova_lb.metrics import settings as metrics_settings
from nova_lb.model import snapshot
from nova_lb.planner import frontier
from nova_lb.planner import planner


def add_arguments(parser):
    parser.add_argument('--snapshot', metavar='FILE',
                        help='Plan for this nova-lb-snapshot/1 file instead '
                             'of a live snapshot of the cloud.')
    parser.add_argument('--format', choices=('table', 'json'),
                        default='table', help='Output format.')
    parser.add_argument('--output', metavar='FILE',
                        help='Write the plan here instead of standard '
                             'output (a JSON plan replaces the file only '
                             'once complete).')
    parser.add_argument('--frontier', action='store_true',
                        help='Print the best weighted peak reachable with '
                             'at most N migrations, for N from 0 to the '
                             'unlimited plan (each point a full, checked '
                             'plan), instead of one plan.')
    parser.add_argument('--chart', metavar='FILE.png',
                        help='With --frontier: also draw peak against '
                             'migrations into this PNG (needs '
                             'matplotlib).')


def snapshot_and_options(conf, snapshot_path=None, conn=None):
    """``(snapshot, planner options)`` for a snapshot file, or for the
    live cloud through ``conn`` (an openstacksdk connection; default: one
    to ``[rebalancer] cloud``), with measured load when ``[metrics]`` is
    configured."""
    options = planner.options_from_conf(conf)
    if snapshot_path:
        return snapshot.load(snapshot_path), options
    settings = executor_conf.load(conf)
    api = (client.Client.configured(conn, settings) if conn else
           client.connect(conf.rebalancer.cloud, settings))
    document = collector.collect(api)
    measured = metrics_settings.for_run(conf)
    if measured is not None and reader.attach(document, measured):
        options = options.allocations_only()
    return snapshot.parse(document, 'live snapshot'), options


def make_plan(conf, snapshot_path=None, conn=None):
    """The plan (see :func:`snapshot_and_options` for the arguments)."""
    return planner.plan(*snapshot_and_options(conf, snapshot_path, conn))


def make_frontier(conf, snapshot_path=None, conn=None):
    """The frontier's points (see :func:`snapshot_and_options` for the
    arguments and :mod:`nova_lb.planner.frontier`)."""
    return frontier.frontier(*snapshot_and_options(conf, snapshot_path,
                                                   conn))


def run(conf):
    args = conf.command
    if args.chart and not args.frontier:
        raise exception.InvalidConfig('--chart needs --frontier')
    if args.chart:
        # Fail before minutes of planning, not after.
        chart = _pyplot()
    if args.frontier:
        points = make_frontier(conf, args.snapshot)
        if args.format == 'json':
            output.write_json({'frontier': [
                dataclasses.asdict(p) for p in points]}, args.output)
        else:
            _write(frontier_table(points), args.output)
        if args.chart:
            _draw(chart, points, args.chart)
        return 0
    result = make_plan(conf, args.snapshot)
    if args.format == 'json':
        output.write_json(result.to_json(), args.output)
    else:
        _write(table(result), args.output)
    return 0


def _write(text, path):
    if not path:
        sys.stdout.write(text)
        return
    try:
        with open(path, 'w') as f:
            f.write(text)
    except OSError as e:
        raise exception.NovaLBError('cannot write %s: %s'
                                    % (path, e.strerror or e))


def _pyplot():
    """matplotlib's pyplot on a file-only backend, or a clear error."""
    try:
        import matplotlib
    except ImportError:
        raise exception.InvalidConfig(
            '--chart needs matplotlib, which is not installed: '
            'pip install matplotlib')
    matplotlib.use('Agg')
    from matplotlib import pyplot
    return pyplot


def _draw(pyplot, points, path):
    figure, axes = pyplot.subplots(figsize=(7, 4))
    # By migrations made: a budget may keep a smaller budget's plan.
    drawn = sorted({(p.migrations, p.peak) for p in points})
    axes.step([m for m, _ in drawn], [peak for _, peak in drawn],
              where='post', marker='o')
    axes.axhline(points[-1].bound, linestyle=':', color='grey',
                 label='proven bound (unlimited)')
    axes.set_xscale('symlog', linthresh=10)
    axes.set_xlim(left=0)
    axes.set_xlabel('migrations')
    axes.set_ylabel('weighted peak utilisation')
    axes.set_title('What the plan buys')
    axes.legend()
    figure.tight_layout()
    try:
        figure.savefig(path, dpi=100)
    except OSError as e:
        raise exception.NovaLBError('cannot write %s: %s'
                                    % (path, e.strerror or e))
    finally:
        pyplot.close(figure)


def frontier_table(points):
    """The frontier for a human: one line per migration budget."""
    lines = ['%-10s %10s %14s %12s' % ('at most', 'migrations',
                                       'weighted peak', 'gain')]
    for p in points:
        lines.append('%-10s %10d %14.3f %12.3f' % (
            'unlimited' if p.budget is None else p.budget, p.migrations,
            p.peak, points[0].peak - p.peak))
    lines.append('proven bound (unlimited): %.3f' % points[-1].bound)
    return '\n'.join(lines) + '\n'


def table(result):
    """The plan for a human: utilisation, waves, gap, who stays and why.

    Names come from the snapshot: each line is escaped as a whole.
    """
    lines = ['%-18s %22s %22s' % ('utilisation', 'before peak/mean/sd',
                                  'after peak/mean/sd')]
    for rc in result.before:
        lines.append('%-18s %22s %22s' % (rc, _stats(result.before[rc]),
                                          _stats(result.after.get(rc))))
    info = result.solver
    lines.append('')
    lines.append('solver: %s, weighted peak %.3f, proven bound %.3f, '
                 'gap %.3f, %.1f s' % (
                     info.get('status'), info.get('objective', 0.0),
                     info.get('bound', 0.0), info.get('gap', 0.0),
                     info.get('time', 0.0)))
    if result.load.get('balance') == 'measured':
        lines.append('balanced measured load (%s over %s s); %d servers '
                     'without data counted at their allocation' % (
                         result.load.get('statistic'),
                         result.load.get('window_s'),
                         len(result.load.get('without_data', ()))))
    lines.append('%d migrations in %d waves' % (len(result.migrations),
                                                len(result.waves)))
    for number, wave in enumerate(result.waves):
        lines.append('wave %d:' % number)
        lines.extend('  %s  %s -> %s' % (m.server, m.source, m.destination)
                     for m in wave)
    for item in result.left_out:
        lines.append('left out: %s %s -> %s: %s' % (
            item['server'], item['source'], item['destination'],
            item['reason']))
    lines.extend(item['message'] for item in result.leftovers)
    reasons = collections.Counter(result.left_alone.values())
    if reasons:
        lines.append('')
        lines.append('servers left alone, by reason:')
        lines.extend('  %6d  %s' % (n, why)
                     for why, n in reasons.most_common())
    return output.lines(lines)


def _stats(summary):
    if not summary:
        return '-'
    return '%.3f/%.3f/%.3f' % (summary['peak'], summary['mean'],
                               summary['stddev'])
