"""Consortium mode (issue #12): several companies' validator nodes, ordered by an etcd cluster.

    order   the ordering primitive on etcd: append opaque signed transactions, cut each block's transactions once
"""
