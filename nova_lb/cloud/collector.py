"""Read the cloud into a ``nova-lb-snapshot/1`` document.

This is the only module that reads a snapshot of the cloud, through the
same :class:`~nova_lb.gateway.client.Client` as the executor. It stores
the unmodified JSON bodies of the Placement and Nova calls the snapshot
format names, so a snapshot can be checked against the cloud by
repeating a call, and nothing downstream ever sees an SDK object. Paged
lists are stored as one body holding every item.
"""

import datetime
from urllib import parse

FORMAT = 'nova-lb-snapshot/1'

#: Placement 1.39 is Yoga's; every provider call needs 1.14 to 1.19.
PLACEMENT_VERSION = '1.39'
#: (key in compute, path, query, microversion, list key). Microversions are
#: the lowest giving what the format needs: embedded flavors (2.47), uuid
#: ids for hypervisors and services (2.53), server group policies (2.64),
#: migration uuids, the Placement consumers of a move (2.59, 2.80 paging).
COMPUTE_CALLS = (
    ('servers', '/servers/detail', {'all_tenants': '1'}, '2.47', 'servers'),
    ('services', '/os-services', {'binary': 'nova-compute'}, '2.53', None),
    ('hypervisors', '/os-hypervisors/detail', {}, '2.53', 'hypervisors'),
    ('aggregates', '/os-aggregates', {}, '2.41', None),
    ('server_groups', '/os-server-groups', {'all_projects': 'True'}, '2.64',
     'server_groups'),
    ('migrations', '/os-migrations', {}, '2.80', 'migrations'),
)
#: Lists Nova pages by offset only, without links.
OFFSET_PAGED = ('server_groups',)
#: Per resource provider: (key, path suffix); all at PLACEMENT_VERSION.
PROVIDER_CALLS = (('inventories', 'inventories'),
                  ('allocations', 'allocations'),
                  ('aggregates', 'aggregates'),
                  ('traits', 'traits'))


def collect(client):
    """Every body of a ``nova-lb-snapshot/1`` document, read through
    ``client`` (a :class:`nova_lb.gateway.client.Client`).

    :raises nova_lb.exception.CloudError: naming the first call that failed
        and why (CloudUnavailable if it failed past every retry).
    """
    taken_at = datetime.datetime.now(datetime.timezone.utc)
    compute = {key: _get_all(client, path, query, version, items)
               for key, path, query, version, items in COMPUTE_CALLS}
    placement = {'resource_providers': client.get(
        'placement', '/resource_providers', PLACEMENT_VERSION)}
    placement['providers'] = {
        rp['uuid']: {
            key: client.get('placement', '/resource_providers/%s/%s'
                            % (rp['uuid'], suffix), PLACEMENT_VERSION)
            for key, suffix in PROVIDER_CALLS}
        for rp in placement['resource_providers']['resource_providers']}
    return {'format': FORMAT,
            'taken_at': taken_at.strftime('%Y-%m-%dT%H:%M:%SZ'),
            'placement': placement,
            'compute': compute}


def _get_all(client, path, query, version, items):
    """One body holding every page of a list.

    Nova pages with ``<items>_links`` (rel ``next``) where it has them; the
    server groups list has only ``offset``, so it is read until empty.
    """
    body = client.get('compute', path, version, query)
    if items is None:
        return body
    links_key = items + '_links'
    page = body
    while page.get(items):
        if items in OFFSET_PAGED:
            more = {'offset': str(len(body[items]))}
        else:
            more = _next_query(page.get(links_key, ()))
            if more is None:
                break
        page = client.get('compute', path, version, dict(query, **more))
        body[items].extend(page.get(items, ()))
    body.pop(links_key, None)
    return body


def _next_query(links):
    """The query of a ``next`` link (its marker and limit), or None."""
    for link in links:
        if link.get('rel') == 'next':
            return {k: v[-1] for k, v in
                    parse.parse_qs(parse.urlsplit(link['href']).query).items()}
    return None
