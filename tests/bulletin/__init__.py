"""Tests of the weekly bulletin and the task reports (issue 7)."""
