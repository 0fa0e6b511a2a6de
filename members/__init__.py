"""The member's handbook (sổ tay đảng viên): the /me page (the profile itself is org.profiles).

forms.py      the member's own edits (phone, email, channels); the email check
profile_csv.py  the administrator's CSV import of the handbook fields (parsed whole)
routes.py     /me: the handbook page, the member's own edits, the calendar address
record.py     this year's attendance and warnings, votes as receipts, coming meetings
"""
