"""The hosts of a synthetic cloud: generations, sizes, zones, states."""

import collections
import uuid as uuidlib

import numpy as np

#: name, vCPUs, RAM MB, disk GB, VCPU/RAM/disk allocation ratios,
#: reserved vCPU/RAM MB/disk GB, share of the fleet.
HostGeneration = collections.namedtuple(
    'HostGeneration', 'name vcpus ram disk ratios reserved share')

GENERATIONS = (
    HostGeneration('g1', 32, 131072, 900, (4.0, 1.0, 1.0), (0, 4096, 50), .3),
    HostGeneration('g2', 48, 262144, 1800, (8.0, 1.0, 1.0), (2, 8192, 100),
                   .35),
    HostGeneration('g3', 64, 393216, 3600, (4.0, 1.5, 1.0), (4, 16384, 100),
                   .25),
    HostGeneration('g4', 128, 786432, 7200, (2.0, 1.0, 1.0), (4, 16384, 200),
                   .1),
)

ZONES = ('az1', 'az2')


def uuids(rng, n):
    raw = rng.bytes(16 * n)
    return [str(uuidlib.UUID(bytes=raw[16 * i:16 * i + 16], version=4))
            for i in range(n)]


class Fleet(object):
    """Hosts: names, generations, capacity, zones, service states."""

    def __init__(self, rng, n, profile, ram_demand):
        """:param ram_demand: RAM the servers hold on average, for a
        profile that sizes the hosts to a memory use."""
        self.n = n
        self.generations = generations = profile.generations
        self.names = ['cmp%05d' % i for i in range(n)]
        shares = np.array([g.share for g in generations])
        self.gen = rng.choice(len(generations), size=n,
                              p=shares / shares.sum())
        sizes = np.array([(g.vcpus, g.ram, g.disk) for g in generations],
                         float)
        ratios = np.array([g.ratios for g in generations])
        reserved = np.array([g.reserved for g in generations], float)
        self.total, self.ratio = sizes[self.gen], ratios[self.gen]
        self.reserved = reserved[self.gen]
        self.capacity = np.trunc((self.total - self.reserved) * self.ratio)
        self.zone = [ZONES[i * len(ZONES) // n] for i in range(n)]
        self.rp = uuids(rng, n)
        self.service_id = uuids(rng, n)
        # Some hosts disabled for maintenance (at least one), some down.
        self.enabled = rng.random(n) >= profile.disabled
        self.enabled[1] = False
        self.up = np.ones(n, bool)
        down = n - 1 - np.arange(min(profile.down, n - 2))
        self.up[down] = False
        self.enabled[down] = True
        if profile.memory_use:
            self._size_for(profile.memory_use, ram_demand)

    def _size_for(self, memory_use, ram_demand):
        """Scale vCPUs and RAM alike so that ``ram_demand`` fills the
        usable hosts' RAM to ``memory_use`` on average."""
        usable = self.enabled & self.up
        room = self.capacity[usable, 1].sum()
        scale = ram_demand / memory_use / room
        self.total[:, :2] = np.round(
            (self.total[:, :2] - self.reserved[:, :2]) * scale
            + self.reserved[:, :2])
        self.capacity = np.trunc((self.total - self.reserved) * self.ratio)
