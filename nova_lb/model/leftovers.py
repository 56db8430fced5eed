"""Allocations a failed move left behind: found, named, never planned on.

When the source nova-compute dies during a live migration, Nova ends the
migration in ``error`` with the server back on its source, but leaves
Placement's allocations swapped: the instance's on the destination, the
migration's on the source. Nothing heals that by itself, so both hosts'
usage is off for as long as it lasts. A plan that moved the server would
build on an accounting error (which allocation would the move claim?), so
every such leftover is reported in one line an admin can act on, and its
server stays where it is.

A leftover's allocations fill their host but are no load there: Nova's
scheduler and every live migration claim against Placement's usage, so
they stay part of each host's capacity checks, but nothing runs on them,
so the balancing objective does not spread them (:func:`misplaced`): no
plan moves servers to make up for an orphan an admin can delete.

Three marks, any one enough:

* a migration that ended in ``error``/``failed`` whose uuid still holds
  allocations (Nova deletes a move's allocations when it ends cleanly);
* a server, with no migration in flight, holding allocations on a provider
  outside its own host's provider trees;
* any other consumer on a compute host that is neither a live server nor a
  migration in flight: a migration that completed or was cancelled but
  whose allocation Nova never deleted (Placement was down as it ended), a
  server deleted mid-migration, a consumer nobody knows. These are
  orphans: they hold room on the host, so they stay counted, but nothing
  of theirs can move; the message gives the command that removes them.
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
    orphans = _orphans(snap, set(found))
    return tuple(sorted(
        [_leftover(snap, uuid, mig, mig_hosts, held)
         for uuid, (mig, mig_hosts) in found.items()] + orphans,
        key=lambda item: item.server))


def misplaced(snap):
    """Allocations on compute hosts that are no load where they are.

    ``{(consumer, host): host where that load runs, or None}``. A consumer
    that is neither a live server nor a migration in flight (a completed,
    cancelled or failed migration, a deleted server, an unknown consumer)
    runs nothing: None. A live server with no migration in flight holding
    allocations off its own host runs on its host: its host if it holds
    nothing there (the swap a dead source compute leaves), else None (its
    own host already counts it).
    """
    in_flight = {m.uuid for m in snap.migrations if m.uuid}
    in_flight |= {m.server for m in snap.migrations}
    home = {s.uuid: s.host for s in snap.servers if s.host is not None}
    astray = {}
    at_home = set()
    for host, rps in snap.host_providers.items():
        for rp in rps:
            for consumer in snap.providers[rp].allocations:
                if consumer in in_flight:
                    continue
                if home.get(consumer) == host:
                    at_home.add(consumer)
                else:
                    astray[(consumer, host)] = home.get(consumer)
    return {(consumer, host): None if consumer in at_home else runs_on
            for (consumer, host), runs_on in astray.items()}


def _orphans(snap, reported):
    """Leftovers for consumers that are neither a live server nor a
    migration in flight, except those of servers in ``reported``."""
    known = {s.uuid for s in snap.servers if s.host is not None}
    known |= {m.uuid for m in snap.migrations if m.uuid}
    ended = {m.uuid: m for m in snap.ended_migrations if m.uuid}
    host_of = {rp: host for host, rps in snap.host_providers.items()
               for rp in rps}
    holds = {}
    for rp, provider in sorted(snap.providers.items()):
        host = host_of.get(rp)
        if host is None:
            continue
        for consumer, resources in provider.allocations.items():
            if consumer not in known:
                holds.setdefault(consumer, []).append((host, resources))
    found = []
    for consumer, where in sorted(holds.items()):
        mig = ended.get(consumer)
        server = mig.server if mig else consumer
        if server in reported:
            continue
        what = ('migration %s of server %s (%s -> %s) ended %s' % (
            consumer, mig.server, mig.source, mig.destination, mig.status)
            if mig else 'consumer %s is no live server (deleted?) and no '
            'migration' % consumer)
        amounts = '; '.join('%s on %s' % (', '.join(
            '%s=%s' % item for item in sorted(resources.items())), host)
            for host, resources in where)
        found.append(Leftover(
            server=server, migration=consumer if mig else None,
            hosts=tuple(sorted({host for host, _ in where})),
            message='leftover allocations: %s and still holds %s; counted '
                    'as used until removed with: openstack resource '
                    'provider allocation delete %s' % (
                        what, amounts, consumer)))
    return found


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
