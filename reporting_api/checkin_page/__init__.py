"""The defendant's check-in page: one server-rendered page, plain JavaScript, no CDN."""
