#!/usr/bin/env bash
# Proves the Ansible role on this machine, for real: applies ansible/site.yml to localhost
# with Debian's tomcat10 (the instance's CATALINA_BASE, storage and key file in a scratch
# directory, started with catalina.sh since CI has no systemd, listening on 127.0.0.1 only),
# then talks HTTP to the deployed WAR:
#   /health 200; a Polykit artifact PUT and GET with a key from the templated key file;
#   401 without a key, 403 for a read-only key's PUT; an oversized PUT refused before the body
#   is sent (no "100 Continue"); the access log shows the X-Forwarded-For client and no key;
#   a second playbook run reports changed=0 and does not restart Tomcat; a third run that
#   rotates a key changes only the key file and takes effect without a restart; a fourth
#   with a new WAR restarts Tomcat on the new build and keeps the stored artifact.
# Needs root, ansible-core, tomcat10, zstd, curl, and the WAR (mvn -B -DskipTests package).
# Exits non-zero on the first failed check and always stops the Tomcat it started.
set -euo pipefail

ANSIBLE_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$ANSIBLE_DIR")
WAR=${POLYCACHE_WAR:-$REPO/target/polycache.war}
START=$SECONDS

say() { printf '[test-local %3ds] %s\n' $((SECONDS - START)) "$*"; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (the role creates a system user and installs packages)"
[ -f "$WAR" ] || fail "no WAR at $WAR: run mvn -B -DskipTests package first"
for tool in ansible-playbook ansible-vault curl zstd tar sha256sum; do
    command -v "$tool" >/dev/null || fail "$tool is not installed"
done

SCRATCH=$(mktemp -d /tmp/polycache-deploy.XXXXXX)
chmod 0755 "$SCRATCH"   # the polycache user must reach the instance below it
BASE=$SCRATCH/tomcat
CTL=$BASE/bin/polycachectl

cleanup() {
    status=$?
    if [ -x "$CTL" ]; then
        "$CTL" stop >/dev/null 2>&1 || true
    fi
    if [ "$status" -ne 0 ]; then
        for log in "$BASE"/logs/catalina.out "$BASE"/logs/localhost.*.log; do
            [ -f "$log" ] || continue
            echo "---- last lines of $log"
            tail -n 40 "$log"
        done
    fi
    rm -rf "$SCRATCH"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/polycache

random_key() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
KEY_CI=$(random_key)
KEY_RO=$(random_key)
KEY_NEW=$(random_key)

# The keys go through Ansible Vault, as they would in production.
printf '%s\n' "$(random_key)" >"$SCRATCH/vault-password"
cat >"$SCRATCH/vault.yml" <<EOF
vault_key_ci: "$KEY_CI"
vault_key_ro: "$KEY_RO"
vault_key_new: "$KEY_NEW"
EOF
ansible-vault encrypt --vault-password-file "$SCRATCH/vault-password" "$SCRATCH/vault.yml" >/dev/null
grep -q "$KEY_CI" "$SCRATCH/vault.yml" && fail "vault.yml is not encrypted"

cat >"$SCRATCH/vars.yml" <<EOF
polycache_hosts: localhost
ansible_python_interpreter: /usr/bin/python3
polycache_war_src: "$WAR"
polycache_service_manager: catalina
polycache_catalina_base: "$BASE"
polycache_storage_dir: "$SCRATCH/storage"
polycache_config_dir: "$SCRATCH/etc"
polycache_http_address: 127.0.0.1
polycache_http_port: $PORT
polycache_heap_max: 512m
polycache_max_artifact_size: 1m
polycache_max_cache_size: 64m
polycache_environment: { POLYCACHE_DEPLOY_TEST: "passed through" }
polycache_api_keys:
  - { name: ci, key: "{{ vault_key_ci }}", scope: rw }
  - { name: laptops, key: "{{ vault_key_ro }}", scope: ro }
EOF

# Runs the playbook; $1 names the run, further arguments go to ansible-playbook.
# Leaves the PLAY RECAP line for localhost in $RECAP.
playbook() {
    local name=$1
    shift
    local log=$SCRATCH/playbook-$name.log t0=$SECONDS
    say "playbook run $name"
    if ! ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_HOST_KEY_CHECKING=0 \
        ansible-playbook -i localhost, -c local "$ANSIBLE_DIR/site.yml" \
        --vault-password-file "$SCRATCH/vault-password" \
        -e "@$SCRATCH/vault.yml" -e "@$SCRATCH/vars.yml" "$@" >"$log" 2>&1; then
        cat "$log"
        fail "playbook run $name failed"
    fi
    RECAP=$(grep -E '^localhost +: ok=' "$log") || { cat "$log"; fail "no PLAY RECAP in run $name"; }
    say "run $name took $((SECONDS - t0))s: $RECAP"
    if grep -qE "$KEY_CI|$KEY_RO|$KEY_NEW" "$log"; then
        fail "playbook output of run $name shows an API key"
    fi
}

tomcat_pid() { cat "$BASE/temp/catalina.pid"; }

# --- Run 1: deploy ------------------------------------------------------------------------
playbook 1
echo "$RECAP" | grep -qE ' failed=0 ' || fail "run 1 reported failures"
PID1=$(tomcat_pid)
"$CTL" status >/dev/null || fail "polycachectl says Tomcat is not running"

# The instance runs as the dedicated user, from Debian's Tomcat 10.1, on loopback only.
[ "$(ps -o user= -p "$PID1" | tr -d ' ')" = polycache ] || fail "Tomcat does not run as the polycache user"
tr '\0' '\n' <"/proc/$PID1/cmdline" | grep -qx -- '-Dcatalina.home=/usr/share/tomcat10' \
    || fail "Tomcat is not Debian's (/usr/share/tomcat10)"
tr '\0' '\n' <"/proc/$PID1/environ" | grep -qx 'POLYCACHE_DEPLOY_TEST=passed through' \
    || fail "polycache_environment did not reach Tomcat"
grep -q 'Apache Tomcat/10\.1\.' "$BASE"/logs/catalina.*.log || fail "the log does not show Tomcat 10.1"
listeners=$(ss -Hltn "sport = :$PORT" | awk '{print $4}')
# Java reports an IPv4 bind on a dual-stack socket as ::ffff:127.0.0.1.
case "$listeners" in
    "127.0.0.1:$PORT" | "[::ffff:127.0.0.1]:$PORT") ;;
    *) fail "expected one listener on 127.0.0.1:$PORT, found: $listeners" ;;
