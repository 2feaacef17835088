#!/bin/sh
# run.sh — what `make run` does after deps and build: a demo newsroom key
# if none exists, then posternd on 127.0.0.1:$PORT with state under var/.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PORT=${PORT:-8080}
VAR=$PWD/var

mkdir -p "$VAR/demo-keys"
chmod 700 "$VAR" "$VAR/demo-keys"
if [ ! -f "$VAR/demo-keys/identity.txt" ]; then
	"$BUILD/postern-open" keygen -o "$VAR/demo-keys/identity.txt" 2>/dev/null
	echo "run.sh: created a DEMO key pair: $VAR/demo-keys/identity.txt" >&2
	echo "run.sh: it is for trying Postern out only; a real newsroom" \
	    "generates its keys on the air-gapped machine." >&2
fi
if [ ! -x "$BUILD/posternd" ]; then
	echo "run.sh: posternd is not part of this build yet; the demo key" \
	    "is ready and postern-open works (see README.md)." >&2
	exit 1
fi
