import testtools

from nova_lb import exception
from nova_lb.rebalancer import outcome
from nova_lb.rebalancer import stopping


class StopperTest(testtools.TestCase):

    def test_stop_while_not_moving_is_immediate(self):
        stopper = stopping.Stopper()
        self.assertRaises(exception.Stopped, stopper.request)
        self.assertTrue(stopper.is_set())

    def test_stop_while_moving_waits_for_the_executor(self):
        stopper = stopping.Stopper()
        with stopper.moving():
            stopper.request()  # no exception: the executor sees is_set()
            self.assertTrue(stopper.is_set())
        self.assertRaises(exception.Stopped, stopper.request)

    def test_wait_returns_early_once_stopped(self):
        stopper = stopping.Stopper()
        with stopper.moving():
            stopper.request()
        stopper.wait(3600)  # returns at once


class StoppedOutcomeTest(testtools.TestCase):

    def test_stopped_before_moving_is_a_skipped_run(self):
        stopped = exception.Stopped('stopped before moving anything')
        self.assertEqual(outcome.SKIPPED, outcome.of_error(stopped))
        self.assertEqual(outcome.SKIPPED.exit_code, stopped.exit_code)