esac
grep -q 'Polycache [^ ]* started: .*auth: 2 keys, of which 1 read-only' "$BASE"/logs/catalina.*.log \
    || fail "Polycache's start-up line does not show the two templated keys"
say "Tomcat 10.1 pid $PID1 runs as polycache, listening on 127.0.0.1:$PORT only"

# Permissions: storage and key file closed to others; the key file holds digests only.
[ "$(stat -c '%U:%G %a' "$SCRATCH/storage")" = "polycache:polycache 750" ] || fail "storage dir: $(stat -c '%U:%G %a' "$SCRATCH/storage")"
KEYFILE=$SCRATCH/etc/api-keys
[ "$(stat -c '%U:%G %a' "$KEYFILE")" = "root:polycache 640" ] || fail "key file: $(stat -c '%U:%G %a' "$KEYFILE")"
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
grep -qx "sha256:$(sha "$KEY_CI") rw" "$KEYFILE" || fail "key file lacks the ci key's digest with scope rw"
grep -qx "sha256:$(sha "$KEY_RO") ro" "$KEYFILE" || fail "key file lacks the laptops key's digest with scope ro"
grep -qE "$KEY_CI|$KEY_RO" "$KEYFILE" && fail "key file holds a key in clear"
say "storage dir 750 polycache:polycache; key file 640 root:polycache with digests only"

