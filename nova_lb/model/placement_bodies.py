"""Placement's provider bodies as frozen records: what each host offers
and what each consumer holds.

Inventories and allocations are checked against each other here, because
an allocation of a class the provider has no inventory of is the mark of a
snapshot taken while Placement was being changed.
"""

import math
import types

from nova_lb.model import fields

_ro = types.MappingProxyType


@fields.record
class Inventory:
    total: float
    reserved: float
    allocation_ratio: float
    min_unit: float = 1
    max_unit: float = 0
    step_size: float = 1


@fields.record
class Provider:
    uuid: str
    name: str
    root: str
    parent: object
    #: resource class -> Inventory
    inventories: types.MappingProxyType
    #: consumer uuid -> {resource class: amount}
    allocations: types.MappingProxyType
    aggregates: tuple
    traits: tuple


def providers(placement):
    body, path = fields.body(placement, 'resource_providers', 'placement')
    listed = {}
    for rp, p in fields.items(body, 'resource_providers', path):
        fields.check(rp, dict, p)
        uuid = fields.get(rp, 'uuid', str, p)
        listed[uuid] = (fields.get(rp, 'name', str, p),
                        fields.get(rp, 'root_provider_uuid', str, p),
                        fields.get(rp, 'parent_provider_uuid', str, p, True))
    details = fields.get(placement, 'providers', dict, 'placement')
    for uuid in details:
        if uuid not in listed:
            raise fields.Problem(
                'placement.providers.%s: provider not in '
                'placement.resource_providers' % uuid)
    providers = {}
    for uuid, (name, root, parent) in listed.items():
        path = 'placement.providers.%s' % uuid
        if uuid not in details:
            raise fields.Problem('placement.providers: no entry for provider '
                                 '%s (%s)' % (uuid, name))
        detail = fields.check(details[uuid], dict, path)
        inventories = _inventories(*fields.body(detail, 'inventories', path))
        providers[uuid] = Provider(
            uuid=uuid, name=name, root=root, parent=parent,
            inventories=_ro(inventories),
            allocations=_ro(_allocations(
                *fields.body(detail, 'allocations', path), inventories)),
            aggregates=_list_of(detail, 'aggregates', path),
            traits=_list_of(detail, 'traits', path))
    for uuid, provider in providers.items():
        if provider.root not in providers:
            raise fields.Problem(
                'placement.resource_providers: provider %s has root %s, '
                'which is not listed' % (uuid, provider.root))
    return providers


def _list_of(detail, key, path):
    body, path = fields.body(detail, key, path)
    return tuple(fields.get(body, key, list, path))


def _inventories(body, path):
    result = {}
    for rc, inv in fields.get(body, 'inventories', dict, path).items():
        p = '%s.inventories.%s' % (path, rc)
        fields.check(inv, dict, p)
        total = fields.get(inv, 'total', 'number', p)
        result[rc] = Inventory(
            total=_in_range(total, p + '.total', 1),
            reserved=_in_range(fields.optional(inv, 'reserved', 'number', p,
                                               0),
                               p + '.reserved', 0, total),
            allocation_ratio=_in_range(fields.optional(
                inv, 'allocation_ratio', 'number', p, 1.0),
                p + '.allocation_ratio', 0, above=True),
            min_unit=fields.optional(inv, 'min_unit', 'number', p, 1),
            max_unit=fields.optional(inv, 'max_unit', 'number', p, 0),
            step_size=fields.optional(inv, 'step_size', 'number', p, 1))
    return result


def _in_range(value, path, low, high=None, above=False):
    """``value`` if finite and at least ``low`` (above it if ``above``)
    and at most ``high``: Placement's own limits, so that a hand-edited or
    corrupted snapshot cannot turn utilisations into ``nan`` or
    infinity."""
    if not (math.isfinite(value) and (value > low if above else value >= low)
            and (high is None or value <= high)):
        raise fields.Problem('%s: %s is out of range (must be %s %s%s)' % (
            path, value, '>' if above else '>=', low,
            '' if high is None else ' and <= %s' % high))
    return value


def _allocations(body, path, inventories):
    result = {}
    number = (int, float)
    for consumer, alloc in fields.get(body, 'allocations', dict,
                                      path).items():
        p = '%s.allocations.%s' % (path, consumer)
        resources = fields.get(fields.check(alloc, dict, p), 'resources',
                               dict, p)
        for rc, amount in resources.items():
            where = '%s.resources.%s' % (p, rc)
            if type(amount) not in number:
                fields.check(amount, 'number', where)
            _in_range(amount, where, 0)
            if rc not in inventories:
                raise fields.Problem(
                    '%s: uses %s but the provider has no %s inventory'
                    % (p, rc, rc))
        result[consumer] = _ro(resources)
    return result
