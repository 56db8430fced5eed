"""Nova's HostStates as numpy arrays: projected utilisation after a request.

One pass over the hosts reads the few HostState attributes needed; all the
arithmetic then runs on every candidate at once, so that the plugin costs a
few microseconds per host (nova-scheduler weighs thousands of hosts per
request).

Utilisation is Placement's: ``usage / ((total - reserved) * ratio)`` with
usage excluding the reserved amounts. The compute host's ``*_used`` figures
that HostState carries include its reserved amounts (the resource tracker
starts counting from ``reserved_host_*``), and HostState has no reserved
field. So the reserved amounts are taken from nova-scheduler's own
``reserved_host_cpus``, ``reserved_host_memory_mb`` and
``reserved_host_disk_mb``: this assumes the computes' nova.conf sets them as
nova-scheduler's does (the usual single nova.conf); a compute with other
values is judged with a usage off by the difference.

Disk usage is the compute's ``local_gb_used`` (``disk_mb_used``), not
``free_disk_mb``, which follows the physically free space
(``disk_available_least``) rather than Placement's allocations.
"""

import functools
import itertools
import operator

import nova.conf
from nova.compute import utils as compute_utils
import numpy as np

from nova_lb.model import cost

CONF = nova.conf.CONF

#: Column order of every (hosts, resource classes) array here.
CLASSES = cost.STANDARD_CLASSES

# Three figures per class, in CLASSES order: total, used (as reported),
# allocation ratio.
_FIELDS = operator.attrgetter(
    'vcpus_total', 'vcpus_used', 'cpu_allocation_ratio',
    'total_usable_ram_mb', 'free_ram_mb', 'ram_allocation_ratio',
    'total_usable_disk_gb', 'disk_mb_used', 'disk_allocation_ratio')
# used = reported * _SCALE + total * _FROM_TOTAL: vCPUs as reported, memory
# as total - free, disk from MB to GB. (Not a matrix product: BLAS costs
# more than it saves on arrays this small.)
_SCALE = np.array([1.0, -1.0, 1.0 / 1024])
_FROM_TOTAL = np.array([0.0, 1.0, 0.0])


@functools.lru_cache(maxsize=8)
def _reserved(cpus, memory_mb, disk_mb):
    """Reserved amounts in the compute's used figures, and in Placement's
    inventory (disk rounded up to GB there), as arrays."""
    in_used = np.array([cpus, memory_mb, disk_mb / 1024.0])
    in_inventory = np.array([cpus, memory_mb,
                             compute_utils.convert_mb_to_ceil_gb(disk_mb)])
    in_used.flags.writeable = in_inventory.flags.writeable = False
    return in_used, in_inventory


def projected_utilisation(host_states, amounts):
    """(hosts, CLASSES) utilisation of each host after placing ``amounts``.

    ``amounts`` is what the request claims, ``request.amounts(spec_obj,
    CLASSES)``. A host whose HostState lacks a figure gets NaN
    utilisation: callers treat it as a host they cannot judge.

    Written in few whole-array operations: nova-scheduler runs it once per
    request, after its own filters have pushed numpy out of the CPU's
    caches, where each numpy call costs tens of microseconds.
    """
    fields = itertools.chain.from_iterable(map(_FIELDS, host_states))
    raw = np.fromiter(fields, dtype=float, count=9 * len(host_states))
    raw = raw.reshape(-1, 3, 3)
    total, ratio = raw[:, :, 0], raw[:, :, 2]
    reserved_used, reserved_inventory = _reserved(
        CONF.reserved_host_cpus, CONF.reserved_host_memory_mb,
        CONF.reserved_host_disk_mb)
    used = raw[:, :, 1] * _SCALE + total * _FROM_TOTAL
    usage = np.maximum(used - reserved_used, 0.0) + amounts
    capacity = cost.capacity(total, reserved_inventory, ratio)
    return cost.utilisation(usage, capacity)
