"""``python -m scheduler.fake_twilio``: the fake Twilio on a port, until interrupted."""

from __future__ import annotations

import argparse
import logging
import time

from scheduler.fake_twilio import __doc__ as package_doc
from scheduler.fake_twilio.faults import FaultPlan
from scheduler.fake_twilio.state import FakeTwilio


def main() -> None:
    parser = argparse.ArgumentParser(description=package_doc.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--account-sid", default="AC" + "0" * 32)
    parser.add_argument("--auth-token", default="fake-twilio-auth-token")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="transient faults, 0 to 1")
    parser.add_argument("--no-callbacks", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    fake = FakeTwilio(
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        host=args.host,
        port=args.port,
        faults=FaultPlan.transient(args.fault_rate),
        callbacks=not args.no_callbacks,
    )
    fake.start()
    print(
        f"fake Twilio on {fake.base_url}: TWILIO_BASE_URL={fake.base_url} "
        f"TWILIO_ACCOUNT_SID={fake.account_sid} TWILIO_AUTH_TOKEN={fake.auth_token}",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
