"""Write a seeded synthetic cloud as a nova-lb-snapshot/1 file.

For trying plans, benchmarks and demos without a cloud: hosts of several
generations, skewed load, two availability zones, server groups, disabled
and down hosts and servers that may not move. The same arguments always
give the same file.
"""

import json
import os
import sys

from nova_lb import exception
from nova_lb import scenario


def add_arguments(parser):
    parser.add_argument('--hosts', type=int, default=50,
                        help='Number of compute hosts (at least 3).')
    parser.add_argument('--servers', type=int, default=1000,
                        help='Number of servers (at least 50).')
    parser.add_argument('--seed', type=int, default=0,
                        help='Random seed; the same seed gives the same '
                             'snapshot.')
    parser.add_argument('--output', metavar='FILE',
                        help='Write here instead of standard output; the '
                             'file is replaced only once complete.')


def run(conf):
    args = conf.command
    try:
        document = scenario.generate(args.hosts, args.servers, args.seed)
    except ValueError as e:
        raise exception.InvalidConfig('--hosts/--servers: %s' % e)
    if not args.output:
        json.dump(document, sys.stdout)
        sys.stdout.write('\n')
        return exception.EXIT_OK
    try:
        _write(document, args.output)
    except OSError as e:
        raise exception.NovaLBError('cannot write %s: %s'
                                    % (args.output, e.strerror or e))
    return exception.EXIT_OK


def _write(document, path):
    """Write to a temporary file beside ``path``, then rename it."""
    tmp = '%s.%d.tmp' % (path, os.getpid())
    try:
        with open(tmp, 'x') as f:
            json.dump(document, f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
