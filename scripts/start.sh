#!/usr/bin/env bash
# Install everything, prepare the embedded default (SQLite, local files, database task
# queue) with demo data, and serve it the way production runs: gunicorn (config/gunicorn.conf.py)
# with DEBUG off (DJANGO_DEBUG=1 turns it on), static files collected and served by WhiteNoise,
# a background worker and the periodic-job scheduler. Address: HOST (default 127.0.0.1) and
# PORT (default 8000); agreement QR codes point there unless PLATFORM_PUBLIC_BASE_URL says otherwise.
source "$(dirname "$0")/_venv.sh"
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8000}"
python manage.py migrate --noinput
python manage.py createcachetable
python manage.py load_reference
python manage.py signing_keys
python manage.py seed_demo
python manage.py collectstatic --noinput --verbosity 0

PIDS=()
stop_all() {
  trap - EXIT INT TERM
  if [ "${#PIDS[@]}" -gt 0 ]; then
    kill "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
# Background jobs of a script ignore Ctrl-C, and a foreground server would delay the traps:
# every process runs in the background and this shell stops them all on any exit.
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
python manage.py db_worker --interval 1 &
PIDS+=($!)
# periodic jobs (apps/core/schedule.py): job recovery every minute, invitation expiry, audit checks
python manage.py run_scheduler &
PIDS+=($!)
gunicorn --config config/gunicorn.conf.py &
PIDS+=($!)
echo "Demo logins: see README.md (毕业生 / 学校 / 院系 / 省级 / 用人单位)."
# One of them ending (e.g. the port is taken) ends the demo: no half-running platform.
status=0
wait -n "${PIDS[@]}" || status=$?
echo "A platform process ended (status $status); stopping the others." >&2
exit "$status"
