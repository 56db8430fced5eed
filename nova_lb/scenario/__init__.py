"""Seeded synthetic clouds, written as ``nova-lb-snapshot/1`` documents.

Tests, benchmarks and demos need clouds that look like real ones without a
real one at hand: hosts of several generations with different allocation
ratios and reserved amounts, a flavor mix where small flavors are common,
load skewed onto hot hosts, two availability zones, server groups, disabled
and down hosts, servers that are not ACTIVE, one live migration in flight
and one server its owner opted out of rebalancing. Profiles
(:mod:`nova_lb.scenario.profiles`) shape other kinds of clouds. The same seed always
gives the same document, byte for byte once serialised.

Every document is what the real APIs would return for such a cloud, and no
host starts over its capacity.
"""

import numpy as np

from nova_lb.scenario import bodies
from nova_lb.scenario import cloud
from nova_lb.scenario import fleet
from nova_lb.scenario import placing
from nova_lb.scenario import profiles

#: Beyond the largest clouds nova-lb is meant for; the fleet's arrays are
#: allocated before anything else is checked.
MAX_HOSTS = 100000


def generate(hosts, servers, seed=0, projects=50, profile='default'):
    """A snapshot dict of ``hosts`` compute hosts running ``servers``.

    :param profile: a name in :data:`nova_lb.scenario.profiles.PROFILES`.
    :raises ValueError: if the servers do not fit on the hosts, or the
        profile is unknown.
    """
    shape = profiles.get(profile)
    if hosts < 3:
        raise ValueError('a scenario needs at least 3 hosts, not %d' % hosts)
    if hosts > MAX_HOSTS:
        raise ValueError('a scenario has at most %d hosts, not %d'
                         % (MAX_HOSTS, hosts))
    if servers < 50:
        raise ValueError('a scenario needs at least 50 servers, not %d'
                         % servers)
    rng = np.random.default_rng(seed)
    hosts = fleet.Fleet(rng, hosts, shape,
                        placing.expected_ram(shape.flavors, servers))
    placement = placing.Placement(rng, hosts, servers, shape)
    return bodies.document(cloud.ServerStates(rng, hosts, placement,
                                              projects, shape))
