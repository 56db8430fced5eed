"""``[planner]``: which hosts and servers a rebalancing plan may touch.

Admins keep parts of a cloud out of rebalancing: hosts being repaired, an
aggregate of licensed or pinned workloads, a zone under change freeze, a
project with a strict maintenance window, flavors whose guests do not
survive live migration well. Excluded hosts neither give nor receive
servers; excluded servers stay where they are but their load still counts
on their host.
"""

import dataclasses

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'planner',
    title='Rebalancing plan scope',
    help='Which hosts and servers the rebalancer may use in a plan.')

_RELATED = """
Related options:

* ``exclude_hosts``, ``exclude_aggregates``,
  ``exclude_availability_zones``, ``exclude_projects``,
  ``exclude_flavors``
* ``[nova_lb] draining_aggregate``: hosts being drained give servers but
  receive none.
"""

OPTS = [
    cfg.ListOpt(
        'exclude_hosts', default=[],
        help="""
Compute hosts the rebalancer leaves alone: no server moves off them or
onto them. Their servers are listed in the plan's ``left_alone`` with the
reason.

Possible values:

* A comma-separated list of compute service host names (as in
  ``openstack compute service list``). Empty (the default) excludes none.
""" + _RELATED),
    cfg.ListOpt(
        'exclude_aggregates', default=[],
        help="""
Host aggregates whose hosts the rebalancer leaves alone, as if each of
their hosts were listed in ``exclude_hosts``.

Possible values:

* A comma-separated list of Nova host aggregate names. Empty (the
  default) excludes none.
""" + _RELATED),
    cfg.ListOpt(
        'exclude_availability_zones', default=[],
        help="""
Availability zones whose hosts the rebalancer leaves alone, as if each of
their hosts were listed in ``exclude_hosts``. Servers never move between
zones in any case.

Possible values:

* A comma-separated list of availability zone names; the default zone is
  named as in ``[DEFAULT] default_availability_zone`` of nova.conf
  (``nova`` unless changed). Empty (the default) excludes none.
""" + _RELATED),
    cfg.ListOpt(
        'exclude_projects', default=[],
        help="""
Projects whose servers never move. Their load still counts on the hosts
they run on. A single server can also opt out with the server metadata
``nova_lb:movable=false``.

Possible values:

* A comma-separated list of project IDs. Empty (the default) excludes
  none.
""" + _RELATED),
    cfg.ListOpt(
        'exclude_flavors', default=[],
        help="""
Flavors whose servers never move, for example flavors with dedicated CPUs
or large memory whose live migration would not converge. Their load still
counts on the hosts they run on.

Possible values:

* A comma-separated list of flavor names (the name the server's flavor
  had when the server was created, as shown by
  ``openstack server show``). Empty (the default) excludes none.
""" + _RELATED),
]


@dataclasses.dataclass(frozen=True)
class Scope:
    """``[planner]`` read once: the exclusions of one planning run."""

    hosts: frozenset = frozenset()
    aggregates: frozenset = frozenset()
    availability_zones: frozenset = frozenset()
    projects: frozenset = frozenset()
    flavors: frozenset = frozenset()


def load(conf):
    """Read ``[planner]`` from ``conf`` into a :class:`Scope`."""
    group = conf[GROUP.name]
    return Scope(hosts=frozenset(group.exclude_hosts),
                 aggregates=frozenset(group.exclude_aggregates),
                 availability_zones=frozenset(
                     group.exclude_availability_zones),
                 projects=frozenset(group.exclude_projects),
                 flavors=frozenset(group.exclude_flavors))
