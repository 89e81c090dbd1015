"""Keeping an index in step with its sources: folders of article files (``folders``) and
records files (``records``), each article prepared (``preparation``) in this process or, for
big jobs, in worker processes that write segments of their own (``workers``), with progress
(``progress``) and a report of what was done (``report``).
"""