# The deployed configuration is the documented one: tomcat-conf/ (what operators copy by hand)
# and the role's templates set the same connector attributes, valves and parameters.
/usr/bin/python3 - "$REPO/tomcat-conf" "$BASE/conf" <<'PY' || fail "tomcat-conf/ and the role's templates disagree"
import sys, xml.etree.ElementTree as ET
doc, deployed = sys.argv[1], sys.argv[2]
fragment = ET.fromstring("<r>" + open(doc + "/server-fragment.xml").read() + "</r>")
server = ET.parse(deployed + "/server.xml").getroot()
def connector(root): return sorted(root.iter("Connector").__next__().attrib)
def valves(root): return [v.get("className") for v in root.iter("Valve")]
def params(path): return sorted(p.get("name") for p in ET.parse(path).getroot().iter("Parameter"))
problems = []
if connector(fragment) != connector(server):
    problems.append(f"connector attributes: {connector(fragment)} vs {connector(server)}")
if valves(fragment) != valves(server):
    problems.append(f"valves: {valves(fragment)} vs {valves(server)}")
documented = params(doc + "/Catalina/localhost/polycache.xml")
if documented != params(deployed + "/Catalina/localhost/polycache.xml"):
    problems.append(f"parameters: {documented} vs {params(deployed + '/Catalina/localhost/polycache.xml')}")
for p in problems: print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
say "tomcat-conf/ and the deployed server.xml and context descriptor set the same things"

# HTTP helpers: status code only (body to a file); optional key.
http() { # method path key [curl args...]
    local method=$1 path=$2 key=$3
    shift 3
    local auth=()
    [ -n "$key" ] && auth=(-H "Authorization: Bearer $key")
    curl -sS -o "$SCRATCH/body" -w '%{http_code}' --max-time 30 -X "$method" "${auth[@]}" "$@" "$URL$path"
}
expect() { # status description method path key [curl args...]
    local want=$1 what=$2 got
    shift 2
    got=$(http "$@") || fail "$what: curl failed"
    [ "$got" = "$want" ] || fail "$what: expected $want, got $got: $(head -c 300 "$SCRATCH/body")"
    say "ok: $what -> $got"
}

expect 200 "GET /health" GET /health ""
grep -q '"healthy"' "$SCRATCH/body" || fail "/health body: $(cat "$SCRATCH/body")"

# A real Polykit artifact: zstd of a GNU tar with metadata.json, manifest.json, outputs/...
CACHE_KEY=$(random_key)
ART=$SCRATCH/artifact
mkdir -p "$ART/outputs/dist/sub"
printf "console.log('hi');\n" >"$ART/outputs/dist/index.js"
printf 'built\n' >"$ART/outputs/dist/sub/readme.txt"
printf '{"package_name":"web","task_name":"build","command":"npm run build","cache_key_hash":"%s","created_at":1763700000,"version":1}' \
    "$CACHE_KEY" >"$ART/metadata.json"
printf '{"files":{"dist/index.js":"%s","dist/sub/readme.txt":"%s"},"total_size":%d}' \
    "$(sha256sum <"$ART/outputs/dist/index.js" | cut -d' ' -f1)" \
    "$(sha256sum <"$ART/outputs/dist/sub/readme.txt" | cut -d' ' -f1)" \
    $(($(stat -c %s "$ART/outputs/dist/index.js") + $(stat -c %s "$ART/outputs/dist/sub/readme.txt"))) \
    >"$ART/manifest.json"
tar --format=gnu --owner=0 --group=0 --numeric-owner --mode=0 -C "$ART" -cf "$SCRATCH/artifact.tar" \
    metadata.json manifest.json outputs/dist/index.js outputs/dist/sub/readme.txt
zstd -q -3 "$SCRATCH/artifact.tar" -o "$SCRATCH/artifact.zst"
ART_SHA=$(sha256sum <"$SCRATCH/artifact.zst" | cut -d' ' -f1)

