"""tools/minicloud: run a real multi-process Nova cloud on 127.0.0.1.

  install                 Debian and pip packages (root; idempotent)
  start [--computes N] [--migration-seconds S] [--compute-size K:V:M:D]
        [--no-plugin] [--etcd] [--prometheus] ...
                          a fresh cloud (wipes the work dir except cache/)
  stop                    stop every service; nothing left listening
  status [--json]         PID, readiness and RSS of each service
  kill SERVICE            SIGKILL a service's process group (a crash)
  restart SERVICE         stop (or reap) and start one service, wait ready
  wait [--timeout S]      until every service answers and Nova reports
                          every nova service up (use after faults)
  services                list the service names of the running cloud

The work dir is --workdir, else $MINICLOUD_WORKDIR, else
/var/tmp/nova-lb-minicloud. Point openstacksdk at <workdir>/clouds.yaml
(OS_CLIENT_CONFIG_FILE) and use cloud `minicloud`.
"""

import argparse
import json
import os
import sys

from minicloud_lib import layout as L
from minicloud_lib import lifecycle
from minicloud_lib import ops


def _size(text):
    try:
        index, vcpus, memory_mb, disk_gb = (int(x) for x in text.split(':'))
    except ValueError:
        raise argparse.ArgumentTypeError(
            'expected K:VCPUS:MEMORY_MB:DISK_GB, e.g. 2:16:32768:400, not %r'
            % text)
    return index, (vcpus, memory_mb, disk_gb)


def _parser():
    p = argparse.ArgumentParser(
        prog='minicloud', description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--workdir', default=os.environ.get(
        'MINICLOUD_WORKDIR', L.DEFAULT_WORKDIR))
    sub = p.add_subparsers(dest='command', required=True)
    sub.add_parser('install', help='install Debian and pip packages')
    start = sub.add_parser('start', help='start a fresh cloud')
    start.add_argument('--computes', type=int, default=3)
    start.add_argument('--migration-seconds', type=float, default=0.0,
                       help='how long each live migration takes')
    start.add_argument('--vcpus', type=int, default=8)
    start.add_argument('--memory-mb', type=int, default=16384)
    start.add_argument('--disk-gb', type=int, default=200)
    start.add_argument('--compute-size', action='append', default=[],
                       type=_size, metavar='K:VCPUS:MEMORY_MB:DISK_GB',
                       help='inventory of compute K (repeatable); the '
                            'others get --vcpus/--memory-mb/--disk-gb')
    start.add_argument('--no-plugin', action='store_true',
                       help="don't enable nova_lb's filters and weighers")
    start.add_argument('--etcd', action='store_true',
                       help='also run etcd (service etcd) for '
                            '[rebalancer] coordination_url')
    start.add_argument('--prometheus', action='store_true',
                       help="serve each compute's synthetic guest load and "
                            "start Debian's Prometheus scraping it")
    start.add_argument('--debug', action='store_true',
                       help='debug logging in every OpenStack service')
    start.add_argument('--no-schema-cache', action='store_true',
                       help='sync schemas even if a cached snapshot exists')
    sub.add_parser('stop', help='stop everything')
    status = sub.add_parser('status', help='show services')
    status.add_argument('--json', action='store_true')
    sub.add_parser('services', help='list service names')
    wait = sub.add_parser('wait', help='wait until the whole cloud is up')
    wait.add_argument('--timeout', type=float, default=120)
    for name in ('kill', 'restart'):
        cmd = sub.add_parser(name, help='%s one service' % name)
        cmd.add_argument('service')
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    lay = L.Layout(args.workdir)
    try:
        if args.command == 'install':
            lifecycle.install()
        elif args.command == 'start':
            lifecycle.start(lay, lifecycle.options(
                computes=args.computes,
                migration_seconds=args.migration_seconds,
                plugin=not args.no_plugin, debug=args.debug,
                vcpus=args.vcpus, memory_mb=args.memory_mb,
                local_gb=args.disk_gb, sizes=dict(args.compute_size),
                etcd=args.etcd, prometheus=args.prometheus),
                use_cache=not args.no_schema_cache)
        elif args.command == 'stop':
            lifecycle.stop(lay)
        elif args.command == 'status':
            rows = ops.status(lay)
            if args.json:
                print(json.dumps(rows, indent=2))
            else:
                ops.print_status(rows)
        elif args.command == 'services':
            print('\n'.join(ops.service_names(lay)))
        elif args.command == 'wait':
            ops.wait_healthy(lay, args.timeout)
        elif args.command == 'kill':
            ops.kill(lay, args.service)
        elif args.command == 'restart':
            ops.restart(lay, args.service)
    except lifecycle.LifecycleError as exc:
        print('minicloud: error: %s' % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
