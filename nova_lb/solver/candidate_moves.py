"""Which moves get a variable in the exact model of a zone.

Every move that could ever be valid for the unit on its own: the model is
exact, so the bound HiGHS proves holds for the whole zone. Past a size the
model would not even be presolved within the time limit (200 hosts and
4,000 servers make 150,000 binaries), so larger zones get none and are
left to the heuristics and the neighbourhood search.
"""

import numpy as np

from nova_lb.model import constraints


def _static(zone):
    """(u, h) bool: moves that are valid for the unit on its own.

    :class:`~nova_lb.model.constraints.Capacity` with every movable unit
    gone from the destination, :class:`~nova_lb.model.constraints.Drain`
    (only units of hosts that give move) and
    :class:`~nova_lb.model.constraints.AntiAffinity` with no other member
    on the destination: what no plan can do without breaking a rule.
    """
    if not len(zone.units):
        return np.zeros((0, len(zone.hosts)), dtype=bool)
    on_hosts = np.zeros_like(zone.usage)
    np.add.at(on_hosts, zone.unit_host, zone.unit_demand)
    # Room on each host if every movable unit left it.
    room = zone.limit - (zone.usage - on_hosts)
    ok = constraints.Capacity.fits(zone.unit_demand[:, None, :],
                                   room[None, :, :])
    ok &= zone.receives[None, :]
    ok &= constraints.Drain.gives(zone.accepts, zone.drain)[
        zone.unit_host][:, None]
    ok[np.arange(len(zone.units)), zone.unit_host] = False
    for g, allow in enumerate(zone.anti_allow):
        ok[zone.unit_group == g] &= constraints.AntiAffinity.admits(
            0, allow)[None, :]
    return ok


def pairs(zone, limit):
    """``(pu, pd, exact)``: every valid move, if there are at most ``limit``.

    Larger zones get no exact model (``exact`` False, no pairs): the
    neighbourhood search handles them.
    """
    rough = int(zone.accepts[zone.unit_host].sum()) * int(zone.receives.sum())
    if rough > limit:
        return np.zeros(0, int), np.zeros(0, int), False
    pu, pd = np.nonzero(_static(zone))
    return pu, pd, True
