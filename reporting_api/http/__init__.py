"""What the two web edges share: the JSON API (`reporting_api.api`) and the officers' pages
(`admin_ui`) both build a request's `Ctx`, read paging and path ids, resolve the staff session,
and turn a service's refusal into an HTTP status. Neither edge imports the other."""
