"""``nova-lb``: the admin's command for snapshots, plans and drains."""

import sys

from nova_lb import cmd
from nova_lb.cmd.commands import apply
from nova_lb.cmd.commands import drain
from nova_lb.cmd.commands import generate
from nova_lb.cmd.commands import plan
from nova_lb.cmd.commands import snapshot
from nova_lb.cmd.commands import status
from nova_lb.cmd.commands import undrain

DESCRIPTION = ('Balance the load of an OpenStack Nova cloud: take snapshots, '
               'compute rebalancing plans and carry them out as live '
               'migrations.')

#: Sub-command name -> module in nova_lb.cmd.commands.
COMMANDS = {
    'apply': apply,
    'drain': drain,
    'generate': generate,
    'plan': plan,
    'snapshot': snapshot,
    'status': status,
    'undrain': undrain,
}


def main(argv=None):
    return cmd.main('nova-lb', DESCRIPTION, [cmd.subcommands(COMMANDS)],
                    lambda conf: conf.command.run(conf), argv)


if __name__ == '__main__':
    sys.exit(main())
