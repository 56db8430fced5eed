"""What a scheduling request asks for, as the plugin needs to know it.

Nova's RequestSpec has no operation field: the kind of request shows only in
the fields the API and conductor set before calling the scheduler.

* A rebuild carries ``scheduler_hints['_nova_check_type'] == ['rebuild']``
  (``nova.scheduler.utils.request_is_rebuild``): it stays on its host and
  claims nothing new, so no resource-based filter may reject it.
* A move (live migration, evacuation, cold migration, resize) ignores its
  source host (``ignore_hosts``), or, for a resize or cold migration allowed
  onto the same host, carries a ``requested_destination`` with
  ``allow_cross_cell_move`` set. A move claims the (new) flavor on the
  destination, exactly as a boot does, so the same ceiling applies.
* Anything else is a boot, possibly onto a requested host.
"""

import functools

from nova import objects
from nova.scheduler import utils
import numpy as np

REBUILD = 'rebuild'
MOVE = 'move'
BOOT = 'boot'


def kind(spec_obj):
    """``REBUILD``, ``MOVE`` or ``BOOT``; see the module docstring."""
    if utils.request_is_rebuild(spec_obj):
        return REBUILD
    if 'scheduler_hints' in spec_obj and spec_obj.scheduler_hints.get(
            '_nova_check_type'):
        return MOVE
    if 'ignore_hosts' in spec_obj and spec_obj.ignore_hosts:
        return MOVE
    dest = (spec_obj.requested_destination
            if 'requested_destination' in spec_obj else None)
    if dest is not None and 'allow_cross_cell_move' in dest:
        return MOVE
    return BOOT


def destination(spec_obj):
    """The host the request names, or None: for the log."""
    dest = (spec_obj.requested_destination
            if 'requested_destination' in spec_obj else None)
    if dest is not None and 'host' in dest:
        return dest.host
    return None


def amounts(spec_obj, resource_classes):
    """VCPU, MEMORY_MB and DISK_GB that placing the request claims.

    Computed by Nova's own ``resources_from_flavor_and_bfv``, which is what
    Placement is asked for: flavor extra specs overriding resources, swap
    rounded up to GiB, no root disk for a volume-backed server. The array is
    shared between requests for the same flavor: read-only.
    """
    flavor = spec_obj.flavor
    is_bfv = bool('is_bfv' in spec_obj and spec_obj.is_bfv)
    return _amounts(
        flavor.vcpus, flavor.memory_mb, flavor.root_gb, flavor.ephemeral_gb,
        flavor.swap, tuple(sorted((flavor.extra_specs or {}).items())),
        is_bfv, tuple(resource_classes))


@functools.lru_cache(maxsize=256)
def _amounts(vcpus, memory_mb, root_gb, ephemeral_gb, swap, extra_specs,
             is_bfv, resource_classes):
    """Nova's answer, remembered: it builds several versioned objects
    (~0.2 ms), and the scheduler asks for every request. A pure function
    of its arguments, so the cache is never stale."""
    flavor = objects.Flavor(vcpus=vcpus, memory_mb=memory_mb,
                            root_gb=root_gb, ephemeral_gb=ephemeral_gb,
                            swap=swap, extra_specs=dict(extra_specs))
    resources = utils.resources_from_flavor_and_bfv(flavor, is_bfv)
    claimed = np.array([resources.get(rc, 0) for rc in resource_classes],
                       dtype=float)
    claimed.flags.writeable = False
    return claimed
