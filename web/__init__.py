"""The web application: dashboard, unit and task pages, the operator's page, calendar feeds, JSON API."""
