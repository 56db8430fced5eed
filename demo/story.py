"""The demo's story, told inside a running cloud.

Skewed load, utilisation before, one run of the rebalancer daemon (plan,
waves, real live migrations), utilisation after, chart, and the invariants
every rebalancing must keep: every server ACTIVE, Placement's usages
exactly the servers' allocations, no host over capacity.
"""

import dataclasses
import os
import time

import fixtures

from tests.functional import base

from demo import load
from demo import measured as measured_mod
from demo import rebalance
from demo import report
from demo import usage

#: Seconds to wait for Nova to finish the migrations the daemon started.
SETTLE_TIMEOUT = 120


@dataclasses.dataclass
class Outcome:
    """What happened, for the exit code and for the demo's test."""

    before: list
    after: list
    hosts_before: dict
    hosts_after: dict
    daemon: rebalance.Result
    violations: list
    png: object = None

    @property
    def moved(self):
        return sorted(s for s, h in self.hosts_after.items()
                      if self.hosts_before.get(s) != h)


def _hosts_of_servers(cloud):
    return {s['id']: s['OS-EXT-SRV-ATTR:host'] for s in cloud.servers()}


def _count(hosts_of):
    counts = {}
    for host in hosts_of.values():
        counts[host] = counts.get(host, 0) + 1
    return counts


def _wait_for_migrations(cloud):
    """Until no migration is running or still holds a source allocation.

    Nova marks a live migration ``completed`` before it deletes the
    allocation its uuid holds on the source.
    """
    final = ('completed',) + base.MIGRATION_FAILED
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        busy = [m for m in cloud.admin_api.api_get(
            '/os-migrations').body['migrations']
            if m['status'] not in final or cloud.placement_get(
                '/allocations/%s' % m['uuid'])['allocations']]
        if not busy or time.monotonic() > deadline:
            return busy
        time.sleep(0.2)


def _read(cloud, source, hosts_of):
    """Each host's usage, with its measured CPU when ``source`` is set."""
    hosts = usage.read(cloud)
    return hosts if source is None else source.add_to(cloud, hosts,
                                                      hosts_of)


def check_invariants(cloud):
    """The broken invariants, one line each; empty when all hold."""
    violations = []
    for check in (cloud.assert_servers_active,
                  cloud.assert_usages_match_servers,
                  cloud.assert_within_capacity):
        try:
            check()
        except AssertionError as e:
            violations.append('%s: %s' % (check.__name__,
                                          ' '.join(str(e).split())))
    return violations


def tell(cloud, options, out):
    """The whole story in ``cloud``; returns an :class:`Outcome`."""
    def say(text=''):
        out.write(text + '\n')
        out.flush()

    workdir = cloud.useFixture(fixtures.TempDir()).path
    measured = options.load == 'measured'
    if measured:
        say('Booting %d servers through nova-scheduler (seed %d); those on '
            'one host will run busy...' % (options.servers, options.seed))
    else:
        say('Booting %d servers, most of them forced onto %s (seed %d)...'
            % (options.servers, ' and '.join(
                h.name for h in cloud.hosts[:load.HOT_HOSTS]), options.seed))
    booted = load.boot(cloud, options.servers, options.seed, out,
                       hot_share=0 if measured else load.HOT_SHARE)
    hosts_before = _hosts_of_servers(cloud)
    classes, extra_config, source = usage.CLASSES, '', None
    if measured:
        source = measured_mod.Load(cloud, booted, hosts_before,
                                   os.path.join(workdir, 'prometheus'))
        say("The servers on %s run busy. Serving each server's CPU use to "
            "Debian's Prometheus at %s; waiting for the window's data..."
            % (source.hot, source.prometheus.url))
        source.wait()
        classes = usage.CLASSES + (measured_mod.CLASS,)
        extra_config = source.config()
    before = _read(cloud, source, hosts_before)
    say()
    say('Before rebalancing:')
    say(report.table(cloud.hosts, before, servers_before=_count(
        hosts_before), classes=classes))
    say()
    say('Running the rebalancer daemon once (nova-lb-rebalancer --once, '
        'automation = %s%s)...' % (
            'manual' if options.manual else 'automatic',
            ', balance = measured' if measured else ''))
    daemon = rebalance.run_once(cloud, workdir, not options.manual,
                                extra_config)
    if daemon.plan is not None:
        say('The plan (%d moves in %d waves):' % (
            len(daemon.plan['migrations']),
            len({m['wave'] for m in daemon.plan['migrations']})))
        say(report.plan(daemon.plan, booted, classes))
    say("nova-lb's log:")
    for line in daemon.log:
        for server, b in booted.items():
            line = line.replace(server, b.name)
        say('  ' + line)
    busy = [] if options.manual else _wait_for_migrations(cloud)
    hosts_after = _hosts_of_servers(cloud)
    outcome = Outcome(before=before, after=_read(cloud, source, hosts_after),
                      hosts_before=hosts_before, hosts_after=hosts_after,
                      daemon=daemon, violations=check_invariants(cloud))
    outcome.violations += ['migration %s still %s after %ds' % (
        m['uuid'], m['status'], SETTLE_TIMEOUT) for m in busy]
    if options.manual:
        say()
        say('--manual: stopped at the plan, as [rebalancer] automation = '
            'manual does; %d servers moved.' % len(outcome.moved))
        say('On a real cloud, review the plan.json the daemon published and '
            'carry it out with `nova-lb apply`.')
        return outcome
    summary = daemon.summary
    say()
    say('After rebalancing (%s moves done, %s failed, %s skipped):' % (
        summary.get('done', 0), summary.get('failed', 0),
        summary.get('skipped', 0)))
    say(report.table(cloud.hosts, before, outcome.after,
                     servers_before=_count(hosts_before),
                     servers_after=_count(outcome.hosts_after),
                     classes=classes))
    report.chart(options.output, before, outcome.after, classes)
    outcome.png = options.output
    say()
    say('Chart of every host before and after: %s' % options.output)
    return outcome
