"""Meeting documents (tài liệu): files attached to a meeting or an agenda item, then released.

Importing the package registers the model; the pages are in `routes`.
"""

from meetings.documents import models as models  # noqa: F401  (registers the table)
