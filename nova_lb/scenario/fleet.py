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

    def __init__(self, rng, n):
        self.n = n
        self.names = ['cmp%05d' % i for i in range(n)]
        shares = np.array([g.share for g in GENERATIONS])
        self.gen = rng.choice(len(GENERATIONS), size=n,
                              p=shares / shares.sum())
        sizes = np.array([(g.vcpus, g.ram, g.disk) for g in GENERATIONS],
                         float)
        ratios = np.array([g.ratios for g in GENERATIONS])
        reserved = np.array([g.reserved for g in GENERATIONS], float)
        self.total, self.ratio = sizes[self.gen], ratios[self.gen]
        self.reserved = reserved[self.gen]
        self.capacity = np.trunc((self.total - self.reserved) * self.ratio)
        self.zone = [ZONES[i * len(ZONES) // n] for i in range(n)]
        self.rp = uuids(rng, n)
        self.service_id = uuids(rng, n)
        # About 1 % disabled for maintenance, one host down.
        self.enabled = rng.random(n) >= 0.01
        self.enabled[1] = False
        self.up = np.ones(n, bool)
        self.up[n - 1] = False
        self.enabled[n - 1] = True
