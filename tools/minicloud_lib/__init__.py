"""minicloud: a real multi-process Nova + Placement + Glance cloud on 127.0.0.1.

Test tooling only (never imported by nova_lb): it imports Nova's fake virt
driver and stands in for Keystone and Neutron. See tools/minicloud --help.
"""
