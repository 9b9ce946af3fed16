"""The admin pages, one module per page or area; `PAGES` lists their controllers."""

from admin_ui.pages.today import TodayPage

PAGES = [TodayPage]
