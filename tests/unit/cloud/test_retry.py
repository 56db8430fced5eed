"""Retries of transient API failures; each test fakes one API call."""

from keystoneauth1 import exceptions as ks_exceptions
from openstack import exceptions as sdk_exceptions
import testtools

from nova_lb import exception
from nova_lb.cloud import retry


class FlakyCall(object):
    """An API call that fails ``failures`` times, then answers."""

    def __init__(self, error, failures):
        self.error = error
        self.failures = failures
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return {'ok': True}


class RetrierTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.waits = []
        self.retrier = retry.Retrier(3, 0.5, sleep=self.waits.append)

    def test_timeouts_retried_with_doubling_waits(self):
        call = FlakyCall(ks_exceptions.ConnectTimeout('read timed out'), 2)
        self.assertEqual({'ok': True}, self.retrier.call('GET /x', call))
        self.assertEqual(3, call.calls)
        self.assertEqual([0.5, 1.0], self.waits)

    def test_server_error_given_up_in_one_line(self):
        call = FlakyCall(sdk_exceptions.HttpException(
            'Internal Server Error\ntraceback...', http_status=500), 99)
        e = self.assertRaises(exception.CloudUnavailable,
                              self.retrier.call, 'GET /servers/s1', call)
        self.assertEqual(4, call.calls)
        self.assertEqual([0.5, 1.0, 2.0], self.waits)
        self.assertNotIn('\n', str(e))
        self.assertIn('GET /servers/s1 failed 4 times', str(e))

    def test_client_error_is_an_answer(self):
        call = FlakyCall(
            sdk_exceptions.NotFoundException('gone', http_status=404), 1)
        self.assertRaises(sdk_exceptions.NotFoundException,
                          self.retrier.call, 'GET /servers/s1', call)
        self.assertEqual(1, call.calls)
        self.assertEqual([], self.waits)

    def test_zero_retries_tries_once(self):
        call = FlakyCall(ks_exceptions.ConnectFailure('refused'), 1)
        self.assertRaises(exception.CloudUnavailable,
                          retry.Retrier(0, 1.0).call, 'GET /x', call)
        self.assertEqual(1, call.calls)

    def test_failed_discovery_is_transient(self):
        # What a run starting while Placement or nova-api is down sees.
        call = FlakyCall(ks_exceptions.DiscoveryFailure(
            'Could not find versioned identity endpoints'), 2)
        self.assertEqual({'ok': True}, self.retrier.call('GET /x', call))
        self.assertEqual(3, call.calls)

    def test_identity_server_error_is_transient(self):
        call = FlakyCall(ks_exceptions.ServiceUnavailable(), 1)
        self.assertEqual({'ok': True}, self.retrier.call('auth', call))
