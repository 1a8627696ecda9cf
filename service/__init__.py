"""dondoc's service runtime: what `dondoc run` and the commands around it need beyond crawler/ and notifier/.

Read in the order the work flows: `triggers` (schedules -> APScheduler triggers) start `jobs` (the
runner that records every run), whose `work` is crawling (`crawl_track`, in one worker subprocess
killed as a group at the time limit), digests, delivery, the bulletin and housekeeping; `run`
is the service loop holding the `locks`; `health`, `metrics` and `status` show how it is going;
`logs` formats what it says; `context` is the clock, sessions and output folder they all share. The
`cli*` and `previews` modules hold the command groups `scheduler.py` dispatches to.
"""
