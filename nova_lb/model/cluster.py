"""The balancing problem as plain frozen data: what the solver sees.

Built from a snapshot by :mod:`nova_lb.model.build`; no openstacksdk object
and no Nova object ever reaches this module. Arrays are read-only numpy
arrays indexed by host (H), movable server (S) and resource class (R).
"""

import dataclasses

import numpy as np

from nova_lb.model import cost

AFFINITY = 'affinity'
ANTI_AFFINITY = 'anti-affinity'
SOFT_AFFINITY = 'soft-affinity'
SOFT_ANTI_AFFINITY = 'soft-anti-affinity'


def frozen_array(values, dtype=float):
    """A read-only copy, so that frozen data stays frozen."""
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


@dataclasses.dataclass(frozen=True)
class ServerGroup:
    """A Nova server group, as it constrains the movable servers.

    ``members`` index ``Cluster.servers``; ``fixed_hosts`` index
    ``Cluster.hosts`` and are the hosts of members that cannot move (they
    still count for affinity and anti-affinity).
    """

    uuid: str
    name: str
    policy: str
    members: tuple
    fixed_hosts: tuple = ()
    max_server_per_host: int = 1


@dataclasses.dataclass(frozen=True)
class Cluster:
    """Hosts, movable servers, their demands and the rules between them."""

    #: Resource classes, the column order of every (.., R) array.
    resource_classes: tuple
    #: Compute host names (``services[].host``), row order of (H, ..).
    hosts: tuple
    #: Availability zone of each host (None: the default zone).
    host_az: tuple
    #: (H, R) ``(total - reserved) * allocation_ratio`` per Placement.
    capacity: np.ndarray
    #: (H, R) what a plan may fill a host to: capacity times the ceiling,
    #: less the leftover allocations it holds (they fill it, see ``fixed``).
    limit: np.ndarray
    #: (H, R) load that no plan moves: non-movable servers, in-flight
    #: migrations. Leftover allocations are not load (nothing runs on
    #: them): they are taken off ``limit`` instead, so that the objective
    #: never spreads them and the capacity checks stay Placement's.
    fixed: np.ndarray
    #: (H,) bool: the host may receive servers (enabled, up, not excluded,
    #: not draining).
    accepts: np.ndarray
    #: Movable server UUIDs, row order of (S, ..).
    servers: tuple
    #: (S, R) each movable server's Placement allocation.
    demand: np.ndarray
    #: (S,) int: index of the host each movable server is on.
    location: np.ndarray
    #: Server groups with at least one movable member.
    groups: tuple
    #: Server UUID -> why it may not move (for the plan's explanations).
    left_alone: dict
    #: The shared cost model, for ``resource_classes``.
    cost: cost.CostModel
    #: :class:`nova_lb.model.leftovers.Leftover` records: allocations a
    #: failed move left behind; their servers and hosts are out of plans.
    leftovers: tuple = ()
    #: Servers counted at their allocation for want of measured load
    #: (``[solver] balance = measured`` only).
    unmeasured: tuple = ()

    def usage(self, location=None):
        """(H, R) usage with movable servers at ``location`` (default: now)."""
        location = self.location if location is None else location
        used = np.array(self.fixed, dtype=float)
        np.add.at(used, location, self.demand)
        return used

    def utilisation(self, location=None):
        """(H, R) usage over capacity, per the shared cost model."""
        return cost.utilisation(self.usage(location), self.capacity)
