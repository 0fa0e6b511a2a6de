"""Oversight by upper-level leaders: the leader's home, the meeting-quality dashboard and the
leaders' attendance assignments (phân công dự sinh hoạt chi bộ)."""
