"""``[rebalancer]``: how the rebalancer reaches the cloud it balances.

The rebalancer is an API client like any OpenStack CLI: it reads
credentials from ``clouds.yaml`` or ``OS_*`` environment variables, so the
admin keeps one place for them and no password sits in nova-lb.conf.
"""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'rebalancer',
    title='Rebalancer',
    help='How nova-lb reads and changes the cloud through its APIs.')

OPTS = [
    cfg.StrOpt(
        'cloud',
        help="""
Name of the cloud in ``clouds.yaml`` whose credentials nova-lb uses.

nova-lb looks ``clouds.yaml`` up where every OpenStack client does
(``./clouds.yaml``, ``~/.config/openstack/``, ``/etc/openstack/``). The
account needs the admin role: nova-lb lists every project's servers and
live-migrates them.

Possible values:

* A cloud name from ``clouds.yaml``.
* Unset (the default): the ``OS_*`` environment variables, or the cloud
  named by ``OS_CLOUD``, as the ``openstack`` command does.

Related options:

* None
"""),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return [(GROUP, OPTS)]
