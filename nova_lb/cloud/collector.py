"""Read the cloud into a ``nova-lb-snapshot/1`` document.

This is the only module that reads a snapshot of the cloud, through the
same :class:`~nova_lb.cloud.client.Client` as the executor (its timeouts,
and its retries of every call). It stores
the unmodified JSON bodies of the Placement and Nova calls the snapshot
format names, so a snapshot can be checked against the cloud by
repeating a call, and nothing downstream ever sees an SDK object. Paged
lists are stored as one body holding every item.
"""

import datetime
from urllib import parse

from nova_lb.cloud import versions
from nova_lb import contract

#: (key in compute, path, query, list key); each at its
#: :data:`~nova_lb.cloud.versions.MICROVERSIONS` entry.
COMPUTE_CALLS = (
    ('servers', '/servers/detail', {'all_tenants': '1'}, 'servers'),
    ('services', '/os-services', {'binary': 'nova-compute'}, None),
    ('hypervisors', '/os-hypervisors/detail', {}, 'hypervisors'),
    ('aggregates', '/os-aggregates', {}, None),
    ('server_groups', '/os-server-groups', {'all_projects': 'True'},
     'server_groups'),
    ('migrations', '/os-migrations', {}, 'migrations'),
)
#: Lists Nova pages by offset only, without links.
OFFSET_PAGED = ('server_groups',)
#: Per resource provider: (key, path suffix).
PROVIDER_CALLS = (('inventories', 'inventories'),
                  ('allocations', 'allocations'),
                  ('aggregates', 'aggregates'),
                  ('traits', 'traits'))


def collect(client):
    """Every body of a ``nova-lb-snapshot/1`` document, read through
    ``client`` (a :class:`nova_lb.cloud.client.Client`).

    :raises nova_lb.exception.CloudError: naming the first call that failed
        and why (CloudUnavailable if it failed past every retry).
    """
    taken_at = datetime.datetime.now(datetime.timezone.utc)
    compute = {key: _get_all(client, path, query, versions.COMPUTE[key],
                             items)
               for key, path, query, items in COMPUTE_CALLS}
    placement = {'resource_providers': client.get(
        'placement', '/resource_providers', versions.PLACEMENT)}
    placement['providers'] = {
        rp['uuid']: {
            key: client.get('placement', '/resource_providers/%s/%s'
                            % (rp['uuid'], suffix), versions.PLACEMENT)
            for key, suffix in PROVIDER_CALLS}
        for rp in placement['resource_providers']['resource_providers']}
    return {'format': contract.SNAPSHOT_FORMAT,
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
