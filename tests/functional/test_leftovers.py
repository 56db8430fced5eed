"""Leftover allocations fill their host but are never compensated for,
on the in-process cloud (real Nova, Placement and live migrations).

An orphan is put into Placement the way a server deleted mid-migration or
a migration Placement missed the end of leaves one: a consumer nobody
knows, holding resources on a compute node provider.
"""

from tests.functional import base  # isort:skip  (patches eventlet first)

import uuid

from nova_lb.rebalancer import flow
from tests.functional import test_rebalancer

#: One server's size. A host has 15.5 GiB of memory for servers (16 GiB,
#: 512 MiB reserved by default).
SIZE = dict(vcpus=2, memory_mb=4096, disk_gb=20)


class OrphanTest(test_rebalancer.RebalancerTestCase):

    hosts = tuple(base.Host('host%d' % n, 8, 16384, 200) for n in (1, 2, 3))

    def orphan(self, host, **resources):
        """A consumer that is no server and no migration, holding
        ``resources`` on ``host``; returns its uuid."""
        consumer = str(uuid.uuid4())
        response = self.placement.put('/allocations/%s' % consumer, {
            'allocations': {self.provider_uuid(host): {
                'resources': resources}},
            'project_id': self.api.project_id, 'user_id': 'admin',
            'consumer_generation': None, 'consumer_type': 'INSTANCE'},
            version='1.39')
        self.assertEqual(204, response.status, response.body)
        return consumer

    def usages(self, host):
        return self.provider_state(host)[1]

    def test_balanced_cloud_with_an_orphan_moves_nothing(self):
        self.boot_skewed({'host1': 2, 'host2': 2, 'host3': 2}, **SIZE)
        # host1's memory is 90 % full by Placement's count: 8 GiB of
        # servers and 6 GiB of orphan. Counted as load, it would make the
        # planner move a server off host1 to make up for it.
        consumer = self.orphan('host1', MEMORY_MB=6144, VCPU=2)
        self.assertEqual(14336, self.usages('host1')['MEMORY_MB'])

        summary = flow.rebalance(self.rebalancer_conf(
            automation='automatic'), conn=self.sdk)

        self.assertEqual(('done', 0), (summary['outcome'],
                                       summary['planned']))
        self.assertEqual([], self.live_migrations())
        message, = summary['leftovers']
        self.assertIn('consumer %s is no live server' % consumer, message)
        self.assertIn('MEMORY_MB=6144, VCPU=2 on host1', message)
        self.assertIn('openstack resource provider allocation delete %s'
                      % consumer, message)
        # The peaks are those of the load that runs: 8 of 15.5 GiB.
        self.assertAlmostEqual(8192 / 15872,
                               summary['before']['MEMORY_MB']['peak'])
        self.assertEqual(summary['before'], summary['after'])
        self.assert_servers_active()
        self.assert_within_capacity()
        self.assertEqual(14336, self.usages('host1')['MEMORY_MB'])
        self.placement.delete('/allocations/%s' % consumer)
        self.assert_usages_match_servers()

    def test_plan_never_overcommits_a_host_holding_an_orphan(self):
        self.boot_skewed({'host2': 3}, **SIZE)
        # host1 runs nothing, but Placement has 12 of its 15.5 GiB taken:
        # no server of 4 GiB fits there, however empty its load looks.
        consumer = self.orphan('host1', MEMORY_MB=12288)

        summary = flow.rebalance(self.rebalancer_conf(
            automation='automatic'), conn=self.sdk)

        self.assertEqual('done', summary['outcome'], summary)
        moves = summary['moves']
        self.assertTrue(moves)
        self.assertEqual({'host3'}, {m['destination'] for m in moves})
        self.assertEqual(len(moves), len(self.live_migrations()))
        self.assertEqual({'MEMORY_MB': 12288}, {
            rc: n for rc, n in self.usages('host1').items() if n})
        self.assert_servers_active()
        self.assert_within_capacity()
        # What is left besides the orphan is exactly the servers' own.
        self.placement.delete('/allocations/%s' % consumer)
        self.assert_usages_match_servers()