expect 401 "PUT without a key" PUT "/v1/artifacts/$CACHE_KEY" "" --data-binary "@$SCRATCH/artifact.zst"
expect 401 "GET without a key" GET "/v1/artifacts/$CACHE_KEY" ""
expect 401 "PUT with an unknown key" PUT "/v1/artifacts/$CACHE_KEY" "$(random_key)" --data-binary "@$SCRATCH/artifact.zst"
expect 403 "PUT with the read-only key" PUT "/v1/artifacts/$CACHE_KEY" "$KEY_RO" --data-binary "@$SCRATCH/artifact.zst"
expect 201 "PUT of a Polykit artifact with the ci key" PUT "/v1/artifacts/$CACHE_KEY" "$KEY_CI" \
    -H 'Content-Type: application/octet-stream' --data-binary "@$SCRATCH/artifact.zst"
grep -q "\"$ART_SHA\"" "$SCRATCH/body" || fail "PUT answer does not name the artifact's SHA-256: $(cat "$SCRATCH/body")"
expect 200 "GET of the artifact with the ci key" GET "/v1/artifacts/$CACHE_KEY" "$KEY_CI" -D "$SCRATCH/headers"
cmp -s "$SCRATCH/body" "$SCRATCH/artifact.zst" || fail "GET returned other bytes than were PUT"
grep -qi "^X-Artifact-Hash: $ART_SHA" "$SCRATCH/headers" || fail "X-Artifact-Hash is not the body's SHA-256"
expect 200 "GET of the artifact with the read-only key" GET "/v1/artifacts/$CACHE_KEY" "$KEY_RO"
cmp -s "$SCRATCH/body" "$SCRATCH/artifact.zst" || fail "GET with the read-only key returned other bytes"
expect 401 "GET /metrics without a key" GET /metrics ""
expect 200 "GET /metrics with the read-only key" GET /metrics "$KEY_RO"
grep -q '^polycache_requests_total' "$SCRATCH/body" || fail "/metrics does not count requests"
ls "$SCRATCH"/storage/entries/polykit/*/*/"$CACHE_KEY" >/dev/null || fail "the artifact is not in the configured storage dir"

