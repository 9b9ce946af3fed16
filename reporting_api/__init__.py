"""The service core: tables, domain rules, JSON API and the defendant's check-in page."""
