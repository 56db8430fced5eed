"""Server states, server groups and the in-flight migrations."""

import collections

from nova_lb.scenario import fleet as fleet_mod


class ServerStates(object):
    """Server states, groups and the migrations, by server index."""

    def __init__(self, rng, fleet, placement, projects, profile):
        self.fleet, self.placement = fleet, placement
        n = len(placement.host)
        self.ids = fleet_mod.uuids(rng, n)
        self.projects = [u.replace('-', '')
                         for u in fleet_mod.uuids(rng, projects)]
        self.project = rng.integers(projects, size=n).tolist()
        self.status = ['ACTIVE'] * n
        self.opt_out = None
        #: (server, source, destination, migration uuid) of each one.
        self.migrations = []
        #: (server, migration uuid or None) of each server deleted with
        #: its allocation left behind.
        self.leaked = []
        order = rng.permutation(n).tolist()
        stopped = max(1, n * profile.stopped // 100)
        failed = max(1, n // 200)
        for s in order[:stopped]:
            self.status[s] = 'SHUTOFF'
        for s in order[stopped:stopped + failed]:
            self.status[s] = 'ERROR'
        usable = fleet.enabled & fleet.up
        pool = [s for s in order[stopped + failed:]
                if usable[placement.host[s]]]
        self.opt_out = pool.pop() if pool else None
        for _ in range(profile.migrating):
            self._migrate(pool, rng)
        self._leak(pool, rng, n * profile.leaked // 1000)
        self.groups = Groups(rng, placement.host, pool,
                             profile.anti_affinity).groups
        for group in self.groups:
            # A group and its members belong to one project.
            project = self.projects[self.project[group['members'][0]]]
            for s in group['members']:
                self.project[s] = self.project[group['members'][0]]
            group.update(project_id=project, user_id='u' + project[1:],
                         members=[self.ids[s] for s in group['members']])

    def _migrate(self, pool, rng):
        """Live-migrate a server of ``pool`` to a host of its zone with room.

        Tries the last servers of the (shuffled) pool until one fits
        somewhere; a cloud too small or too full has no migration.
        """
        fleet, placement = self.fleet, self.placement
        for i in range(len(pool) - 1, max(len(pool) - 50, 0) - 1, -1):
            s, source = pool[i], placement.host[pool[i]]
            for h in rng.permutation(fleet.n).tolist():
                if (h != source and fleet.enabled[h] and fleet.up[h]
                        and fleet.zone[h] == fleet.zone[source]
                        and placement.fits(s, h)):
                    placement.charge(s, h)
                    self.status[s] = 'MIGRATING'
                    self.migrations.append(
                        (s, source, h, fleet_mod.uuids(rng, 1)[0]))
                    del pool[i]
                    return


    def _leak(self, pool, rng, count):
        """Delete ``count`` servers of ``pool`` but leave their allocations.

        Every other one leaves it under a completed migration's UUID, as
        Nova does when Placement is away while the migration finishes.
        """
        for i in range(min(count, len(pool))):
            migration = fleet_mod.uuids(rng, 1)[0] if i % 2 else None
            self.leaked.append((pool.pop(), migration))


class Groups(object):
    """Disjoint server groups drawn from ``pool`` (servers that may move)."""

    def __init__(self, rng, host, pool, per_thousand):
        """:param per_thousand: anti-affinity groups per 1,000 servers."""
        self.rng, self.host, self.pool = rng, host, pool
        self.groups = []
        n = len(host)
        for _ in range(max(1, int(n * per_thousand) // 1000)):
            self._spread(int(rng.integers(3, 6)), 1)
        self._spread(5, 2)
        for _ in range(max(1, n // 5000)):
            self._together()
        self._add('soft-anti-affinity', self._take(4))
        self._add('soft-affinity', self._take(3))

    def _take(self, n):
        return [self.pool.pop() for _ in range(min(n, len(self.pool)))]

    def _spread(self, size, per_host):
        members, count, skipped = [], collections.Counter(), []
        while len(members) < size and self.pool:
            s = self.pool.pop()
            if count[self.host[s]] < per_host:
                members.append(s)
                count[self.host[s]] += 1
            else:
                skipped.append(s)
        self.pool.extend(reversed(skipped))
        self._add('anti-affinity', members,
                  {'max_server_per_host': per_host} if per_host > 1 else {})

    def _together(self):
        by_host = collections.defaultdict(list)
        for s in self.pool:
            by_host[self.host[s]].append(s)
        crowded = [servers for servers in by_host.values() if len(servers) > 1]
        if crowded:
            members = crowded[int(self.rng.integers(len(crowded)))][:3]
            taken = set(members)
            self.pool[:] = [s for s in self.pool if s not in taken]
            self._add('affinity', members)

    def _add(self, policy, members, rules=None):
        if not members:
            return
        self.groups.append({
            'id': fleet_mod.uuids(self.rng, 1)[0],
            'name': '%s-%d' % (policy, len(self.groups)),
            'policy': policy, 'rules': rules or {}, 'members': members,
            'project_id': None, 'user_id': None})
