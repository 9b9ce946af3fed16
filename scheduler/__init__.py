"""Reminder SMS and missed check-ins: claims due rows of the outbox, sends them through Twilio
(or a local outbox log), sweeps closed windows and escalates flags. Builds on reporting_api;
see docs/scheduler.md."""
