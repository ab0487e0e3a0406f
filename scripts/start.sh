#!/usr/bin/env bash
# Install everything, prepare the embedded default (SQLite, local files, database task
# queue) with demo data, and serve http://127.0.0.1:8000 with a background worker and
# the periodic-job scheduler.
source "$(dirname "$0")/_venv.sh"
python manage.py migrate --noinput
python manage.py createcachetable
python manage.py load_reference
python manage.py signing_keys
python manage.py seed_demo
python manage.py db_worker --interval 1 &
WORKER=$!
# periodic jobs (apps/core/schedule.py): job recovery every minute, invitation expiry, audit checks
python manage.py run_scheduler &
SCHEDULER=$!
trap 'kill $WORKER $SCHEDULER 2>/dev/null || true' EXIT INT TERM
echo "Demo logins: see README.md (毕业生 / 学校 / 院系 / 省级 / 用人单位)."
python manage.py runserver 127.0.0.1:8000