# continueResponseTiming="onRead": an oversized Content-Length (2 MiB > polycache.maxArtifactSize
# 1m here) is refused before the client sends the body: no "100 Continue" is ever sent.
head -c 2097152 /dev/zero >"$SCRATCH/big"
refused_unsent() { # status description key
    local got auth=()
    [ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
    got=$(curl -sS -v -o /dev/null -w '%{http_code}' --max-time 30 --expect100-timeout 10 -X PUT \
        "${auth[@]}" -H 'Expect: 100-continue' -H 'Content-Type: application/octet-stream' \
        --data-binary "@$SCRATCH/big" "$URL/v1/artifacts/$(random_key)" 2>"$SCRATCH/curl-verbose")
    [ "$got" = "$1" ] || fail "$2: expected $1, got $got"
    if grep -q '^< HTTP/1.1 100' "$SCRATCH/curl-verbose"; then
        fail "$2: Tomcat sent 100 Continue before the refusal (continueResponseTiming not onRead?)"
    fi
    say "ok: $2 -> $got, body never sent (no 100 Continue)"
}
refused_unsent 413 "oversized PUT with Expect: 100-continue" "$KEY_CI"
refused_unsent 401 "keyless PUT with Expect: 100-continue"

# RemoteIpValve + access log: a request from the (trusted, loopback) proxy is logged with the
# client address it forwards; no key ever reaches a log.
curl -sS -o /dev/null --max-time 10 -H 'X-Forwarded-For: 203.0.113.7' -H 'X-Forwarded-Proto: https' "$URL/health"
for _ in $(seq 1 30); do   # the access log is buffered; Tomcat flushes it every few seconds
    grep -qs '^203\.0\.113\.7 .*"GET /polycache/health HTTP/1.1" 200' "$BASE"/logs/access.*.log && break
    sleep 1
done
grep -qs '^203\.0\.113\.7 .*"GET /polycache/health HTTP/1.1" 200' "$BASE"/logs/access.*.log \
    || fail "the access log does not show the X-Forwarded-For client"
say "ok: access log shows the forwarded client 203.0.113.7"
if grep -rqE "$KEY_CI|$KEY_RO" "$BASE/logs"; then fail "an API key appears in Tomcat's logs"; fi

# --- Run 2: nothing to change -------------------------------------------------------------
playbook 2
echo "$RECAP" | grep -qE ' changed=0 +unreachable=0 +failed=0 ' || fail "run 2 was not a no-op: $RECAP"
[ "$(tomcat_pid)" = "$PID1" ] || fail "run 2 restarted Tomcat"
expect 200 "GET /health after run 2" GET /health ""

# --- Run 3: rotate a key (replace the read-only key): only the key file changes ------------
playbook 3 -e '{"polycache_api_keys": [{"name": "ci", "key": "{{ vault_key_ci }}", "scope": "rw"}, {"name": "new", "key": "{{ vault_key_new }}", "scope": "ro"}]}'
echo "$RECAP" | grep -qE ' changed=1 +unreachable=0 +failed=0 ' || fail "run 3 should change only the key file: $RECAP"
[ "$(tomcat_pid)" = "$PID1" ] || fail "a key change restarted Tomcat"
for _ in $(seq 1 20); do   # Polycache re-reads the key file within a few seconds
    [ "$(http GET "/v1/artifacts/$CACHE_KEY" "$KEY_NEW")" = 200 ] && [ "$(http GET "/v1/artifacts/$CACHE_KEY" "$KEY_RO")" = 401 ] && break
    sleep 1
done
expect 200 "GET with the key added by run 3, no restart" GET "/v1/artifacts/$CACHE_KEY" "$KEY_NEW"
expect 401 "GET with the key revoked by run 3" GET "/v1/artifacts/$CACHE_KEY" "$KEY_RO"

# --- Run 4: a new WAR (an upgrade): installed, Tomcat restarted, data kept ----------------
# The "new build" is the WAR with one extra file; the unpacked webapp must come from it.
/usr/bin/python3 - "$WAR" "$SCRATCH/polycache-next.war" <<'PY'
import shutil, sys, zipfile
shutil.copyfile(sys.argv[1], sys.argv[2])
with zipfile.ZipFile(sys.argv[2], "a") as war:
    war.writestr("META-INF/polycache-upgrade-marker", "next build\n")
PY
playbook 4 -e "polycache_war_src=$SCRATCH/polycache-next.war" \
    -e '{"polycache_api_keys": [{"name": "ci", "key": "{{ vault_key_ci }}", "scope": "rw"}, {"name": "new", "key": "{{ vault_key_new }}", "scope": "ro"}]}'
echo "$RECAP" | grep -qE ' changed=[1-9][0-9]* +unreachable=0 +failed=0 ' || fail "run 4 did not install the new WAR: $RECAP"
[ "$(tomcat_pid)" != "$PID1" ] || fail "a new WAR did not restart Tomcat"
[ -f "$BASE/webapps/polycache/META-INF/polycache-upgrade-marker" ] || fail "Tomcat still runs the old unpacked WAR"
expect 200 "GET of the artifact after the upgrade" GET "/v1/artifacts/$CACHE_KEY" "$KEY_CI"
cmp -s "$SCRATCH/body" "$SCRATCH/artifact.zst" || fail "the artifact changed across the upgrade"
PID1=$(tomcat_pid)

# --- Stop ---------------------------------------------------------------------------------
"$CTL" stop >/dev/null
if kill -0 "$PID1" 2>/dev/null; then fail "Tomcat still runs after stop"; fi
say "PASS in $((SECONDS - START))s"
