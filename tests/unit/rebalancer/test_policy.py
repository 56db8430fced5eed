"""The churn policy: windows, the ledger, and each policy binding."""

import datetime
import time

import fixtures
import testtools

from nova_lb.conf import rebalancer as rebalancer_conf
from nova_lb import exception
from nova_lb.planner import plan as plan_mod
from nova_lb.rebalancer import policy
from nova_lb.rebalancer import state as state_mod

NOW = time.mktime((2026, 12, 7, 3, 30, 0, 0, 0, -1))  # a Monday, local


def settings(**values):
    base = dict(cloud=None, automatic=True, interval=3600, cooldown=3600,
                state_dir=None, coordination_url=None, metrics_file=None,
                hold_runs=1, min_gain=0.0, max_migrations_per_day=0,
                allowed_hours=())
    base.update(values)
    return rebalancer_conf.Settings(**base)


def move(server, source='h1', destination='h2', gain=0.1, wave=0):
    return plan_mod.Migration(server, source, destination, wave, gain)


def plan(*moves):
    return plan_mod.Plan(migrations=tuple(moves), before={}, after={})


def at(hour, minute, day=7):
    return datetime.datetime(2026, 12, day, hour, minute)


class WindowTest(testtools.TestCase):

    def test_daily_window(self):
        w = policy.parse_window('01:00-05:30')
        self.assertTrue(w.allows(at(1, 0)))
        self.assertTrue(w.allows(at(5, 29)))
        self.assertFalse(w.allows(at(5, 30)))
        self.assertFalse(w.allows(at(0, 59)))

    def test_daily_window_across_midnight(self):
        w = policy.parse_window('22:00-06:00')
        self.assertTrue(w.allows(at(23, 0)))
        self.assertTrue(w.allows(at(2, 0)))
        self.assertFalse(w.allows(at(12, 0)))

    def test_cron_hours_on_weekdays(self):
        w = policy.parse_window('* 1-5 * * 1-5')
        self.assertTrue(w.allows(at(3, 17, day=7)))       # Monday
        self.assertFalse(w.allows(at(6, 0, day=7)))
        self.assertFalse(w.allows(at(3, 17, day=6)))      # Sunday

    def test_cron_steps_lists_and_sunday_as_7(self):
        w = policy.parse_window('*/15 2,4 * * 7')
        self.assertTrue(w.allows(at(4, 45, day=6)))
        self.assertFalse(w.allows(at(4, 46, day=6)))
        self.assertFalse(w.allows(at(3, 0, day=6)))

    def test_cron_day_of_month_or_day_of_week(self):
        # As cron: both restricted, either may match.
        w = policy.parse_window('* * 1 * 1')
        self.assertTrue(w.allows(at(3, 0, day=7)))        # a Monday
        self.assertTrue(datetime.datetime(2026, 12, 1).weekday() != 0)
        self.assertTrue(w.allows(datetime.datetime(2026, 12, 1, 3, 0)))
        self.assertFalse(w.allows(at(3, 0, day=8)))

    def test_bad_windows_are_named(self):
        for text in ('25:00-01:00', '1-5', '* 24 * * *', '* * * *',
                     '*/0 * * * *', '5-1 * * * *', 'x * * * *'):
            e = self.assertRaises(exception.InvalidConfig,
                                  policy.parse_window, text)
            self.assertIn('allowed_hours %r' % text, str(e))
            self.assertEqual(exception.EXIT_BAD_INPUT, e.exit_code)


class ChurnTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def churn(self, **values):
        s = settings(state_dir=self.dir, **values)
        return policy.Churn(s, state_mod.State(self.dir))

    def test_min_gain_replans_without_the_passengers(self):
        calls = []

        def make_plan(pinned, closed, cap):
            calls.append((dict(pinned), cap))
            if 's2' in pinned:
                return plan(move('s1', gain=0.2))
            return plan(move('s1', gain=0.2), move('s2', gain=0.01))

        result, verdict = self.churn(min_gain=0.05).plan(make_plan, NOW)
        self.assertEqual(['s1'], [m.server for m in result.migrations])
        self.assertEqual(['s2'], list(verdict.pinned))
        self.assertIn('min_gain: its move gains 0.010, less than 0.050',
                      verdict.pinned['s2'])
        self.assertEqual(2, len(calls))
        self.assertEqual({'kept_by_policy': {'min_gain': 1}},
                         verdict.summary())

    def test_min_gain_not_asked_of_a_drain(self):
        result, verdict = self.churn(min_gain=0.5).plan(
            lambda pinned, closed, cap: plan(move('s1', gain=0.0)), NOW,
            draining=True)
        self.assertEqual(1, len(result.migrations))
        self.assertEqual({}, verdict.pinned)

    def test_policy_still_broken_after_the_last_plan_holds_the_run(self):
        result, verdict = self.churn(min_gain=0.5).plan(
            lambda pinned, closed, cap: plan(move('s%d' % len(pinned), gain=0.0)),
            NOW)
        self.assertEqual((('min_gain', '1 moves still break it after 4 '
                           'plans'),), verdict.held)

    def test_no_server_goes_back_to_a_host_it_left(self):
        churn = self.churn(cooldown=7200)
        churn.record(move('s1', 'h1', 'h2'), NOW - 3600)

        def make_plan(pinned, closed, cap):
            if 's1' in pinned:
                return plan(move('s1', 'h2', 'h3'))
            return plan(move('s1', 'h2', 'h1'))

        result, verdict = churn.plan(make_plan, NOW)
        self.assertEqual(['h3'], [m.destination for m in result.migrations])
        self.assertIn('ping-pong: would go back to h1, which it left 3600s '
                      'ago (cooldown 7200s)', verdict.pinned['s1'])

    def test_a_drain_closes_the_host_instead(self):
        churn = self.churn(cooldown=7200)
        churn.record(move('s1', 'h1', 'h2'), NOW - 60)

        def make_plan(pinned, closed, cap):
            self.assertEqual({}, pinned)
            return plan(move('s1', 'h2', 'h3' if 'h1' in closed else 'h1'))

        result, verdict = churn.plan(make_plan, NOW, draining=True)
        self.assertEqual(['h3'], [m.destination for m in result.migrations])
        self.assertEqual((), verdict.held)

    def test_ping_pong_allowed_after_the_cooldown(self):
        churn = self.churn(cooldown=1800)
        churn.record(move('s1', 'h1', 'h2'), NOW - 3600)
        result, verdict = churn.plan(
            lambda pinned, closed, cap: plan(move('s1', 'h2', 'h1')), NOW)
        self.assertEqual({}, verdict.pinned)

    def test_hold_runs_counts_consecutive_runs_with_moves(self):
        churn = self.churn(hold_runs=3)
        busy, idle = plan(move('s1')), plan()
        held = churn.decide(busy, policy.Verdict(), NOW).held
        self.assertEqual((('hold_runs', 'moves found by 1 of the 3 '
                           'consecutive runs needed'),), held)
        self.assertTrue(churn.decide(busy, policy.Verdict(), NOW).held)
        # A balanced run starts the count again.
        self.assertEqual((), churn.decide(idle, policy.Verdict(), NOW).held)
        self.assertTrue(churn.decide(busy, policy.Verdict(), NOW).held)
        self.assertTrue(churn.decide(busy, policy.Verdict(), NOW).held)
        # The count lives in state_dir: a restarted rebalancer goes on.
        self.assertEqual((), self.churn(hold_runs=3).decide(
            busy, policy.Verdict(), NOW).held)
        # Acting starts the count again.
        self.assertTrue(churn.decide(busy, policy.Verdict(), NOW).held)

    def test_daily_budget_rolls_and_survives_a_restart(self):
        churn = self.churn(max_migrations_per_day=3)
        churn.record(move('old'), NOW - 90000)     # more than a day ago
        for n in range(2):
            churn.record(move('s%d' % n), NOW - 600)
        restarted = self.churn(max_migrations_per_day=3)
        self.assertEqual(2, restarted.migrations_last_day(NOW))
        self.assertEqual(1, restarted.budget_left(NOW))
        caps = []
        restarted.plan(
            lambda pinned, closed, cap: caps.append(cap) or plan(), NOW)
        self.assertEqual([1], caps)
        held = restarted.decide(plan(move('a'), move('b')), policy.Verdict(),
                                NOW).held
        self.assertEqual((('max_migrations_per_day', '2 migrations planned, '
                           '1 of the 3 allowed in 24 h left'),), held)
        self.assertEqual((), restarted.decide(plan(move('a')),
                                              policy.Verdict(), NOW).held)

    def test_allowed_hours(self):
        inside = self.churn(allowed_hours=('03:00-04:00',))
        self.assertEqual((), inside.decide(plan(move('s1')),
                                           policy.Verdict(), NOW).held)
        outside = self.churn(allowed_hours=('22:00-02:00', '* 5 * * *'))
        held = outside.decide(plan(move('s1')), policy.Verdict(), NOW).held
        self.assertEqual('allowed_hours', held[0][0])
        self.assertIn('03:30', held[0][1])
        self.assertIn('22:00-02:00, * 5 * * *', held[0][1])
        # Nothing to move: nothing to hold.
        self.assertEqual((), outside.decide(plan(), policy.Verdict(),
                                            NOW).held)

    def test_several_policies_named_in_the_summary(self):
        churn = self.churn(hold_runs=2, allowed_hours=('05:00-06:00',))
        verdict = churn.decide(plan(move('s1')), policy.Verdict(), NOW)
        self.assertEqual(['hold_runs', 'allowed_hours'],
                         verdict.summary()['held_by'])
        self.assertIn('hold_runs: moves found by 1 of the 2',
                      verdict.summary()['held'])

    def test_bad_window_refused_when_the_policy_is_built(self):
        self.assertRaises(exception.InvalidConfig, self.churn,
                          allowed_hours=('8-17',))
