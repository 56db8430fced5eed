"""Which flavor each synthetic server has and which host it runs on.

Load is skewed on purpose: hosts get a lognormal "heat", hot hosts are
tried first and fill up to the profile's ``fill``, cold ones stay
nearly empty.
"""

import collections

import numpy as np

#: name, vCPUs, RAM MB, disk GB, share: small general flavors are common,
#: memory-heavy (r1) and cpu-heavy (c1) ones less so.
Flavor = collections.namedtuple('Flavor', 'name vcpus ram disk share')

FLAVORS = (
    Flavor('m1.tiny', 1, 512, 1, .10),
    Flavor('m1.small', 1, 2048, 20, .25),
    Flavor('m1.medium', 2, 4096, 40, .22),
    Flavor('m1.large', 4, 8192, 80, .12),
    Flavor('m1.xlarge', 8, 16384, 160, .04),
    Flavor('r1.large', 2, 16384, 40, .08),
    Flavor('r1.xlarge', 4, 32768, 80, .05),
    Flavor('r1.2xlarge', 8, 65536, 160, .02),
    Flavor('c1.large', 4, 4096, 40, .07),
    Flavor('c1.xlarge', 8, 8192, 80, .04),
    Flavor('c1.2xlarge', 16, 16384, 160, .01),
)

#: Hosts are filled to at most this share of their capacity (default).
FILL = 0.97


def expected_ram(flavors, n):
    """The RAM ``n`` servers drawn from ``flavors`` hold on average."""
    shares = np.array([f.share for f in flavors])
    return n * float(np.dot(shares, [f.ram for f in flavors])
                     / shares.sum())


class Placement(object):
    """Which flavor each server has and which host it runs on."""

    def __init__(self, rng, fleet, n, profile):
        self.flavors = profile.flavors
        # Refuse before allocating per-server arrays: even all of the
        # smallest flavor could not fill more than this.
        smallest = np.min([(f.vcpus, f.ram, f.disk) for f in self.flavors], 0)
        most = int((fleet.capacity * profile.fill // smallest)
                   .min(axis=1).sum())
        if n > most:
            raise ValueError('%d servers do not fit on %d hosts (at most '
                             '%d would); use more hosts' % (n, fleet.n, most))
        shares = np.array([f.share for f in self.flavors])
        self.flavor = rng.choice(len(self.flavors), size=n,
                                 p=shares / shares.sum()).tolist()
        self.sizes = [(f.vcpus, f.ram, f.disk) for f in self.flavors]
        # Hot and cold hosts: a skewed preference, so that the hottest fill
        # up to the profile's fill and the coldest stay nearly empty.
        hot = rng.lognormal(0.0, profile.heat, fleet.n)
        hot[~(fleet.enabled & fleet.up)] *= 0.5
        tries = rng.choice(fleet.n, size=(n, 8), p=hot / hot.sum()).tolist()
        spare = rng.integers(fleet.n, size=(n, 8)).tolist()
        self.free = (fleet.capacity * profile.fill).tolist()
        self.host = [self._first_fit(s, tries[s] + spare[s])
                     for s in range(n)]

    def fits(self, s, h):
        v, r, d = self.sizes[self.flavor[s]]
        free = self.free[h]
        return free[0] >= v and free[1] >= r and free[2] >= d

    def charge(self, s, h):
        free, size = self.free[h], self.sizes[self.flavor[s]]
        for i in range(3):
            free[i] -= size[i]

    def _first_fit(self, s, candidates):
        for h in candidates:
            if self.fits(s, h):
                self.charge(s, h)
                return h
        for h in range(len(self.free)):
            if self.fits(s, h):
                self.charge(s, h)
                return h
        raise ValueError('%d servers do not fit on %d hosts; use more hosts'
                         % (len(self.flavor), len(self.free)))
