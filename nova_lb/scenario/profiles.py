"""Shapes of synthetic clouds: the same generator, differently tuned.

A planner tuned on one kind of cloud can fail on another, so tests and
``benchmarks/planner`` run it on a family of them. Each profile changes
only what makes it different; ``default`` is the generator as it always
was (the same seed gives the same document as before profiles existed).
"""

import dataclasses

from nova_lb.scenario import fleet
from nova_lb.scenario import placing

#: Host generations with very different CPU:RAM ratios (compute-dense,
#: memory-dense and a balanced one), for the ``mixed`` profile.
MIXED_GENERATIONS = (
    fleet.HostGeneration('c-dense', 128, 131072, 1800, (4.0, 1.0, 1.0),
                         (4, 8192, 100), .35),
    fleet.HostGeneration('m-dense', 32, 1048576, 1800, (2.0, 1.0, 1.0),
                         (2, 16384, 100), .3),
    fleet.HostGeneration('balanced', 64, 393216, 3600, (4.0, 1.0, 1.0),
                         (4, 16384, 100), .35),
)

#: Flavors up to half of a g2 host (24 vCPUs, 128 GiB), for ``large``.
LARGE_FLAVORS = placing.FLAVORS + (
    placing.Flavor('m1.4xlarge', 16, 65536, 320, .05),
    placing.Flavor('r1.4xlarge', 12, 131072, 320, .03),
    placing.Flavor('c1.4xlarge', 24, 32768, 320, .02),
)


@dataclasses.dataclass(frozen=True)
class Profile:
    """What a profile changes; the defaults are the ``default`` profile."""

    name: str = 'default'
    #: Spread of the hosts' lognormal heat: higher is more skewed.
    heat: float = 1.2
    #: Hosts are filled to at most this share of their capacity.
    fill: float = placing.FILL
    generations: tuple = fleet.GENERATIONS
    flavors: tuple = placing.FLAVORS
    #: Average memory use the hosts are sized for (None: as generated).
    memory_use: float = None
    #: Anti-affinity groups (3-5 members, one per host) per 1,000 servers.
    anti_affinity: float = 0.5
    #: Servers SHUTOFF, per hundred (at least one).
    stopped: int = 3
    #: Live migrations in flight (at least one, where one fits).
    migrating: int = 1
    #: Share of the hosts disabled (at least one) and hosts down.
    disabled: float = 0.01
    down: int = 1
    #: Leaked allocations per 1,000 servers: a server deleted while
    #: Placement was away (its allocation stays under its own UUID) or
    #: after a migration that completed (under the migration's UUID).
    leaked: int = 0


PROFILES = {p.name: p for p in (
    Profile(),
    Profile('skewed', heat=2.2),
    Profile('tight', heat=0.4, memory_use=0.78),
    Profile('mixed', generations=MIXED_GENERATIONS),
    Profile('large', flavors=LARGE_FLAVORS),
    Profile('anti-affinity', anti_affinity=40.0),
    Profile('faults', stopped=5, migrating=5, disabled=0.08, down=3),
    Profile('leaked', leaked=20),
)}


def get(name):
    """The profile called ``name``.

    :raises ValueError: no such profile.
    """
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError('unknown profile %r (known: %s)' % (
            name, ', '.join(sorted(PROFILES))))
