"""Allocations a failed move left behind: found, named, never planned on.

When the source nova-compute dies during a live migration, Nova ends the
migration in ``error`` with the server back on its source, but leaves
Placement's allocations swapped: the instance's on the destination, the
migration's on the source. Nothing heals that by itself, so both hosts'
usage is off for as long as it lasts. A plan that moved the server would
build on an accounting error (which allocation would the move claim?), so
every such leftover is reported in one line an admin can act on, and its
server stays where it is. Its allocations stay fixed load where Placement
has them: that is what Nova's scheduler and every live migration claim
against, so a plan counting them cannot overfill a host (it only sees the
hosts involved fuller than their guests make them).

Two marks, either one enough:

* a migration that ended in ``error``/``failed`` whose uuid still holds
  allocations (Nova deletes a move's allocations when it ends cleanly);
* a server, with no migration in flight, holding allocations on a provider
  outside its own host's provider trees.
"""

from nova_lb.model import fields


@fields.record
class Leftover:
    server: str
    #: uuid of the failed migration, or None if only the server's own
    #: allocations are astray.
    migration: object
    #: Every host involved, sorted: the server's and those holding the
    #: stale allocations.
    hosts: tuple
    message: str

    def to_json(self):
        return {'server': self.server, 'migration': self.migration,
                'hosts': list(self.hosts), 'message': self.message}


def find(snap):
    """The leftovers in ``snap``, one per server, sorted by server."""
    held = _hosts_holding(snap)
    in_flight = {m.server for m in snap.migrations}
    found = {}
    for mig in snap.failed_migrations:
        where = held.get(mig.uuid)
        if not mig.uuid or not where:
            continue
        found[mig.server] = (mig, sorted(where))
    for server in snap.servers:
        astray = held.get(server.uuid, set()) - {server.host}
        if (server.host is None or server.uuid in in_flight or not astray
                or server.uuid in found):
            continue
        found[server.uuid] = (None, [])
    return tuple(_leftover(snap, uuid, mig, mig_hosts, held)
                 for uuid, (mig, mig_hosts) in sorted(found.items()))


def _hosts_holding(snap):
    """consumer uuid -> hosts (provider names if hostless) it holds."""
    host_of = {rp: host for host, rps in snap.host_providers.items()
               for rp in rps}
    held = {}
    for rp, provider in snap.providers.items():
        host = host_of.get(rp, provider.name)
        for consumer in provider.allocations:
            held.setdefault(consumer, set()).add(host)
    return held


def _leftover(snap, uuid, mig, mig_hosts, held):
    row = snap.server_index.get(uuid)
    server = snap.servers[row] if row is not None else None
    host = server.host if server else None
    own = sorted(held.get(uuid, ()))
    parts = ['server %s%s is on %s' % (
        uuid, ' (%s)' % server.status if server and server.status !=
        'ACTIVE' else '', host or 'no host')]
    if own != [host]:
        parts[0] += ' but its allocations are on %s' % (
            ', '.join(own) or 'no host')
    if mig is not None:
        parts.append('migration %s (%s -> %s) ended %s and still holds '
                     'allocations on %s' % (
                         mig.uuid, mig.source, mig.destination, mig.status,
                         ', '.join(mig_hosts)))
    hosts = set(own) | set(mig_hosts) | ({host} - {None})
    if mig is not None:
        hosts |= {mig.source, mig.destination} - {None}
    message = ('leftover allocations: %s; the server stays, hosts %s keep '
               'the stale usage until Placement is repaired' % (
                   '; '.join(parts), ', '.join(sorted(hosts))))
    return Leftover(server=uuid, migration=mig.uuid if mig else None,
                    hosts=tuple(sorted(hosts)), message=message)
