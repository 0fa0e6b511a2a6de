"""Notifications between meetings: invitations and replies, reminders, email, the calendar feed.

models.py      notifications, invitations, reminder settings and claims, emails, document reads
texts.py       what each kind of notification says, in the reader's language
service.py     who is told, the in-app notification, the live bell, email handed to a job
hooks.py       the after-commit listener: schedule, change, cancel, start, document release
replies.py     the `reply_invitation` command and the room's `replies` section
reminders.py   reminder jobs at their time, sent once (a claimed key per meeting time)
mail.py        SMTP from the environment, with retries and back-off, failures kept for the admin
calendar.py    the private iCalendar feed and the .ics of one meeting
routes.py      the list page, replies from an invitation, calendar addresses, the secretary's view
"""
