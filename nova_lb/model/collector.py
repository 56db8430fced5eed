"""Read the cloud into a ``nova-lb-snapshot/1`` document.

This is the only module that reads the cloud through openstacksdk. It
stores the unmodified JSON bodies of the Placement and Nova calls the
snapshot format names, so a snapshot can be checked against the cloud by
repeating a call, and nothing downstream ever sees an SDK object. Paged
lists are stored as one body holding every item.
"""

import datetime
import http
from urllib import parse

from keystoneauth1 import exceptions as ks_exceptions
import openstack
from openstack import exceptions as sdk_exceptions
from oslo_log import log as logging

from nova_lb import exception

LOG = logging.getLogger(__name__)

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


def connect(cloud=None):
    """An authenticated connection, configured as every OpenStack CLI is.

    :param cloud: a cloud name from ``clouds.yaml`` (``[rebalancer]
        cloud``); None means ``OS_CLOUD`` or the ``OS_*`` variables.
    :raises nova_lb.exception.CloudError: unknown cloud, missing or wrong
        credentials, unreachable identity service.
    """
    name = repr(cloud) if cloud else 'from the OS_* environment'
    try:
        conn = openstack.connect(cloud=cloud, app_name='nova-lb')
        conn.authorize()
    except (sdk_exceptions.SDKException, ks_exceptions.ClientException) as e:
        raise exception.CloudError('cannot connect to cloud %s: %s'
                                   % (name, _reason(e)))
    return conn


def collect(conn):
    """Every body of a ``nova-lb-snapshot/1`` document, read through ``conn``.

    :raises nova_lb.exception.CloudError: naming the first call that failed
        and why.
    """
    taken_at = datetime.datetime.now(datetime.timezone.utc)
    compute = {key: _get_all(conn.compute, path, query, version, items)
               for key, path, query, version, items in COMPUTE_CALLS}
    placement = {'resource_providers': _get(
        conn.placement, '/resource_providers', {}, PLACEMENT_VERSION)}
    placement['providers'] = {
        rp['uuid']: {
            key: _get(conn.placement, '/resource_providers/%s/%s'
                      % (rp['uuid'], suffix), {}, PLACEMENT_VERSION)
            for key, suffix in PROVIDER_CALLS}
        for rp in placement['resource_providers']['resource_providers']}
    return {'format': FORMAT,
            'taken_at': taken_at.strftime('%Y-%m-%dT%H:%M:%SZ'),
            'placement': placement,
            'compute': compute}


def _get_all(adapter, path, query, version, items):
    """One body holding every page of a list.

    Nova pages with ``<items>_links`` (rel ``next``) where it has them; the
    server groups list has only ``offset``, so it is read until empty.
    """
    body = _get(adapter, path, query, version)
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
        page = _get(adapter, path, dict(query, **more), version)
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


def _get(adapter, path, query, version):
    """The JSON body of one GET, or a CloudError naming the call."""
    call = 'GET %s' % path
    LOG.debug('%(call)s %(query)s', {'call': call, 'query': query})
    try:
        resp = adapter.get(path, params=query, microversion=version,
                           raise_exc=False)
    except (sdk_exceptions.SDKException, ks_exceptions.ClientException) as e:
        raise exception.CloudError('%s failed: %s' % (call, _reason(e)))
    if resp.status_code != 200:
        raise exception.CloudError('%s failed: %d %s' % (
            call, resp.status_code, resp.reason or _phrase(resp.status_code)))
    try:
        return resp.json()
    except ValueError:
        raise exception.CloudError('%s returned a body that is not JSON'
                                   % call)


def _phrase(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ''


def _reason(error):
    # SDK and keystoneauth messages may span lines; the admin gets one.
    return ' '.join(str(error).split()) or type(error).__name__
