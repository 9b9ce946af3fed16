"""What the officers' pages call a code (a check-in's status, a flag's kind, a role, ...).

The words are messages of the catalog (admin_ui/locale); this module only says which message
names which code, by its English msgid and a context shared by the codes of one kind (so
"Missed" as a check-in's status and as a column of the compliance chart can differ in Thai).
Templates read them as ``labels.check_in_status[row.status]``; an unknown code shows nothing,
or itself where a ``.get(code, code)`` says so.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from admin_ui.i18n import translations
from reporting_api.hearing_rules import hearing_days
from reporting_api.reminder_schedule import days_before


class Labels:
    """Every code's words in one language (built once per language, then shared)."""

    def __init__(self, lang: str) -> None:
        catalog = translations(lang)
        _ = catalog.gettext
        pgettext = catalog.pgettext
        self._reminder_before = _("%(n)s day(s) before")
        self._hearing_before = _("Court hearing in %(n)s day(s)")

        self.nav: Mapping[str, str] = {
            "nav_today": pgettext("navigation", "Today"),
            "nav_caseload": pgettext("navigation", "Caseload"),
            "nav_enrol": pgettext("navigation", "Enrol"),
            "nav_review": pgettext("navigation", "Review queue"),
            "nav_flags": pgettext("navigation", "Flags"),
            "nav_requests": pgettext("navigation", "Requests"),
            "nav_outbox": pgettext("navigation", "SMS outbox"),
            "nav_reports": pgettext("navigation", "Risk report"),
            "nav_quality": pgettext("navigation", "Verification quality"),
            "nav_staff": pgettext("navigation", "Staff"),
            "nav_offices": pgettext("navigation", "Offices"),
            "nav_holidays": pgettext("navigation", "Holidays"),
            "nav_import": pgettext("navigation", "Import"),
        }
        self.role: Mapping[str, str] = {
            "officer": pgettext("role", "Officer"),
            "manager": pgettext("role", "Manager"),
            "admin": pgettext("role", "Administrator"),
        }
        self.language: Mapping[str, str] = {"th": _("Thai"), "en": _("English")}
        # Messages a page shows by their code (error.html's message_key, login.html's error).
        self.message: Mapping[str, str] = {
            "wrong_login": _("Wrong username or password"),
            "not_found": _("Not found, or not yours to see"),
            "forbidden": _("Your role may not do this"),
            "csrf_failed": _("The form has expired: reload the page and try again"),
            "font_missing": _(
                "PDF export is unavailable: the server has no Thai font. An administrator "
                "must install the package fonts-thai-tlwg."
            ),
        }
        self.saved: Mapping[str, str] = {
            "created": _("Added"),
            "updated": _("Changes saved"),
            "activated": _("Account activated"),
            "deactivated": _("Account deactivated (logged out everywhere)"),
        }

        # A caseload import's steps (admin/import*.html).
        self.import_state: Mapping[str, str] = {
            "checking": pgettext("import state", "Being checked"),
            "checked": pgettext("import state", "Checked: ready to import"),
            "running": pgettext("import state", "Importing"),
            "done": pgettext("import state", "Done"),
            "failed": pgettext("import state", "Stopped by an error"),
        }

        # A person's check-ins, cases, flags and reminders.
        self.check_in_status: Mapping[str, str] = {
            "upcoming": pgettext("check-in status", "Not open yet"),
            "open": pgettext("check-in status", "Window open"),
            "verified": pgettext("check-in status", "Checked in"),
            "pending_review": pgettext("check-in status", "Waiting for review"),
            "late": pgettext("check-in status", "Overdue"),
            "missed": pgettext("check-in status", "Missed"),
            "excused": pgettext("check-in status", "Excused"),
            "held": pgettext("check-in status", "Held: request waiting for a decision"),
        }
        # A person's requests to their officer (the Citizen Portal's statuses).
        self.request_status: Mapping[str, str] = {
            "submitted": pgettext("request status", "Submitted"),
            "awaiting_contact": pgettext("request status", "Awaiting officer contact"),
            "approved": pgettext("request status", "Approved"),
            "rejected": pgettext("request status", "Rejected"),
            "in_progress": pgettext("request status", "In progress"),
            "completed": pgettext("request status", "Completed"),
        }
        self.request_filter: Mapping[str, str] = {
            "open": pgettext("request filter", "Waiting for a decision"),
            "in_progress": pgettext("request filter", "Approved, being done"),
            "closed": pgettext("request filter", "Closed"),
            "all": pgettext("request filter", "All"),
        }
        self.request_age: Mapping[str, str] = {
            "any": pgettext("request age", "Any time"),
            "1d": pgettext("request age", "More than a day"),
            "3d": pgettext("request age", "More than 3 days"),
            "7d": pgettext("request age", "More than 7 days"),
        }
        self.request_kind: Mapping[str, str] = {
            "cant_come": pgettext("request kind", "Can't come"),
            "call_me": pgettext("request kind", "Please call me"),
            "need_help": pgettext("request kind", "Needs help getting there"),
            "phone_changed": pgettext("request kind", "Phone number changed"),
            "away": pgettext("request kind", "Will be away"),
            "message": pgettext("request kind", "Message"),
        }
        self.contact_relationship: Mapping[str, str] = {
            "relative": pgettext("contact relationship", "Relative"),
            "guarantor": pgettext("contact relationship", "Guarantor"),
            "other": pgettext("contact relationship", "Other"),
        }
        self.request_reason: Mapping[str, str] = {
            "illness": pgettext("request reason", "Illness"),
            "work": pgettext("request reason", "Work"),
            "transport_cost": pgettext("request reason", "Cannot pay the fare"),
            "family_emergency": pgettext("request reason", "Family emergency"),
            "other": pgettext("request reason", "Other"),
            "transport": pgettext("request reason", "Transport"),
            "money": pgettext("request reason", "Money"),
        }
        # The review pages say the same statuses in a few words.
        self.check_in_status_brief: Mapping[str, str] = {
            "upcoming": pgettext("check-in status", "upcoming"),
            "open": pgettext("check-in status", "open"),
            "verified": pgettext("check-in status", "verified"),
            "pending_review": pgettext("check-in status", "waiting for review"),
            "late": pgettext("check-in status", "late"),
            "missed": pgettext("check-in status", "missed"),
            "excused": pgettext("check-in status", "excused"),
            "held": pgettext("check-in status", "held by a request"),
        }
        self.check_in_method: Mapping[str, str] = {
            "remote": _("Remote (face match)"),
            "in_person": _("In person"),
            "video_call": _("Video call"),
        }
        self.case_status: Mapping[str, str] = {
            "active": pgettext("case status", "On bail"),
            "concluded": pgettext("case status", "Concluded"),
            "absconded": pgettext("case status", "Absconded"),
            "revoked": pgettext("case status", "Bail revoked"),
        }
        self.flag_state: Mapping[str, str] = {
            "open": pgettext("flag state", "Open"),
            "acknowledged": pgettext("flag state", "Acknowledged"),
            "resolved": pgettext("flag state", "Resolved"),
        }
        self.flag_kind: Mapping[str, str] = {
            "missed_checkin": pgettext("flag kind", "Missed check-in"),
            "failed_verification": pgettext("flag kind", "Failed verification"),
            "unreachable_phone": pgettext("flag kind", "Phone unreachable"),
            "identity_lockout": pgettext("flag kind", "Link locked (wrong answers)"),
            "hearing_absent": pgettext("flag kind", "Absent from a court hearing"),
            "review_overdue": pgettext("flag kind", "Review past its deadline"),
            "request_overdue": pgettext("flag kind", "Request past its deadline"),
            "other": pgettext("flag kind", "Other"),
        }
        self.severity: Mapping[str, str] = {
            "low": pgettext("severity", "Low"),
            "medium": pgettext("severity", "Medium"),
            "high": pgettext("severity", "High"),
        }
        self.sms_status: Mapping[str, str] = {
            "queued": pgettext("SMS status", "Queued"),
            "sending": pgettext("SMS status", "Sending"),
            "sent": pgettext("SMS status", "Sent"),
            "delivered": pgettext("SMS status", "Delivered"),
            "undelivered": pgettext("SMS status", "Undelivered"),
            "failed": pgettext("SMS status", "Failed"),
            "skipped": pgettext("SMS status", "Skipped"),
            "cancelled": pgettext("SMS status", "Cancelled"),
        }
        # A plan's preview: what the edit does to each check-in and to its reminders.
        self.plan_change: Mapping[str, str] = {
            "new": pgettext("plan change", "New"),
            "unchanged": pgettext("plan change", "Unchanged"),
            "window": pgettext("plan change", "Window changed"),
            "removed": pgettext("plan change", "Removed"),
            "kept": pgettext("plan change", "Past, kept as it is"),
        }
        self.reminder_change: Mapping[str, str] = {
            "added": pgettext("reminder change", "Added"),
            "moved": pgettext("reminder change", "Moved"),
            "cancelled": pgettext("reminder change", "Cancelled"),
            "unchanged": pgettext("reminder change", "Unchanged"),
        }
        self.hearing_result: Mapping[str, str] = {
            "attended": pgettext("hearing", "Attended"),
            "absent": pgettext("hearing", "Absent"),
            "postponed": pgettext("hearing", "Postponed"),
        }
        self.closing_status: Mapping[str, str] = {
            "concluded": pgettext("closing", "Concluded"),
            "absconded": pgettext("closing", "Absconded"),
            "revoked": pgettext("closing", "Bail revoked"),
        }

        self.reminder_kind_name: Mapping[str, str] = {
            "due_day": _("On the due day"),
            "missed_followup": _("Follow-up after a miss"),
            "officer_alert": _("Officer alert"),
            "manager_alert": _("Manager alert"),
            "notice_dates_changed": _("Notice: reporting dates changed"),
            "notice_case_ended": _("Notice: reporting ended"),
            "notice_phone_changed": _("Notice: new mobile number"),
            "notice_request_status": _("Notice: a request's status"),
            "notice_review_accepted": _("Notice: check-in accepted after review"),
            "notice_review_rejected": _("Notice: check-in not accepted after review"),
            "notice_last_checkin_done": _("Notice: last check-in done"),
            "notice_trusted_contact": _("Notice to the trusted contact"),
            "notice_checkin_result": _("Notice: a check-in's result the page did not show"),
            "hearing_1d": _("Court hearing tomorrow"),
        }

        # Remote verification: what the machine decided, what the person was told, what the
        # officer decided (the person's timeline, then the review pages' own words).
        self.phone_type: Mapping[str, str] = {
            "android": pgettext("phone type", "Android"),
            "iphone": pgettext("phone type", "iPhone"),
            "other": pgettext("phone type", "Other browser"),
            "unknown": pgettext("phone type", "Not known"),
        }
        self.machine_decision: Mapping[str, str] = {
            "verified": pgettext("machine decision", "Verified"),
            "rejected": pgettext("machine decision", "Rejected"),
            "review": pgettext("machine decision", "Sent for review"),
        }
        self.outcome: Mapping[str, str] = {
            "verified": pgettext("told the person", "Verified"),
            "review": pgettext("told the person", "Waiting for review"),
            "retry": pgettext("told the person", "Asked to retry"),
        }
        self.review_decision: Mapping[str, str] = {
            "accept": pgettext("review decision", "accepted"),
            "reject": pgettext("review decision", "rejected"),
            "superseded": pgettext("review decision", "settled another way"),
            "someone_else": pgettext("review decision", "someone else (machine verified)"),
        }
        self.review_result: Mapping[str, str] = {
            "accept": pgettext("review decision", "accepted"),
            "reject": pgettext("review decision", "rejected"),
            "superseded": pgettext("review decision", "closed: verified on a video call"),
            "someone_else": pgettext("review decision", "someone else: the machine was wrong"),
        }
        self.decided: Mapping[str, str] = {
            "accept": _("Saved: the check-in was accepted"),
            "reject": _("Saved: the check-in was rejected"),
            "someone_else": _("Saved: marked as someone else, and a flag was raised"),
        }
        # admin_ui.pages.review: match_reading's keys, then Reading.key and Reading.verdict_key.
        self.match: Mapping[str, str] = {
            "match_same": _("same person"),
            "match_unsure": _("uncertain: the officer decides"),
            "match_different": _("a different person"),
            "match_missing": _("not measured (the check stopped before comparing faces)"),
        }
        self.reading: Mapping[str, str] = {
            "steps_done": _("Challenge steps done"),
            "motion": _("Motion"),
            "depth": _("Face depth when turning"),
            "screen": _("Screen pattern"),
            "border": _("Border moving with the face"),
            "brightness": _("Face brightness"),
        }
        self.verdict: Mapping[str, str] = {
            "steps_ok": _("all steps done"),
            "steps_short": _("steps missing"),
            "motion_ok": _("moves like a live person"),
            "motion_bad": _("hardly moves (a still picture?)"),
            "depth_ok": _("the face has depth"),
            "depth_bad": _("flat like a printed photo"),
            "depth_unjudged": _("not turned far enough to judge"),
            "screen_ok": _("no screen pattern"),
            "screen_bad": _("may be filmed from a screen"),
            "border_ok": _("none"),
            "border_bad": _("a border was seen (a held-up picture?)"),
            "brightness_ok": _("light enough"),
            "brightness_bad": _("too dark"),
            "not_measured": _("not measured"),
        }
        self.challenge_action: Mapping[str, str] = {
            "turn_left": _("turn the head left"),
            "turn_right": _("turn the head right"),
            "blink": _("blink"),
            "open_mouth": _("open the mouth"),
        }
        # Why a challenge left an action out (`liveness.occlusion.Occlusion.unreliable`).
        self.left_out_reason: Mapping[str, str] = {
            "glasses": _("the camera picture showed glasses, which hide a blink"),
            "missed_before": _("it was not seen in two of the person's last three recordings"),
            "glasses_on_card": _(
                "the ID-card photo shows glasses, which hide a blink, and there was no camera "
                "picture of the face to judge"
            ),
        }

        # The enrolment form's plan fields (the plan preview names the field of an error).
        self.plan_field: Mapping[str, str] = {
            "kind": pgettext("reporting plan", "Kind"),
            "every_days": _("Report every (days)"),
            "dates": _("Reporting dates (YYYY-MM-DD, one a line)"),
            "start_date": _("Plan starts"),
            "end_date": _("Plan ends"),
            "window_opens_days_before": _("Window opens (days before)"),
            "grace_days": _("Grace after the due date (days)"),
        }

        # The risk report.
        self.band: Mapping[str, str] = {
            "high": _("High risk"),
            "medium": _("Medium risk"),
            "low": _("Low risk"),
        }
        self.compliance: Mapping[str, str] = {
            "on_time": pgettext("compliance", "On time"),
            "late": pgettext("compliance", "Late"),
            "missed": pgettext("compliance", "Missed"),
            "excused": pgettext("compliance", "Excused"),
        }

    def reminder_kind(self, kind: str) -> str:
        """A reminder's kind in words: `before_3d` is "3 day(s) before"; an unknown kind
        shows as itself."""
        days = days_before(kind)
        if days:
            return self._reminder_before % {"n": days}
        before_hearing = hearing_days(kind)
        if before_hearing is not None and before_hearing != 1:
            return self._hearing_before % {"n": before_hearing}
        return self.reminder_kind_name.get(kind, kind)


@functools.cache
def labels(lang: str) -> Labels:
    return Labels(lang)
