"""Conclusions and tasks (kết luận, nhiệm vụ) carried from one meeting to the next.

Modules, one job each:
  rules     pure: statuses, deadlines, who may mark what, the follow-up figures
  models    tables: tasks, their owners, the history of status changes
  queries   which tasks a meeting sets and reviews; who owns a task; a member's tasks
  sections  the snapshot section `tasks`
  commands  task_add, task_edit, task_remove, task_review, task_update
  records   the numbered lists and the review as the minutes print them
  routes    the member's "my tasks" page (update between meetings)

Importing the package registers its models, commands and snapshot section.
"""

from meetings.tasks import commands as commands  # noqa: F401  (registers the commands)
