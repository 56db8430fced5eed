"""``tools/demo``: nova-lb rebalancing a real in-process Nova cloud.

Starts Nova's API, conductor and scheduler (nova-lb's HeadroomFilter and
BalancedUtilizationWeigher enabled through nova.conf settings), the real
Placement and ``--hosts`` fake-driver computes of three sizes, all in this
process; boots a skewed load; runs the rebalancer daemon once; shows each
host's utilisation before and after and draws it into a PNG. Exits 0 when
the daemon succeeded and every invariant holds, 1 otherwise, 2 on bad
input.
"""

# Nova's harness first: it monkey-patches eventlet on import.
from demo import cloud as demo_cloud  # isort:skip

import argparse
import os
import sys
import time

from nova_lb import exception

from demo import story


def parse(argv):
    parser = argparse.ArgumentParser(
        prog='tools/demo', description=__doc__.split('\n\n')[1].replace(
            '\n', ' '))
    parser.add_argument('--hosts', type=int, default=6,
                        help='compute hosts, sizes cycling through 8 vCPU/'
                             '16 GB, 16 vCPU/32 GB, 32 vCPU/64 GB '
                             '(default 6, at least 3)')
    parser.add_argument('--servers', type=int, default=20,
                        help='servers to boot (default 20)')
    parser.add_argument('--seed', type=int, default=1,
                        help='seed of the random flavor choice (default 1)')
    parser.add_argument('--manual', action='store_true',
                        help='stop at the plan: automation = manual, '
                             'nothing moves')
    parser.add_argument('--load', choices=('allocations', 'measured'),
                        default='allocations',
                        help="what is out of balance: allocations (a "
                             "skewed boot), or measured: servers booted "
                             "evenly, one host's busy, its load read from "
                             "Debian's Prometheus ([solver] balance = "
                             "measured)")
    parser.add_argument('--output', default='nova-lb-demo.png',
                        help='the before/after chart (default '
                             './nova-lb-demo.png)')
    options = parser.parse_args(argv)
    if options.hosts < 3:
        parser.error('--hosts must be at least 3')
    if options.servers < 1:
        parser.error('--servers must be at least 1')
    directory = os.path.dirname(os.path.abspath(options.output))
    if not os.access(directory, os.W_OK):
        parser.error('--output: cannot write in %s' % directory)
    return options


def run(options, out):
    """The demo; returns the :class:`demo.story.Outcome`.

    :raises demo.cloud.DemoFailed: the cloud or the story broke.
    :raises nova_lb.exception.NovaLBError: e.g. no room for the servers.
    """
    hosts = demo_cloud.sized_hosts(options.hosts)
    out.write('Starting an in-process cloud: Nova API, conductor, scheduler '
              '(with nova-lb\'s filter and weigher), Placement, %d computes'
              '...\n' % len(hosts))
    out.flush()
    return demo_cloud.run_in_cloud(
        hosts, lambda cloud: story.tell(cloud, options, out))


def exit_code(outcome, out):
    """0 when the daemon succeeded and every invariant holds."""
    for violation in outcome.violations:
        out.write('INVARIANT BROKEN: %s\n' % violation)
    if outcome.daemon.exit_code:
        out.write('The rebalancer exited with %d.\n'
                  % outcome.daemon.exit_code)
    if outcome.violations or outcome.daemon.exit_code:
        return exception.EXIT_ERROR
    out.write('Invariants hold: every server ACTIVE, Placement usage = sum '
              'of allocations, no host over capacity.\n')
    return exception.EXIT_OK


def main(argv=None, out=sys.stdout):
    options = parse(argv)
    started = time.monotonic()
    try:
        outcome = run(options, out)
    except exception.NovaLBError as e:
        print('tools/demo: error: %s' % e, file=sys.stderr)
        return e.exit_code
    except demo_cloud.DemoFailed as e:
        print('tools/demo: the demo broke:\n%s' % e, file=sys.stderr)
        return exception.EXIT_ERROR
    code = exit_code(outcome, out)
    out.write('Done in %.0f s.\n' % (time.monotonic() - started))
    return code
