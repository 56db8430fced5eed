"""The demo's cloud: the functional tests' in-process Nova, outside a test.

Nova's harness is a set of fixtures hung on ``nova.test.TestCase``; the
robust way to run it is the way it is built to run: one test case, whose
single test method is the demo's story, run by unittest. Setting up the
case starts Nova's API, conductor, scheduler and one fake-driver compute
per host against the real Placement; its clean-up stops them all. Nova's
own logging stays captured in memory by its fixtures, so the admin sees
only what the story prints.
"""

# Nova's functional package monkey-patches eventlet on import: it must come
# before anything that creates threads or sockets.
from tests.functional import base  # isort:skip

import traceback
import unittest

from nova_lb import exception

#: Host sizes (vCPUs, MB of RAM, GB of disk) the demo's hosts cycle
#: through: small, medium, large.
SIZES = ((8, 16384, 200), (16, 32768, 400), (32, 65536, 800))

#: The README's nova.conf: Nova's default filters plus nova-lb's.
ENABLED_FILTERS = ['ComputeFilter', 'ComputeCapabilitiesFilter',
                   'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter',
                   'ServerGroupAffinityFilter', 'HeadroomFilter']


class DemoFailed(Exception):
    """The cloud or the story broke; the message holds the traceback."""


def sized_hosts(count):
    """``count`` hosts ``host1``... cycling through :data:`SIZES`."""
    return tuple(base.Host('host%d' % (i + 1), *SIZES[i % len(SIZES)])
                 for i in range(count))


class DemoCloud(base.NovaLBTestCase):
    """The functional base with nova-lb's scheduler plugin enabled."""

    use_nova_lb_plugin = True
    enabled_filters = ENABLED_FILTERS

    def __init__(self, hosts, story, holder):
        super().__init__('runTest')
        # Nova's clean-up deletes public attributes; ``hosts`` is read
        # during setUp only, the story's result goes to ``holder``.
        self.hosts = hosts
        self._story = story
        self._holder = holder

    def setUp(self):
        # Nova's default quotas (20 cores, 10 servers) would end the demo,
        # not the cloud's capacity.
        for quota in ('instances', 'cores', 'ram'):
            self.flags(group='quota', **{quota: -1})
        super().setUp()

    def runTest(self):
        try:
            self._holder['result'] = self._story(self)
        except Exception as e:
            self._holder['error'] = e, traceback.format_exc()
            raise


def run_in_cloud(hosts, story):
    """Start a cloud with ``hosts``, return ``story(cloud)``, stop it.

    :raises nova_lb.exception.NovaLBError: the story's, e.g. bad input.
    :raises DemoFailed: the cloud did not start or the story broke.
    """
    holder = {}
    result = unittest.TestResult()
    DemoCloud(hosts, story, holder).run(result)
    if 'error' in holder:
        error, text = holder['error']
        if isinstance(error, exception.NovaLBError):
            raise error
        raise DemoFailed(text)
    problems = result.errors + result.failures
    if problems or 'result' not in holder:
        # setUp or clean-up failed: testtools appends Nova's captured log
        # to the traceback; the traceback itself comes first.
        text = problems[0][1] if problems else 'the demo did not run'
        raise DemoFailed(text.split('pythonlogging')[0].strip())
    return holder['result']
