"""A fake Twilio Messages API for tests, benches and offline demos.

It implements what the service uses of Twilio's 2010-04-01 REST API, as Twilio's OpenAPI
describes it (tests/scheduler/test_fake_twilio.py validates its answers against that
description): create a message, list messages (To, From, DateSent, DateSent<, DateSent>
filters, newest first, PageSize/Page/PageToken paging) and fetch one. It checks basic auth and
E.164 numbers, answers the errors 21211 (invalid number), 21610 (unsubscribed) and 21614 (not
a mobile) for numbers told to, can inject faults (429, 500, slow answers, connections dropped
before or after the message is created) and posts signed status callbacks (sent, then
delivered or undelivered) to each message's StatusCallback URL.

The package: ``resources`` (Twilio's message and error shapes, the request filters), ``faults``
(the fault plan), ``state`` (``FakeTwilio``: messages, the API's operations, status callbacks)
and ``app`` (the HTTP server and its routes); ``__main__`` runs it:

    python -m scheduler.fake_twilio --port 8099 --fault-rate 0.05
"""

from __future__ import annotations

from scheduler.fake_twilio.faults import FAULTS, FaultPlan
from scheduler.fake_twilio.resources import E164, FakeMessage
from scheduler.fake_twilio.state import FakeTwilio

__all__ = ["E164", "FAULTS", "FakeMessage", "FakeTwilio", "FaultPlan"]
