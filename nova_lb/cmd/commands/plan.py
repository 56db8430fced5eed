"""Compute a rebalancing plan, from a snapshot file or the live cloud.

Nothing moves: the plan (nova-lb-plan/1) is printed as a table or as JSON
for review, and can be carried out later with ``nova-lb apply``. Exit
codes: 0 a plan was found (maybe empty), 1 error, 2 bad input.
"""

import collections
import sys

from nova_lb.cmd import output
from nova_lb.conf import executor as executor_conf
from nova_lb.conf import metrics as metrics_conf
from nova_lb import exception
from nova_lb.gateway import client
from nova_lb.metrics import reader
from nova_lb.model import collector
from nova_lb.model import snapshot
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


def make_plan(conf, snapshot_path=None, conn=None):
    """The plan for a snapshot file, or for the live cloud through ``conn``
    (an openstacksdk connection; default: one to ``[rebalancer] cloud``),
    with measured load when ``[metrics]`` is configured."""
    options = planner.options_from_conf(conf)
    if snapshot_path:
        snap = snapshot.load(snapshot_path)
    else:
        settings = executor_conf.load(conf)
        gateway = (client.Client.configured(conn, settings) if conn else
                   client.connect(conf.rebalancer.cloud, settings))
        document = collector.collect(gateway)
        measured = metrics_conf.for_run(conf)
        if measured is not None and reader.attach(document, measured):
            options = options.allocations_only()
        snap = snapshot.parse(document, 'live snapshot')
    return planner.plan(snap, options)


def run(conf):
    args = conf.command
    result = make_plan(conf, args.snapshot)
    if args.format == 'json':
        output.write_json(result.to_json(), args.output)
    elif args.output:
        try:
            with open(args.output, 'w') as f:
                f.write(table(result))
        except OSError as e:
            raise exception.NovaLBError('cannot write %s: %s'
                                        % (args.output, e.strerror or e))
    else:
        sys.stdout.write(table(result))
    return 0


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
