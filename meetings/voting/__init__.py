"""Votes in the meeting (biểu quyết, bỏ phiếu kín), by the Party's rules.

Modules, one job each:
  models    tables: per-cell settings, votes, raised hands, secret ballots and who voted
  settings  the rules a cell applies (defaults of meetings.rules, overridden per cell)
  tally     counts -> a stored, language-neutral result (uses meetings.rules)
  verdict   a result -> structured verdict parts -> text in the current language
  secrecy   receipts and the rewrite that unlinks ballots from voters at the close
  service   the commands open_vote, cast_vote, close_vote
  sections  the snapshot sections `votes` (public) and `my_votes` (the viewer's own)
  records   closed votes summarised for the minutes
  routes    the published receipts page
"""
