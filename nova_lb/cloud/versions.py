"""Every API microversion nova-lb asks Nova and Placement for.

One table, so that a reviewer sees at a glance what a cloud must run and
an upgrade of one call cannot silently leave another behind. Each version
is the lowest giving what the call's reader needs, capped by what Yoga
(the oldest release nova-lb supports) serves. openstacksdk's own resource
calls (live-migrate, abort, aggregates) negotiate theirs and are not here.
"""

#: service -> call -> microversion.
MICROVERSIONS = {
    'placement': {
        # 1.39 is Yoga's newest. Provider listings and their inventories,
        # allocations, aggregates (1.19: with the generation) and traits
        # need 1.14 to 1.19; the executor's usages and consumer
        # allocations read the same version.
        'all': '1.39',
    },
    'compute': {
        # Snapshot lists (see the snapshot format): embedded flavors.
        'servers': '2.47',
        # uuid ids of services and hypervisors (the provider uuid).
        'services': '2.53',
        'hypervisors': '2.53',
        # Aggregate uuids.
        'aggregates': '2.41',
        # One policy and its rules per server group.
        'server_groups': '2.64',
        # Migration uuids (2.59, the Placement consumer of a move),
        # paging and owners (2.80).
        'migrations': '2.80',
        # The executor's reads (one server, one service, a server's
        # migrations and instance actions): 2.80's migration format; 2.65
        # lets an abort reach queued migrations.
        'executor': '2.80',
    },
}

PLACEMENT = MICROVERSIONS['placement']['all']
COMPUTE = MICROVERSIONS['compute']
