#!/usr/bin/env bash
# The README's first command, `npm start`, on this checkout with no service variable set (embedded mode), then the
# README's walk-through against it with curl: readiness, a company created with the generated admin key, tickets
# stored and indexed, /init, a /query answered from the resolved ticket, a streamed /reply, the company erased,
# and a clean stop on Ctrl-C (SIGINT to the process group, as a terminal sends it). Prints each step and exits
# non-zero at the first one that fails, with the server's log.
#   bash scripts/smoke-start.sh            (SMOKE_PORT=n to choose the port; a free one otherwise)
set -uo pipefail
cd "$(dirname "$0")/.."

PORT="${SMOKE_PORT:-$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')}"
BASE="http://127.0.0.1:$PORT"
LOG="$(mktemp)"
COMPANY="smoke-$(date +%s)-$$"
pgid=""

stop() {
  [ -n "$pgid" ] && kill -INT -- "-$pgid" 2>/dev/null
}
fail() {
  echo "smoke: FAILED: $1" >&2
  echo "--- npm start's output (last 40 lines) ---" >&2
  tail -40 "$LOG" >&2
  stop
  exit 1
}
ok() { echo "smoke: ok: $1"; }
# curl with a bounded time; prints the body, then the status code on its own last line.
call() { curl -s --max-time 30 -w '\n%{http_code}' "$@"; }
status_of() { tail -n1 <<<"$1"; }
body_of() { sed '$d' <<<"$1"; }
json() { node -e 'let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => { const v = JSON.parse(s); console.log(eval(process.argv[1])); });' "$1"; }

# Started in its own process group, so the Ctrl-C below reaches npm, its shell and the server alike.
setsid env -u DATABASE_URL -u REDIS_URL -u QUEUE_REDIS_URL -u QDRANT_URL -u OPENAI_API_KEY -u OPENAI_BASE_URL \
  PORT="$PORT" npm start >"$LOG" 2>&1 &
pgid=$!

for _ in $(seq 1 240); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/health/ready")" = 200 ] && break
  kill -0 "$pgid" 2>/dev/null || fail "npm start exited before it was ready"
  sleep 0.5
done
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/health/ready")" = 200 ] ||
  fail "not ready within 120 s"
grep -q "embedded mode" "$LOG" || fail "the start line does not say embedded mode"
ok "npm start is ready on port $PORT in embedded mode"

ADMIN="$(cat data/admin-api-key 2>/dev/null)" || fail "no admin key in data/admin-api-key"
r="$(call -X POST "$BASE/api/v1/admin/companies" -H "Authorization: Bearer $ADMIN" \
  -H 'content-type: application/json' -d "{\"company_id\":\"$COMPANY\",\"name\":\"Smoke test\"}")"
[ "$(status_of "$r")" = 201 ] || [ "$(status_of "$r")" = 200 ] || fail "create company: $r"
KEY="$(body_of "$r" | json v.api_key)"
ok "company $COMPANY created with the generated admin key"

r="$(call -X PUT "$BASE/api/v1/tickets" -H "Authorization: Bearer $KEY" -H 'content-type: application/json' -d '{"tickets":[
  {"ticket_id":"T-1","subject":"Refund not received","status":"open",
   "description":"I returned the jacket two weeks ago.","created_at":"2024-05-01T09:30:00Z"},
  {"ticket_id":"T-2","subject":"Refund timing","status":"resolved","description":"When will my refund arrive?",
   "conversations":[{"from":"agent","created_at":"2024-05-02T10:00:00Z",
     "body":"Refunds reach your card within 5-7 business days after we receive the item."}],
   "created_at":"2024-05-01T09:30:00Z"}]}')"
[ "$(status_of "$r")" = 200 ] || fail "PUT /tickets: $r"
[ "$(body_of "$r" | json v.upserted)" = 2 ] || fail "PUT /tickets did not upsert 2: $r"
for id in T-1 T-2; do
  for _ in $(seq 1 60); do
    state="$(call "$BASE/api/v1/tickets/$id" -H "X-API-Key: $KEY" | sed '$d' | json v.index_state)"
    [ "$state" = indexed ] && break
    sleep 0.5
  done
  [ "$state" = indexed ] || fail "$id not indexed within 30 s (index_state $state)"
done
ok "2 tickets stored and indexed"

r="$(call "$BASE/api/v1/init" -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
  -d '{"ticket_id":"T-1"}')"
[ "$(status_of "$r")" = 200 ] || fail "POST /init: $r"
SESSION="$(body_of "$r" | json v.session_id)"
[ "$(body_of "$r" | json 'v.similar_tickets.map((t) => t.ticket_id).join()')" = T-2 ] ||
  fail "/init did not list T-2 as similar: $r"
ok "/init: summary, T-2 as the similar ticket, session $SESSION"

r="$(call "$BASE/api/v1/query" -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
  -d "{\"query\":\"When will my refund arrive?\",\"session_id\":\"$SESSION\"}")"
[ "$(status_of "$r")" = 200 ] || fail "POST /query: $r"
[ "$(body_of "$r" | json '`${v.grounded} ${v.sources.map((s) => s.id).join()}`')" = "true T-2" ] ||
  fail "/query was not answered from T-2: $r"
ok "/query answered from T-2"

r="$(curl -sN --max-time 30 "$BASE/api/v1/reply" -H "Authorization: Bearer $KEY" \
  -H 'content-type: application/json' -H 'Accept: text/event-stream' -d '{"ticket_id":"T-1"}')"
grep -q '^event: token' <<<"$r" || fail "/reply streamed no token event: $r"
grep -q '^event: done' <<<"$r" || fail "/reply streamed no done event: $r"
ok "/reply streamed tokens, then done"

r="$(call -X DELETE "$BASE/api/v1/admin/companies/$COMPANY" -H "Authorization: Bearer $ADMIN")"
case "$(status_of "$r")" in 2??) ;; *) fail "DELETE company: $r" ;; esac
ok "company erased"

stop
for _ in $(seq 1 40); do
  kill -0 -- "-$pgid" 2>/dev/null || break
  sleep 0.5
done
if kill -0 -- "-$pgid" 2>/dev/null; then
  kill -KILL -- "-$pgid" 2>/dev/null
  pgid=""
  fail "still running 20 s after Ctrl-C"
fi
pgid=""
ok "stopped on Ctrl-C"
