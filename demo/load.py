"""A skewed load: most servers forced onto the first two hosts.

A cloud drifts out of balance when an admin pins servers to hosts, hosts
come back from maintenance empty, or old servers are deleted unevenly. The
demo builds that state directly: three servers in four are forced onto the
first two hosts (the ``nova:<host>`` availability zone bypasses every
filter, nova-lb's included) until they are nearly full; the rest go
through nova-scheduler, where nova-lb's weigher spreads them.
"""

import collections
import random

from nova_lb import exception

from demo import usage

#: Flavor sizes (vCPUs, MB of RAM, GB of disk), drawn at random per server.
FLAVORS = ((1, 1024, 10), (2, 2048, 20), (2, 4096, 40), (4, 8192, 80))
#: Share of the servers forced onto the hot hosts.
HOT_SHARE = 0.75
#: The hot hosts: the first ones, which are the smaller ones.
HOT_HOSTS = 2
#: A forced server goes to a hot host only while the host stays below this
#: utilisation in every resource class.
HOT_FILL = 0.95


#: A server the demo booted: its name and flavor size.
Booted = collections.namedtuple('Booted', 'name vcpus memory_mb disk_gb')


class CloudFull(exception.NovaLBError):
    """A server the scheduler had no room for."""

    exit_code = exception.EXIT_BAD_INPUT


def _demand(size):
    return dict(zip(usage.CLASSES, size))


def _hot_host_with_room(cloud, demand):
    """The emptiest hot host on which ``demand`` stays under HOT_FILL."""
    hot = usage.read(cloud)[:HOT_HOSTS]
    room = [h for h in hot if all(
        h.used[rc] + n <= HOT_FILL * h.capacity[rc]
        for rc, n in demand.items())]
    return min(room, default=None, key=lambda h: h.utilisation('MEMORY_MB'))


def boot(cloud, servers, seed, out, hot_share=HOT_SHARE):
    """Boot ``servers`` servers one at a time; returns ``{id: Booted}``.

    :param hot_share: the share forced onto the hot hosts; 0 leaves every
        placement to nova-scheduler.
    """
    rng = random.Random(seed)
    forced_count = round(servers * hot_share)
    booted = {}
    progress = '\r' if out.isatty() else None
    for i in range(servers):
        size = rng.choice(FLAVORS)
        demand = _demand(size)
        name = 'demo-%02d' % (i + 1)
        hot = _hot_host_with_room(cloud, demand) if i < forced_count else None
        if hot is not None:
            server = cloud.boot_on(hot.host, *size, force=True, name=name)
        else:
            if not any(usage.fits(h, demand) for h in usage.read(cloud)):
                raise CloudFull(
                    'no host has room for server %d of %d (%d vCPUs, %d MB, '
                    '%d GB): ask for fewer --servers or more --hosts'
                    % ((i + 1, servers) + size))
            server = cloud._create_server(
                name=name, flavor_id=cloud.flavor(*size), networks='none')
        booted[server['id']] = Booted(name, *size)
        if progress:
            out.write('%s  booted %d/%d servers' % (progress, i + 1, servers))
            out.flush()
    out.write('%s  booted %d servers\n' % (progress or '', servers))
    return booted
