"""Administration: committees, cells, users, memberships, oversight, CSV import."""
