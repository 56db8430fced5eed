"""``[nova_lb]``: the cost model and ceilings shared by both halves.

nova-scheduler reads this group from nova.conf; the rebalancer reads it from
its own nova-lb.conf. Keep the two copies equal, so that the scheduler never
undoes what the rebalancer did. :mod:`nova_lb.model.cost_settings` reads
the group into the cost model both halves judge a host with.
"""

from oslo_config import cfg
from oslo_config import types

from nova_lb.conf import finite

GROUP = cfg.OptGroup(
    'nova_lb',
    title='Balancing cost model',
    help='How nova-lb judges a host: the cost model shared by the scheduler '
         'plugin (in nova.conf) and the rebalancer (in nova-lb.conf).')

_CEILING_HELP = """
Highest utilisation of %(rc)s, after placing a request, that the
HeadroomFilter lets a host reach, as a fraction of the host's capacity
``(total - reserved) * allocation_ratio``. The rebalancer plans within the
same ceiling.

This can be overridden per host aggregate with the metadata key
``nova_lb_%(opt)s``; a host in several aggregates takes the lowest value.

Possible values:

* A number in (0, 1]. ``1.0``, the default, disables the ceiling.

Related options:

* ``[filter_scheduler] enabled_filters`` must list ``HeadroomFilter``.
"""


def _ceiling(rc):
    opt = '%s_ceiling' % rc.lower()
    return finite.FloatOpt(
        opt, default=1.0, min=0.0, max=1.0,
        help=_CEILING_HELP % {'rc': rc, 'opt': opt})


#: ``resource_weights`` by default: CPU and memory; disk only a capacity.
DEFAULT_WEIGHTS = {'VCPU': 1.0, 'MEMORY_MB': 1.0, 'DISK_GB': 0.0}

OPTS = [
    cfg.Opt(
        'resource_weights',
        type=types.Dict(value_type=finite.Float(min=0.0)),
        default=dict(DEFAULT_WEIGHTS),
        help="""
Relative importance of each resource class in a host's cost.

A host's cost is its weighted peak utilisation plus ``imbalance_weight``
times the weighted spread of its utilisations. Only the ratios between the
weights matter. A resource class left out, or given 0, is ignored by the
cost but still respected as a capacity by the filter and the rebalancer:
no plan fills a host past its ceiling, so no plan raises that class's
peak above the higher of its peak now and its ceiling.

The default balances CPU and memory, as Watcher and vSphere DRS do: with
instances on shared storage (Ceph, NFS) every compute reports the shared
pool as ``DISK_GB``, and balancing it would move servers for nothing. On
clouds whose instances use the compute hosts' local disks, give
``DISK_GB`` a weight (for example ``VCPU:1.0,MEMORY_MB:1.0,DISK_GB:0.5``).

Possible values:

* A comma-separated list of ``RESOURCE_CLASS:weight`` pairs with weights
  >= 0, at least one of them > 0. Placement resource class names, such as
  ``VCPU``, ``MEMORY_MB``, ``DISK_GB`` or a ``CUSTOM_*`` class.

Related options:

* ``imbalance_weight``
"""),
    finite.FloatOpt(
        'imbalance_weight', default=1.0, min=0.0,
        help="""
How much a host's imbalance between resource classes adds to its cost,
relative to its peak utilisation.

Imbalance is the weighted standard deviation of the host's utilisations: a
host with free vCPUs but no free memory has a high imbalance, because its
vCPUs are stranded. ``0`` ranks hosts by peak utilisation alone.

Possible values:

* A number >= 0.

Related options:

* ``resource_weights``
"""),
    finite.FloatOpt(
        'weight_multiplier', default=3.0,
        help="""
Multiplier of the BalancedUtilizationWeigher, as for Nova's own weighers.

The default, 3.0, equals the sum of the default multipliers of Nova's
RAMWeigher, CPUWeigher and DiskWeigher. Those three all prefer the host
with the most free resources in absolute terms, usually the biggest,
whatever its balance; with a smaller multiplier they outvote this weigher
on mixed host generations and strand capacity.

This can be overridden per host aggregate with the metadata key
``nova_lb_weight_multiplier``; a host in several aggregates takes the
lowest value.

Possible values:

* A positive number spreads load to balanced hosts (the purpose of this
  weigher); ``0`` disables it; a negative number prefers the most loaded
  hosts (packing).

Related options:

* ``[filter_scheduler] weight_classes`` must include
  ``nova_lb.scheduler.weighers.all_weighers``.
"""),
    cfg.FloatOpt(
        'measured_weight_multiplier', default=1.0,
        help="""
Multiplier of the MeasuredLoadWeigher, which prefers hosts whose measured
CPU use (the ``cpu.percent`` metric of Nova's compute monitors) is lower.

It keeps new boots off hosts the rebalancer cooled in ``[solver] balance
= measured`` mode. It reads what the computes report (``[DEFAULT]
compute_monitors = cpu.virt_driver`` in each compute's nova.conf); a host
without the metric ranks as fully busy, and when no host reports it the
weigher has no effect.

This can be overridden per host aggregate with the metadata key
``nova_lb_measured_weight_multiplier``.

Possible values:

* A number; ``1.0`` (the default) weighs it like Nova's own weighers,
  ``0`` disables it.

Related options:

* ``weight_multiplier``
* ``[filter_scheduler] weight_classes`` must include
  ``nova_lb.scheduler.weighers.all_weighers``.
"""),
    _ceiling('VCPU'),
    _ceiling('MEMORY_MB'),
    _ceiling('DISK_GB'),
    cfg.StrOpt(
        'draining_aggregate', default='nova-lb-draining',
        help="""
Name of the Nova host aggregate whose hosts are being drained.

The DrainingHostFilter rejects every host in this aggregate for new boots
and for the destination of moves, so that servers moved off a host are not
scheduled back onto it. A rebuild, which stays on its host and claims
nothing new, is not affected. Adding a host to the aggregate starts
draining it; removing it ends that.

Possible values:

* The name of a host aggregate. The aggregate need not exist while no host
  is being drained.

Related options:

* ``[filter_scheduler] enabled_filters`` must list ``DrainingHostFilter``.
"""),
]

#: Resource classes that have a ceiling option, with the option's name.
CEILING_OPTS = {'VCPU': 'vcpu_ceiling', 'MEMORY_MB': 'memory_mb_ceiling',
                'DISK_GB': 'disk_gb_ceiling'}
