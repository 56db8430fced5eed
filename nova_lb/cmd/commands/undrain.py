"""Let a drained host receive servers again.

Removes HOST from the draining aggregate (``[nova_lb]
draining_aggregate``); nova-scheduler and the rebalancer consider it again
from their next request or run. Servers do not move back by themselves:
the next rebalancing run fills the host as the balance asks.
"""

from nova_lb.conf import executor as executor_conf
from nova_lb.cloud import executor_api
from nova_lb.cloud import client
from nova_lb.rebalancer import flow


def add_arguments(parser):
    parser.add_argument('host', help='Compute service host name.')


def run(conf):
    cloud = executor_api.ExecutorApi(client.connect(conf.rebalancer.cloud,
                                           executor_conf.load(conf)))
    print(flow.undrain(cloud, conf.command.host,
                       conf.nova_lb.draining_aggregate))
    return 0
