"""Empty a host: stop it receiving servers and live-migrate its servers away.

Adds HOST to the draining aggregate (``[nova_lb] draining_aggregate``,
created if missing), so nova-scheduler's DrainingHostFilter sends no new
server there, then plans, with the same model, solver and checks as a
rebalancing, moves that take every movable server off HOST to the best
destinations, and carries them out. Servers that cannot move (excluded,
pinned by their server group, no room elsewhere) stay and are listed.
The host stays in the aggregate until ``nova-lb undrain HOST``.
"""

from nova_lb.rebalancer import daemon
from nova_lb.rebalancer import flow
from nova_lb.rebalancer import outcome


def add_arguments(parser):
    parser.add_argument('host', help='Compute service host name.')


def run(conf):
    summary = flow.drain(conf, conf.command.host,
                         conf.nova_lb.draining_aggregate,
                         stopper=daemon.handle_signals())
    left = summary.get('left_on_host', [])
    print('%s: %d servers moved, %d failed, %d still on the host%s' % (
        conf.command.host, summary.get('done', 0), summary.get('failed', 0),
        len(left), (': ' + ', '.join(left)) if left else ''))
    return outcome.exit_code(summary)

