"""``[nova_lb]`` read into what both halves judge a host with.

The scheduler plugin reads nova.conf's ``[nova_lb]`` per request, the
rebalancer its nova-lb.conf's once per run; both go through :func:`load`,
so a value one half refuses the other refuses too, in the same words.
The options themselves are declared in :mod:`nova_lb.conf.nova_lb_group`.
"""

from oslo_config import cfg

from nova_lb.conf import nova_lb_group
from nova_lb import exception
from nova_lb.model import cost

_GROUP = nova_lb_group.GROUP.name
_CEILING_OPTS = nova_lb_group.CEILING_OPTS


class Settings(object):
    """``[nova_lb]`` read and checked once: what a request or run uses."""

    __slots__ = ('cost', 'ceilings', 'weight_multiplier')

    def __init__(self, cost, ceilings, weight_multiplier):
        self.cost = cost
        self.ceilings = ceilings
        self.weight_multiplier = weight_multiplier


def load(conf):
    """Read ``[nova_lb]`` from ``conf`` into a :class:`Settings`.

    :raises nova_lb.exception.InvalidConfig: naming the option and the
        problem in one line, for a bad value in the file or a combination
        the cost model rejects.
    """
    group = conf[_GROUP]
    try:
        weights = dict(group.resource_weights)
        imbalance = group.imbalance_weight
        ceilings = {rc: getattr(group, opt)
                    for rc, opt in _CEILING_OPTS.items()}
        multiplier = group.weight_multiplier
    except (cfg.ConfigFileValueError, ValueError) as e:
        raise exception.InvalidConfig('[%s] %s' % (_GROUP, e))
    for rc, ceiling in ceilings.items():
        if ceiling <= 0:
            raise exception.InvalidConfig(
                '[%s] %s must be > 0 (1.0 disables it), not %s'
                % (_GROUP, _CEILING_OPTS[rc], ceiling))
    try:
        model = cost.CostModel.build(weights, imbalance)
    except ValueError as e:
        raise exception.InvalidConfig(
            '[%s] resource_weights/imbalance_weight: %s' % (_GROUP, e))
    return Settings(model, ceilings, multiplier)
