"""The names nova-lb shares with admins and other tools, defined once.

File formats other tools read and write (see the snapshot and plan
format contract), the server metadata an owner sets to keep a server
where it is, and the prefix of the host aggregate metadata that overrides
an option per aggregate. Changing one breaks someone else's files or
settings, so each is spelled here only and every reader and writer uses
it from here.
"""

#: ``format`` of a snapshot document (:mod:`nova_lb.cloud.collector`
#: writes it, :mod:`nova_lb.model.snapshot` reads it).
SNAPSHOT_FORMAT = 'nova-lb-snapshot/1'
#: ``format`` of a plan document (:mod:`nova_lb.planner.plan`).
PLAN_FORMAT = 'nova-lb-plan/1'
#: Server metadata key whose false value (``false``, ``no``, ``0``) keeps
#: a server from being moved.
OPT_OUT_KEY = 'nova_lb:movable'
#: Host aggregate metadata ``nova_lb_<option>`` overrides ``[nova_lb]
#: <option>`` for the aggregate's hosts.
AGGREGATE_KEY_PREFIX = 'nova_lb_'


def aggregate_key(option):
    """The aggregate metadata key overriding ``[nova_lb] option``."""
    return AGGREGATE_KEY_PREFIX + option
