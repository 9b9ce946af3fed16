"""The admin pages, one module per page or area; `PAGES` lists their controllers."""

from admin_ui.pages.account import AccountPages
from admin_ui.pages.admin import OfficePages, StaffPages
from admin_ui.pages.case_actions import CaseActions, NoteActions
from admin_ui.pages.caseload import CaseloadPage
from admin_ui.pages.checkin_actions import CheckInActions
from admin_ui.pages.defendant import DefendantPage
from admin_ui.pages.enrol import EnrolPage
from admin_ui.pages.flags import FlagPages
from admin_ui.pages.handout import HandoutPage
from admin_ui.pages.hearing_actions import HearingActions
from admin_ui.pages.holidays import HolidayPages
from admin_ui.pages.imports import ImportPages
from admin_ui.pages.outbox import OutboxPage
from admin_ui.pages.plan_edit import CheckInEdits, PlanEditPage
from admin_ui.pages.quality import QualityPage
from admin_ui.pages.reference_photo import ReferencePhotoActions
from admin_ui.pages.reports import ReportsPage
from admin_ui.pages.requests import RequestPages
from admin_ui.pages.review import ReviewPages
from admin_ui.pages.risk_model import RiskModelPage
from admin_ui.pages.today import TodayPage

PAGES = [
    TodayPage,
    EnrolPage,
    ImportPages,
    ReviewPages,
    StaffPages,
    OfficePages,
    CaseloadPage,
    DefendantPage,
    HandoutPage,
    CheckInActions,
    CaseActions,
    ReferencePhotoActions,
    NoteActions,
    PlanEditPage,
    CheckInEdits,
    HolidayPages,
    HearingActions,
    FlagPages,
    RequestPages,
    OutboxPage,
    QualityPage,
    ReportsPage,
    RiskModelPage,
    AccountPages,
]
