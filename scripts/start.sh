#!/usr/bin/env bash
# Install everything, prepare the embedded default (SQLite, local files, database task
# queue) with demo data, and serve it the way production runs: gunicorn (config/gunicorn.conf.py)
# with DEBUG off (DJANGO_DEBUG=1 turns it on), static files collected and served by WhiteNoise,
# a background worker, the periodic-job scheduler, the stand-in national registry
# (全国毕业去向登记系统, registry_standin/) and the relay that delivers the outbox to it. Address: HOST
# (default 127.0.0.1) and PORT (default 8000); agreement QR codes point there unless
# PLATFORM_PUBLIC_BASE_URL says otherwise. The stand-in listens on REGISTRY_STANDIN_PORT (default
# 8770); when REGISTRY_URL is set, the platform talks to that registry and no stand-in is started.
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
# The registry: a stand-in of our own (own SQLite file under the var directory) unless REGISTRY_URL
# names another; the platform processes below inherit REGISTRY_URL and the shared secret.
REGISTRY_SECRET="${REGISTRY_SECRET:-$(python -c 'import config.settings as s; print(s.REGISTRY_SECRET)')}"
export REGISTRY_SECRET
if [ -z "${REGISTRY_URL:-}" ]; then
  REGISTRY_STANDIN_PORT="${REGISTRY_STANDIN_PORT:-8770}"
  python -m registry_standin --host 127.0.0.1 --port "$REGISTRY_STANDIN_PORT" \
    --db "${PLATFORM_VAR_DIR:-var}/registry-standin.sqlite3" &
  PIDS+=($!)
  export REGISTRY_URL="http://127.0.0.1:$REGISTRY_STANDIN_PORT"
  echo "全国毕业去向登记系统（模拟）：$REGISTRY_URL"
fi
python manage.py db_worker --interval 1 &
PIDS+=($!)
# periodic jobs (apps/core/schedule.py): job recovery every minute, invitation expiry, audit checks
python manage.py run_scheduler &
PIDS+=($!)
# outbox → registry, in per-graduate order with retries (one relay: enough, and all SQLite allows)
if python manage.py help run_registry_relay >/dev/null 2>&1; then
  python manage.py run_registry_relay &
  PIDS+=($!)
else
  echo "run_registry_relay is not available: registry changes wait in the outbox." >&2
fi
gunicorn --config config/gunicorn.conf.py &
PIDS+=($!)
echo "Demo logins: see README.md (毕业生 / 学校 / 院系 / 省级 / 用人单位)."
# One of them ending (e.g. the port is taken) ends the demo: no half-running platform.
status=0
wait -n "${PIDS[@]}" || status=$?
echo "A platform process ended (status $status); stopping the others." >&2
exit "$status"
