"""All nova-lb options, declared in one place.

Each module in this package declares the options of one group and offers
``register_opts(conf)`` and ``list_opts()``; this module registers them all
on the global ``CONF``. The scheduler plugin registers them into
nova-scheduler's own ``cfg.CONF`` on import, which is how nova.conf gets its
``[nova_lb]`` section.
"""

from oslo_config import cfg

from nova_lb.conf import balance
from nova_lb.conf import executor
from nova_lb.conf import planner
from nova_lb.conf import rebalancer
from nova_lb.conf import solver

CONF = cfg.CONF

_MODULES = (balance, rebalancer, executor, solver, planner)


def register_opts(conf):
    for module in _MODULES:
        module.register_opts(conf)


def modules():
    """The option modules, in the order the sample config lists them."""
    return _MODULES


register_opts(CONF)
