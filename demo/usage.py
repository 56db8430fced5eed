"""Per-host utilisation as Placement reports it, and the cloud's summary.

Read straight from Placement (inventories and usages of each compute
node's resource provider), not from nova-lb's own model: the demo shows
what the cloud says, which is what the rebalancer must have changed.
"""

import dataclasses

from nova_lb.model import build
from nova_lb.model import cost

CLASSES = cost.STANDARD_CLASSES
#: The cost model of the default options, which the demo's rebalancer uses.
_DEFAULT_COST = build.Options().cost


@dataclasses.dataclass(frozen=True)
class HostUsage:
    host: str
    used: dict
    capacity: dict

    def utilisation(self, rc):
        return float(cost.utilisation(self.used[rc], self.capacity[rc]))


def read(cloud):
    """``[HostUsage]`` of every host of ``cloud``, in the hosts' order."""
    result = []
    for host in cloud.hosts:
        inventories, usages = cloud.provider_state(host.name)
        result.append(HostUsage(
            host=host.name,
            used={rc: usages.get(rc, 0) for rc in CLASSES},
            capacity={rc: int(cost.capacity(
                inventories[rc]['total'], inventories[rc]['reserved'],
                inventories[rc]['allocation_ratio'])) for rc in CLASSES}))
    return result


def summary(hosts, classes=CLASSES):
    """``{rc: {peak, mean, stddev, imbalance}}`` over ``hosts``, as a plan
    states it."""
    return cost.fleet_summary(
        [[h.utilisation(rc) for rc in classes] for h in hosts], classes)


def cloud_imbalance(stats):
    """The cloud's imbalance score of a :func:`summary`, with the default
    ``[nova_lb] resource_weights``, which the demo's rebalancer uses."""
    return cost.cloud_imbalance(stats, _DEFAULT_COST)


def fits(host, demand):
    """Whether ``demand`` (``{rc: amount}``) fits in what ``host`` has left."""
    return all(host.used[rc] + n <= host.capacity[rc]
               for rc, n in demand.items())
