"""Generate every service's configuration, as an admin would write it.

The scheduler plugin is enabled through nova.conf exactly as the project's
documentation tells an admin to: nova_lb's filters and weighers are added
to the available ones and HeadroomFilter and DrainingHostFilter to Nova
34's default filter list.
"""

import os
import sys

from minicloud_lib import layout as L

NOVA_DEFAULT_FILTERS = ['ComputeFilter', 'ComputeCapabilitiesFilter',
                        'ImagePropertiesFilter',
                        'ServerGroupAntiAffinityFilter',
                        'ServerGroupAffinityFilter']
PLUGIN_FILTERS = ['HeadroomFilter', 'DrainingHostFilter']
NOAUTH_FACTORY = 'minicloud_lib.noauth:filter_factory'
AUTHTOKEN_FACTORY = 'keystonemiddleware.auth_token:filter_factory'


def _ini(sections):
    lines = []
    for section, options in sections:
        lines.append('[%s]' % section)
        lines.extend('%s = %s' % (k, v) for k, v in options)
        lines.append('')
    return '\n'.join(lines)


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def _service_auth(service):
    """A keystoneauth section reaching one of our loopback APIs."""
    return [('auth_type', 'admin_token'), ('token', L.ADMIN_TOKEN),
            ('endpoint', L.endpoint(service)),
            ('endpoint_override', L.endpoint(service))]


def _paste_without_authtoken(installed, target):
    """Copy an installed paste file with our filter in place of authtoken."""
    with open(installed) as f:
        text = f.read()
    if AUTHTOKEN_FACTORY not in text:
        raise RuntimeError('%s has no authtoken filter to replace' % installed)
    _write(target, text.replace(AUTHTOKEN_FACTORY, NOAUTH_FACTORY))


def _common_nova(lay, host, debug):
    return [
        ('host', host),
        ('state_path', lay.path('state', host)),
        ('transport_url', L.transport_url()),
        ('my_ip', L.HOST),
        ('debug', debug),
        ('periodic_fuzzy_delay', 0),
        ('report_interval', 5),
        ('service_down_time', 20),
        ('graceful_shutdown_timeout', 5),
        ('heal_instance_info_cache_interval', -1),
        ('log_options', False),
    ]


def _nova_clients():
    return [('placement', _service_auth('placement-api')),
            ('glance', _service_auth('glance-api')),
            ('neutron', _service_auth('neutron')),
            ('oslo_messaging_rabbit', [('heartbeat_timeout_threshold', 30)])]


def scheduler_options(plugin):
    if not plugin:
        return []
    return [
        ('available_filters', 'nova.scheduler.filters.all_filters'),
        ('available_filters', 'nova_lb.scheduler.filters.all_filters'),
        ('enabled_filters', ','.join(NOVA_DEFAULT_FILTERS + PLUGIN_FILTERS)),
        ('weight_classes', 'nova.scheduler.weights.all_weighers,'
                           'nova_lb.scheduler.weighers.all_weighers'),
    ]


def write_nova_control(lay, opts):
    """nova.conf shared by nova-api, nova-conductor and nova-scheduler."""
    etc = lay.etc('nova')
    _paste_without_authtoken(
        os.path.join(sys.prefix, 'etc', 'nova', 'api-paste.ini'),
        os.path.join(etc, 'api-paste.ini'))
    sections = [
        ('DEFAULT', _common_nova(lay, 'minicloud-control', opts['debug'])),
        ('api', [('auth_strategy', 'keystone')]),
        ('api_database', [('connection', L.db_url('nova_api'))]),
        ('database', [('connection', L.db_url('nova_cell1'))]),
        ('conductor', [('workers', 1)]),
        ('scheduler', [('workers', 1),
                       ('discover_hosts_in_cells_interval', 2)]),
        ('filter_scheduler', scheduler_options(opts['plugin'])),
        ('quota', [(k, -1) for k in ('instances', 'cores', 'ram',
                                     'server_groups',
                                     'server_group_members')]),
        ('oslo_concurrency', [('lock_path', lay.path('state', 'locks'))]),
    ] + _nova_clients()
    _write(os.path.join(etc, 'nova.conf'), _ini(sections))


