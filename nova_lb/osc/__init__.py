"""``openstack rebalance ...``: nova-lb as a python-openstackclient plugin."""
