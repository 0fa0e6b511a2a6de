"""The demo organisation: invented cells, people, a year of meetings and sealed minutes.

Loaded into an empty database (``CHIBO_LOAD_DEMO=1``, ``flask load-demo``) so a new user sees a
real cell at once; the tests build their databases from it. It sits above every feature package
and nothing in the app imports it except the entry points (app.py, the CLI).

- organisation: the committees, cells, people and the current meetings (``load_demo_if_empty``);
- history: a year of past meetings, attendance, documents and assignments for the dashboard;
- minutes: texts, signatures and seals for the demo's ended meetings;
- between: handbook profiles, next week's meeting with its answers, unread notifications;
- tasks: conclusions and tasks of the last meetings (open, overdue, in progress, done);
- review: this December's year-end review with a few self-assessments submitted.
"""
