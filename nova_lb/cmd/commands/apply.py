"""Carry out a reviewed plan as live migrations.

The plan (a ``nova-lb-plan/1`` file, e.g. the ``plan.json`` a rebalancer
in ``automation = manual`` publishes) is first checked against a fresh
snapshot of the cloud with the independent checker: a plan whose servers
moved or are gone, or whose destinations no longer have room, is refused
with the reasons and nothing moves. Each move is checked once more just
before it starts.
"""

from nova_lb.rebalancer import daemon
from nova_lb.rebalancer import flow
from nova_lb.rebalancer import outcome


def add_arguments(parser):
    parser.add_argument('plan', metavar='PLAN.json',
                        help='The plan file to carry out.')


def run(conf):
    document, plan = flow.load_plan(conf.command.plan)
    summary = flow.apply(conf, document, plan, stopper=daemon.handle_signals())
    print('%s: %d moves done, %d failed, %d skipped, %d not started%s' % (
        summary['outcome'], summary.get('done', 0), summary.get('failed', 0),
        summary.get('skipped', 0), summary.get('not_started', 0),
        ' (stopped: %s)' % summary['stopped'] if summary.get('stopped')
        else ''))
    return outcome.exit_code(summary)

