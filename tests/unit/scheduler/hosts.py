"""Real Nova HostStates and RequestSpecs for the plugin's tests.

Builds ``nova.scheduler.host_manager.HostState`` objects the way
nova-scheduler does: ``HostState.update()`` from an ``objects.ComputeNode``
and a service dict. Usage figures are given as Placement sees them (without
the reserved amounts); the compute-node figures add the reserved amounts
back, as Nova's resource tracker reports them. The benchmarks use this
module too.
"""

import datetime

import nova.conf
from nova import objects
from nova.scheduler import filters
from nova.scheduler import host_manager
from nova.scheduler import weights
from oslo_utils import uuidutils

objects.register_all()

CONF = nova.conf.CONF

FILTERS = 'nova_lb.scheduler.filters.all_filters'
WEIGHERS = 'nova_lb.scheduler.weighers.all_weighers'


def host_state(name, vcpus, memory_mb, disk_gb, used=(0, 0, 0),
               ratios=(1.0, 1.0, 1.0), reserved=None, aggregates=()):
    """A HostState filled from a ComputeNode, as HostManager fills it.

    :param used: VCPU, MEMORY_MB, DISK_GB used by instances.
    :param reserved: reserved_host_cpus, reserved_host_memory_mb and
        reserved_host_disk_mb of the compute; by default nova.conf's, as
        for a compute sharing nova-scheduler's nova.conf.
    """
    if reserved is None:
        reserved = (CONF.reserved_host_cpus, CONF.reserved_host_memory_mb,
                    CONF.reserved_host_disk_mb)
    now = datetime.datetime.now(datetime.timezone.utc)
    vcpus_used = used[0] + reserved[0]
    memory_used = used[1] + reserved[1]
    disk_used = used[2] + reserved[2] // 1024
    compute = objects.ComputeNode(
        uuid=uuidutils.generate_uuid(), host=name, hypervisor_hostname=name,
        vcpus=vcpus, vcpus_used=vcpus_used,
        memory_mb=memory_mb, memory_mb_used=memory_used,
        free_ram_mb=memory_mb - memory_used,
        local_gb=disk_gb, local_gb_used=disk_used,
        free_disk_gb=disk_gb - disk_used, disk_available_least=None,
        cpu_allocation_ratio=ratios[0], ram_allocation_ratio=ratios[1],
        disk_allocation_ratio=ratios[2], updated_at=now,
        numa_topology=None, pci_device_pools=None, host_ip='192.0.2.1',
        hypervisor_type='QEMU', hypervisor_version=8002000, cpu_info='',
        supported_hv_specs=[], stats={}, metrics='[]')
    state = host_manager.HostState(name, name, uuidutils.generate_uuid())
    state.update(compute=compute,
                 service={'disabled': False, 'last_seen_up': now,
                          'forced_down': False},
                 aggregates=list(aggregates), inst_dict={})
    return state


def aggregate(name, hosts=(), **metadata):
    return objects.Aggregate(id=abs(hash(name)) % 10000, name=name,
                             hosts=list(hosts), metadata=metadata)


def flavor(name, vcpus, memory_mb, root_gb, ephemeral_gb=0, swap=0):
    return objects.Flavor(name=name, flavorid=name, vcpus=vcpus,
                          memory_mb=memory_mb, root_gb=root_gb,
                          ephemeral_gb=ephemeral_gb, swap=swap,
                          extra_specs={})


def request_spec(flavor, **fields):
    """A boot request for one server of ``flavor``; ``fields`` override."""
    values = dict(
        instance_uuid=uuidutils.generate_uuid(), flavor=flavor,
        num_instances=1, image=objects.ImageMeta(
            properties=objects.ImageMetaProps()),
        scheduler_hints={}, pci_requests=objects.InstancePCIRequests(
            requests=[]),
        requested_resources=[], is_bfv=False, ignore_hosts=None,
        force_hosts=None, force_nodes=None, instance_group=None,
        numa_topology=None, project_id='p', user_id='u',
        availability_zone=None, requested_destination=None)
    values.update(fields)
    return objects.RequestSpec(**values)


def load_filters(*paths):
    handler = filters.HostFilterHandler()
    return handler, handler.get_matching_classes(list(paths))


def load_weighers(*paths):
    handler = weights.HostWeightHandler()
    return handler, handler.get_matching_classes(list(paths))
