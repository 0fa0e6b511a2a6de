"""The year-end review meeting (kiểm điểm, đánh giá, xếp loại chất lượng đảng viên và chi bộ).

Modules, one job each:
  rules     pure: score bands -> grade, the cap on the top grade, who votes on whose grade
  settings  bands and cap per deployment (environment), today's values as defaults
  models    tables: self-assessments, the cell's own report, grade votes (links to
            meetings.voting), the member taken up
  queries   who is graded, their self-assessments, the cell's report, the grades the cell voted
  strings   grade and criterion labels (a member's criteria, the cell report's sections)
  sections  the snapshot section `review`
  commands  review_submit, review_cell_report, review_take_up, review_grade_vote (votes:
            meetings.voting)
  records   the result list and the cell's report for the minutes and the exports
  routes    the self-assessment form and the cell report's form (the exports:
            meetings/minutes/review_results)

Importing the package registers its models, commands and snapshot section.
"""

from meetings.review import commands as commands  # noqa: F401  (registers the commands)
