"""`python manage.py bench`: the figures of issue 9, each beside its target.

`scenarios` names what is measured (pages through the whole middleware stack, the reminder
sweep's query) with a hand-written SQL floor for each; `timing` runs them interleaved;
`jobs` measures the importer and a real Celery worker in their own processes; `http` puts
gunicorn under `wrk`; `report` prints the table and the JSON.
"""
