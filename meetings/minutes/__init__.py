"""Minutes (biên bản): written live, assembled from the meeting, approved, signed, sealed, exported.

Modules, one job each:
- models: live section texts, versions (frozen content + fingerprint), signatures;
- sanitize: the rich-text allowlist (nh3) and NFC;
- wording: the Party document's Vietnamese wording (dates, categories, numbers);
- assembly: the automatic parts, built from the meeting (never retyped);
- sealing: canonical JSON and the SHA-256 fingerprint;
- service: the commands (edit, approve, correct), signing, and the room's snapshot section;
- pdf / pdf_worker: HTML -> PDF with WeasyPrint off the event loop, sealed PDFs cached on disk;
- verification: checking a code or an uploaded file against the sealed versions;
- routes: the minutes page, the PDF download, signing forms and the public verification page.
"""
