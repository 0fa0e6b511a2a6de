"""Votes in the meeting (biểu quyết, bỏ phiếu kín), by the Party's rules.

Modules, one job each:
  models    tables: votes, raised hands, secret ballots and who voted
            (a cell's rules are org.vote_rules: the room's figures need them too)
  tally     counts -> a stored, language-neutral result (uses domain.rules)
  verdict   a result -> structured verdict parts -> text in the current language
  sealing         the cryptography of sealed secret ballots (pure: AES-GCM, HMAC, HKDF)
  keyring         where a secret vote's key lives: the processes' memory, nowhere else
  key_exchange    keys passed between processes over Redis pub/sub (never stored)
  secret_ballots  cast (sealed), count at the close (opened, shuffled, deleted), void on key loss
  commands  the commands open_vote, cast_vote, close_vote, reopen_vote
  sections  the snapshot sections `votes` (public) and `my_votes` (the viewer's own)
  records   closed votes summarised for the minutes
  routes    the published receipts page
"""
