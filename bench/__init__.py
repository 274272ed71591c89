"""`python -m bench`: the project's speed, measured against the tutorial's code path on the same machine.

Every figure is the min / median / max of repeated runs in one process, and project and tutorial runs
are interleaved, so the load of other processes on a shared machine falls on both alike.
"""
