"""What every room uses, and that imports no room.

extensions (Flask extensions, unbound), database (engine set-up, time columns, row locks),
web (rendering pages and htmx fragments, redirects after POST), forms (form fields and
helpers), lists (query-string filters, searches, pagination), downloads (CSV, XLSX and PDF
answers), security (session limits, malformed input, headers), errors (French error pages),
i18n (Paris time, French dates and numbers), enums, audit (the audit log), tick (running
periodic tasks under a lock), deploy (what ``deploy-check`` checks).
"""
