"""All nova-lb options, declared in one place.

Each module in this package declares the options of one group as ``GROUP``
and ``OPTS``, importing nothing but oslo.config, the standard library and
each other (as Nova's ``nova/conf``). What turns options into domain
objects lives next to what it builds (:mod:`nova_lb.model.cost_settings`,
:meth:`nova_lb.solver.result.Options.from_conf`,
:mod:`nova_lb.metrics.settings`); ``[executor]``, ``[planner]`` and
``[rebalancer]`` are read by their ``load(conf)`` into plain frozen
records of the values. This module registers them all on the global
``CONF``. The scheduler plugin registers them into
nova-scheduler's own ``cfg.CONF`` on import, which is how nova.conf gets its
``[nova_lb]`` section.
"""

from oslo_config import cfg

from nova_lb.conf import executor
from nova_lb.conf import metrics
from nova_lb.conf import nova_lb_group
from nova_lb.conf import planner
from nova_lb.conf import rebalancer
from nova_lb.conf import solver

CONF = cfg.CONF

_MODULES = (nova_lb_group, rebalancer, executor, solver, planner, metrics)


def register_opts(conf):
    for group, opts in list_opts():
        conf.register_group(group)
        conf.register_opts(opts, group=group)


def list_opts():
    """Every (group, options) pair, in the order the sample lists them."""
    return [(module.GROUP, module.OPTS) for module in _MODULES]


register_opts(CONF)
