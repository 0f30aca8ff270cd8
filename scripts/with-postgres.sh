#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARG...]
#
# Runs CMD with a throwaway PostgreSQL server on 127.0.0.1 and stops it afterwards, returning
# CMD's exit code. Installs PostgreSQL from the Debian packages when it is missing, so CI on a
# fresh machine needs nothing else. CMD sees:
#   IFX_TEST_DATABASE_URL  postgres://postgres@127.0.0.1:PORT/incidentfox_auth_test (trust auth)
#   IFX_TEST_PG_CTL        a script: `$IFX_TEST_PG_CTL stop|start|freeze|thaw`, for tests that
#                          take the server away and bring it back
#   IFX_TEST_PGDATA, IFX_TEST_PG_BIN, IFX_TEST_PG_USER, IFX_TEST_PG_PORT  the same, in parts
#   IFX_TEST_PG_SSLROOTCERT  the CA (PEM) that signed the server's certificate (the server
#                          speaks TLS to clients that ask; plaintext to the others)
#   IFX_TEST_PG_OTHER_CA   a CA that signed nothing the server has
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi

log() { echo "with-postgres: $*" >&2; }

# The server binaries: initdb and pg_ctl from PATH, else Debian's versioned directory (the
# packages put only client wrappers in PATH).
find_pg_bin() {
  local ctl dir
  if ctl=$(command -v pg_ctl 2>/dev/null) && command -v initdb > /dev/null 2>&1; then
    dir=$(dirname "$(readlink -f "$ctl")")
    [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ] && { echo "$dir"; return 0; }
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  return 1
}

if ! PG_BIN=$(find_pg_bin); then
  log "postgresql not found; installing it"
  sudo=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo > /dev/null 2>&1; then
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  # The package lists may be missing or stale on a fresh machine: update once and retry.
  "${sudo[@]}" apt-get install -y -q postgresql > /dev/null \
    || { "${sudo[@]}" apt-get update -q > /dev/null && "${sudo[@]}" apt-get install -y -q postgresql > /dev/null; }
  PG_BIN=$(find_pg_bin) || { log "postgresql is still not installed"; exit 1; }
fi

# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` OS user.
if [ "$(id -u)" -eq 0 ]; then
  PG_USER=postgres
  if ! id "$PG_USER" > /dev/null 2>&1; then
    useradd --system --user-group --no-create-home --shell /bin/sh "$PG_USER"
  fi
else
  PG_USER=$(id -un)
fi

