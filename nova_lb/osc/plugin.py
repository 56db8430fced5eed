"""The plugin module python-openstackclient loads (``openstack.cli.extension``).

OSC asks each plugin for ``API_NAME``, ``API_VERSIONS``, ``make_client``
and ``build_option_parser``. nova-lb has no API of its own: its "client"
is the openstacksdk connection OSC already made from ``--os-cloud`` or the
``OS_*`` variables, so the commands use the admin's one set of
credentials and session. The only global option added is where
nova-lb's own configuration lives (state directory, weights, ceilings).
"""

import os

from oslo_config import cfg

from nova_lb import conf as lb_conf

API_NAME = 'rebalance'
API_VERSION_OPTION = 'os_rebalance_api_version'
API_VERSIONS = {'1': 'nova_lb.osc.plugin'}
DEFAULT_CONFIG_FILE = '/etc/nova-lb/nova-lb.conf'


def make_client(instance):
    """The openstacksdk connection of OSC's session."""
    return instance.sdk_connection


def build_option_parser(parser):
    parser.add_argument(
        '--os-rebalance-api-version', metavar='<version>',
        default=os.environ.get('OS_REBALANCE_API_VERSION', '1'),
        help='nova-lb plugin version (only 1; Env: '
             'OS_REBALANCE_API_VERSION)')
    parser.add_argument(
        '--os-rebalance-config-file', metavar='<path>',
        default=os.environ.get('OS_REBALANCE_CONFIG_FILE'),
        help='nova-lb configuration file (default: %s if it exists; Env: '
             'OS_REBALANCE_CONFIG_FILE)' % DEFAULT_CONFIG_FILE)
    return parser


def load_conf(path):
    """nova-lb's options, read once for one command.

    :param path: a config file, or None for the default one if present.
    :raises oslo_config.cfg.Error: unreadable or invalid file.
    """
    conf = cfg.ConfigOpts()
    lb_conf.register_opts(conf)
    if path is None and os.path.exists(DEFAULT_CONFIG_FILE):
        path = DEFAULT_CONFIG_FILE
    conf([], project='nova-lb', default_config_files=[path] if path else [])
    return conf
