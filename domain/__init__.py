"""The Party's vocabulary and rules, as pure code: no Flask, no database, no other package.

Both `org` (memberships) and `meetings` (attendance, votes) speak it, so it sits below them.
"""