as_pg_user() {
  if [ "$(id -un)" = "$PG_USER" ]; then
    "$@"
  elif command -v runuser > /dev/null 2>&1; then
    runuser -u "$PG_USER" -- "$@"
  else
    su "$PG_USER" -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ifx-postgres.XXXXXX")
PGDATA_DIR="$WORK/data"
CTL="$WORK/pg-ctl"
chmod 755 "$WORK"

cleanup() {
  local status=$?
  # A server a test left frozen would ignore the stop until thawed.
  if [ -x "$CTL" ]; then "$CTL" thaw > /dev/null 2>&1 || true; fi
  if [ -f "$PGDATA_DIR/postmaster.pid" ]; then
    as_pg_user "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" stop -m immediate -w > /dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$PGDATA_DIR"
if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER": "$WORK" "$PGDATA_DIR"; fi
as_pg_user "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust --encoding=UTF8 \
  --no-locale > "$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 1; }

# TLS, for the store's encrypted-connection tests: a throwaway CA signs the server's certificate
# (localhost and 127.0.0.1); a second CA signs nothing, to show a wrong trust anchor is refused.
# Clients that do not ask for TLS still connect in plaintext (pg_hba's `host` lines allow both).
TLS_DIR="$WORK/tls"
ssl_conf=
if command -v openssl > /dev/null 2>&1; then
  mkdir -p "$TLS_DIR"
  (
    cd "$TLS_DIR"
    new_ca() {
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$1" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$2.key" -out "$2.crt"
    }
    new_ca "incidentfox-auth test ca" ca
    new_ca "incidentfox-auth unrelated ca" other-ca
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
      -keyout server.key -out server.csr
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" > server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile server.ext -out server.crt
  ) > "$WORK/tls.log" 2>&1 || { cat "$WORK/tls.log" >&2; exit 1; }
  chmod 755 "$TLS_DIR"
  chmod 600 "$TLS_DIR/server.key"
  if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER": "$TLS_DIR/server.key" "$TLS_DIR/server.crt"; fi
  ssl_conf="ssl = on
ssl_cert_file = '$TLS_DIR/server.crt'
ssl_key_file = '$TLS_DIR/server.key'"
  export IFX_TEST_PG_SSLROOTCERT="$TLS_DIR/ca.crt"
  export IFX_TEST_PG_OTHER_CA="$TLS_DIR/other-ca.crt"
else
  log "openssl not found: the server runs without tls, and the tls tests will fail"
fi

# A port nobody listens on; the server start below retries on a clash anyway.
free_port() {
  if command -v python3 > /dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local port
  for port in $(seq 55432 55999); do
    if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
      echo "$port"
      return
    fi
  done
  return 1
}

# initdb's pg_hba.conf covers only the Unix socket and loopback, so `trust` stays on this machine.
# No fsync: the cluster is thrown away, and the tests run faster. Commits still reach the OS
# before they return, so a row survives the immediate stop that the restart test uses.
started=
for _ in 1 2 3 4 5; do
  PORT=$(free_port)
  cat > "$PGDATA_DIR/postgresql.auto.conf" << EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$WORK'
max_connections = 200
fsync = off
full_page_writes = off
$ssl_conf
EOF
  if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER": "$PGDATA_DIR/postgresql.auto.conf"; fi
  if as_pg_user "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$WORK/server.log" -w -t 30 start > /dev/null; then
    started=1
    break
  fi
  log "server did not start on port $PORT; trying another"
done
if [ -z "$started" ]; then
  cat "$WORK/server.log" >&2 || true
  exit 1
fi

for _ in $(seq 1 60); do
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.5
done
"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" || { log "server not ready"; exit 1; }
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres incidentfox_auth_test

# The helper tests use to take the server away and bring it back:
#   stop    pg_ctl stop -m immediate (a crash: connections drop at once)
#   start   pg_ctl start, same port and settings
#   freeze  SIGSTOP the server's processes (a hung server or a network black hole: connections
#           stay open but nothing answers)
#   thaw    SIGCONT them
{
  echo '#!/usr/bin/env bash'
  printf 'PG_BIN=%q\nPGDATA_DIR=%q\nPG_USER=%q\nWORK=%q\n' "$PG_BIN" "$PGDATA_DIR" "$PG_USER" "$WORK"
  cat << 'EOF'
set -euo pipefail
as_pg_user() {
  if [ "$(id -un)" = "$PG_USER" ]; then
    "$@"
  elif command -v runuser > /dev/null 2>&1; then
    runuser -u "$PG_USER" -- "$@"
  else
    su "$PG_USER" -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}
case "${1:-}" in
  stop) as_pg_user "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -w stop -m immediate ;;
  start) as_pg_user "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -w -t 30 -l "$WORK/server.log" start ;;
  freeze)
    # The postmaster and its children, by process id (postmaster.pid's first line).
    main=$(head -n 1 "$PGDATA_DIR/postmaster.pid")
    pids="$main"
    for stat in /proc/[0-9]*/stat; do
      read -r pid _ _ ppid _ < "$stat" 2> /dev/null || continue
      if [ "$ppid" = "$main" ]; then pids="$pids $pid"; fi
    done
    echo "$pids" > "$WORK/frozen"
    # shellcheck disable=SC2086
    kill -STOP $pids
    ;;
  thaw)
    if [ -f "$WORK/frozen" ]; then
      # shellcheck disable=SC2086
      kill -CONT $(cat "$WORK/frozen") 2> /dev/null || true
      rm -f "$WORK/frozen"
    fi
    ;;
  *) echo "usage: $0 stop|start|freeze|thaw" >&2; exit 2 ;;
esac
EOF
} > "$CTL"
chmod 755 "$CTL"

export IFX_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/incidentfox_auth_test"
export IFX_TEST_PG_CTL="$CTL"
export IFX_TEST_PGDATA="$PGDATA_DIR"
export IFX_TEST_PG_BIN="$PG_BIN"
export IFX_TEST_PG_USER="$PG_USER"
export IFX_TEST_PG_PORT="$PORT"
log "postgresql $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"

set +e
"$@"
exit $?
