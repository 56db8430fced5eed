"""``nova-lb-rebalancer``: collect, plan and execute, again and again.

Runs every ``[rebalancer] interval`` seconds until SIGTERM, or once with
``--once`` (for a systemd timer). ``--dry-run`` plans and publishes but
moves nothing, whatever ``[rebalancer] automation`` says.
"""

import sys

from oslo_config import cfg

from nova_lb import cmd
from nova_lb import exception
from nova_lb.rebalancer import daemon
from nova_lb.rebalancer import outcome

DESCRIPTION = ('Keep the compute hosts of an OpenStack Nova cloud evenly '
               'loaded by live-migrating servers, every [rebalancer] '
               'interval seconds.')

CLI_OPTS = [
    cfg.BoolOpt('once', default=False,
                help='Do one run and exit (for a systemd timer or cron). '
                     'The exit code is 1 unless the run was done or '
                     'skipped (see "Outcomes" in the admin guide).'),
    cfg.BoolOpt('dry-run', default=False,
                help='Plan and publish the plan, move nothing.'),
]


def _run(conf):
    rebalancer = daemon.Daemon(conf, dry_run=conf.dry_run)
    daemon.handle_signals(rebalancer.stopper)
    if not conf.once:
        rebalancer.run_forever()
        return exception.EXIT_OK
    return outcome.exit_code(rebalancer.run_once())


def main(argv=None):
    return cmd.main('nova-lb-rebalancer', DESCRIPTION, CLI_OPTS, _run, argv)


if __name__ == '__main__':
    sys.exit(main())
