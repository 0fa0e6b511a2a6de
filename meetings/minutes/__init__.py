"""Minutes (biên bản): written live, assembled from the meeting, approved, signed, sealed, exported.

Modules, one job each:
- models: live section texts, versions (frozen content + fingerprint), signatures;
- sanitize: the rich-text allowlist (nh3) and NFC;
- wording: the Party document's Vietnamese wording (dates, categories, numbers);
- assembly: the automatic parts, built from the meeting (never retyped);
- sealing: canonical JSON and the SHA-256 fingerprint;
- queries: a meeting's versions and the document of one version (what is shown and signed);
- sections: the room's "minutes" section (status and live texts);
- commands: edit, approve, correct (through the command path);
- signing: signatures with passwords, and sealing;
- pdf / pdf_worker: HTML -> PDF with WeasyPrint off the event loop, sealed PDFs cached on disk;
- verification: checking a code or an uploaded file against the sealed versions;
- routes: the minutes page, the PDF download, signing forms and the public verification page.
"""
