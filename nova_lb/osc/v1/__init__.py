"""Version 1 of the ``openstack rebalance`` commands."""