def write_nova_compute(lay, opts, index):
    """One config directory per compute; no database sections at all."""
    host = L.compute_host(index)
    inv = opts['inventories'][str(index)]
    sections = [
        ('DEFAULT', _common_nova(lay, host, opts['debug']) + [
            ('compute_driver', 'minicloud_fake.MinicloudFakeDriver'),
            ('instances_path', lay.path('state', host, 'instances'))]),
        ('minicloud', [('vcpus', inv['vcpus']),
                       ('memory_mb', inv['memory_mb']),
                       ('local_gb', inv['local_gb']),
                       ('migration_seconds', opts['migration_seconds'])]
         + ([('load_exporter_port', L.load_exporter_port(index))]
            if opts.get('prometheus') else [])),
        ('oslo_concurrency', [('lock_path',
                               lay.path('state', host, 'locks'))]),
    ] + _nova_clients()
    _write(lay.etc(host, 'nova.conf'), _ini(sections))
    os.makedirs(lay.path('state', host), exist_ok=True)


def write_placement(lay, opts):
    _write(lay.etc('placement', 'placement.conf'), _ini([
        ('DEFAULT', [('debug', opts['debug'])]),
        ('api', [('auth_strategy', 'noauth2')]),
        ('placement_database', [('connection', L.db_url('placement'))]),
    ]))


def write_glance(lay, opts):
    etc = lay.etc('glance')
    paste = os.path.join(etc, 'glance-api-paste.ini')
    _paste_without_authtoken(
        os.path.join(sys.prefix, 'etc', 'glance', 'glance-api-paste.ini'),
        paste)
    images = lay.path('data', 'glance')
    text = _ini([
        ('DEFAULT', [('debug', opts['debug']),
                     ('enabled_backends', 'file:file'),
                     ('worker_self_reference_url',
                      L.endpoint('glance-api'))]),
        ('database', [('connection', L.db_url('glance'))]),
        ('paste_deploy', [('flavor', 'keystone'), ('config_file', paste)]),
        ('glance_store', [('default_backend', 'file')]),
        ('file', [('filesystem_store_datadir', images + '/images')]),
        ('os_glance_staging_store', [('filesystem_store_datadir',
                                      images + '/staging')]),
        ('os_glance_tasks_store', [('filesystem_store_datadir',
                                    images + '/tasks')]),
        ('oslo_concurrency', [('lock_path', images + '/locks')]),
    ])
    _write(os.path.join(etc, 'glance-api.conf'), text)
    for sub in ('images', 'staging', 'tasks', 'locks'):
        os.makedirs(os.path.join(images, sub), exist_ok=True)


def write_clouds_yaml(lay):
    text = '\n'.join([
        'clouds:',
        '  minicloud:',
        '    auth_type: admin_token',
        '    auth:',
        '      token: "%s"' % L.ADMIN_TOKEN,
        '      endpoint: %s' % L.endpoint('nova-api'),
        '    region_name: RegionOne',
        '    compute_endpoint_override: %s/v2.1' % L.endpoint('nova-api'),
        '    image_endpoint_override: %s' % L.endpoint('glance-api'),
        '    placement_endpoint_override: %s' % L.endpoint('placement-api'),
        '    network_endpoint_override: %s' % L.endpoint('neutron'),
        ''])
    _write(lay.clouds_yaml, text)


def write_all(lay, opts):
    write_placement(lay, opts)
    write_glance(lay, opts)
    write_nova_control(lay, opts)
    for index in range(1, opts['computes'] + 1):
        write_nova_compute(lay, opts, index)
    write_clouds_yaml(lay)
