"""The list of speakers (danh sách phát biểu): raised hands, the floor, the speaking timer.

Importing the package registers its models, commands and the "speakers" snapshot section.
"""

from meetings.speakers import commands as commands  # noqa: F401  (registers the commands)
