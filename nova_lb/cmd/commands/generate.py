"""Write a seeded synthetic cloud as a nova-lb-snapshot/1 file.

For trying plans, benchmarks and demos without a cloud: hosts of several
generations, skewed load, two availability zones, server groups, disabled
and down hosts and servers that may not move. The same arguments always
give the same file.
"""

from nova_lb.cmd import output
from nova_lb import exception
from nova_lb import scenario
from nova_lb.scenario import profiles


def add_arguments(parser):
    parser.add_argument('--hosts', type=int, default=50,
                        help='Number of compute hosts (at least 3).')
    parser.add_argument('--servers', type=int, default=1000,
                        help='Number of servers (at least 50).')
    parser.add_argument('--seed', type=int, default=0,
                        help='Random seed; the same seed gives the same '
                             'snapshot.')
    parser.add_argument('--profile', default='default',
                        choices=sorted(profiles.PROFILES),
                        help='Shape of the cloud (see '
                             'nova_lb.scenario.profiles).')
    parser.add_argument('--output', metavar='FILE',
                        help='Write here instead of standard output; the '
                             'file is replaced only once complete.')


def run(conf):
    args = conf.command
    try:
        document = scenario.generate(args.hosts, args.servers, args.seed,
                                     profile=args.profile)
    except ValueError as e:
        raise exception.InvalidConfig('--hosts/--servers: %s' % e)
    output.write_json(document, args.output)
    return exception.EXIT_OK
