#!/bin/sh
# run.sh — what `make run` does after deps and build: a demo newsroom key
# if no recipient is configured, a config under var/, then posternd on
# 127.0.0.1:$PORT in the foreground (Ctrl-C stops it).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PORT=${PORT:-8080}
VAR=$PWD/var

case $PORT in '' | *[!0-9]*) echo "run.sh: PORT must be a number" >&2; exit 2 ;; esac
umask 077
mkdir -p "$VAR/state"
if ! grep -q '^age1' "$VAR/recipients.txt" 2>/dev/null; then
	mkdir -p "$VAR/demo-keys"
	if [ ! -f "$VAR/demo-keys/identity.txt" ]; then
		"$BUILD/postern-open" keygen --unprotected \
		    -o "$VAR/demo-keys/identity.txt" \
		    2>/dev/null
	fi
	sed -n 's/^# public key: //p' "$VAR/demo-keys/identity.txt" \
	    >"$VAR/recipients.txt"
	cat >&2 <<MSG
run.sh: no recipient was configured, so a DEMO key pair was made:
run.sh:   identity (secret): $VAR/demo-keys/identity.txt
run.sh:   recipient:         $(cat "$VAR/recipients.txt")
run.sh: WARNING: for trying Postern out only. The secret key is on this
run.sh: server, so anything sent now can be read here. A real newsroom
run.sh: makes its keys on the air-gapped machine (postern-open keygen) and
run.sh: puts only the age1... recipients in the recipients file.
MSG
fi
cat >"$VAR/posternd.conf" <<CONF
# Written by deploy/run.sh for make run; see deploy/posternd.conf.sample.
listen = 127.0.0.1:$PORT
state_dir = state
recipients_file = recipients.txt
templates_dir = $PWD/templates
CONF
echo "run.sh: starting posternd on http://127.0.0.1:$PORT/ (state in" \
    "$VAR/state, spool files in $VAR/state/spool/*.age)" >&2
exec "$BUILD/posternd" -c "$VAR/posternd.conf"
