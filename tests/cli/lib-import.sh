# tests/cli/lib-import.sh — what the 7x import tests share, sourced after
# tests/lib.sh. Bundles are made here without a server: submissions are
# encrypted with postern-open encrypt, and signed bundles are made by
# tests/cli/mkbundle.c, compiled into the scratch directory against the
# library objects in $BUILD/lib (the code postern-admin uses).
#
#   imp_setup                    helper, server key, trust file, two keys
#   sub_new SUB YYYY-MM-DDTHH    start a submission
#   sub_file ITEM NAME SRC [CLEANED [TYPE [CLAIMED]]]
#                                add a file; NAME and CLAIMED are JSON text
#                                (NAME without quotes, CLAIMED with or null)
#   sub_end MESSAGE [MANIFEST_ITEM]
#                                write its manifest (MESSAGE is JSON text)
#   bundle_make [KEYFILE]        sign what was added; the path in $BUNDLE
# shellcheck shell=bash

IMP=$T_TMP/imp
MKB=$IMP/mkbundle
SPECS=()
S_SPECS=()
mkdir -p "$IMP/stage" "$IMP/usb"

# keyid STRING: the key id every Postern tool shows.
keyid() { printf '%s' "$1" | sha256sum | cut -c 1-16; }
# rid: a fresh 32-hex-digit id.
rid() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
# unix_hour YYYY-MM-DDTHH: the Unix time of that hour.
unix_hour() { date -u -d "$1:00:00Z" +%s; }

imp_build_helper() {
	local san=""
	# An ASan build's objects need the sanitizer runtime linked in.
	if nm "$BUILD/lib/age.o" 2>/dev/null | grep -q __asan_; then
		san="-fsanitize=address,undefined"
	fi
	# shellcheck disable=SC2046,SC2086 # split on purpose
	cc -std=c11 -D_GNU_SOURCE -Iinclude $san -o "$MKB" tests/cli/mkbundle.c \
	    "$BUILD"/lib/bundle.o "$BUILD"/lib/sigkey.o "$BUILD"/lib/age.o \
	    "$BUILD"/lib/armor.o "$BUILD"/lib/bech32.o "$BUILD"/lib/b64.o \
	    $(pkg-config --libs libsodium) 2>"$IMP/cc.err"
}

# imp_setup: $MKB; the server key $SKEY ($SPUB) pinned in $TF; journalist
# keys $J1 and $J2 (unprotected), $R1 $R2 their recipients, $K1 $K2 their
# key ids. $RCPTS is what submissions are encrypted to.
imp_setup() {
	t_need cc nm pkg-config sha256sum od
	if ! imp_build_helper; then
		t_fail "set-up: compile tests/cli/mkbundle.c" "a helper" "$(cat "$IMP/cc.err")"
		t_end
	fi
	SKEY=$IMP/server.key
	SPUB=$("$MKB" key "$SKEY")
	TF=$IMP/server.pub
	"$BIN" trust "$SPUB" --trust-file "$TF" >/dev/null
	J1=$IMP/j1.txt
	J2=$IMP/j2.txt
	"$BIN" keygen --unprotected -o "$J1" 2>/dev/null
	"$BIN" keygen --unprotected -o "$J2" 2>/dev/null
	R1=$(sed -n 's/^# public key: //p' "$J1")
	R2=$(sed -n 's/^# public key: //p' "$J2")
	K1=$(keyid "$R1")
	K2=$(keyid "$R2")
	RCPTS="-r $R1 -r $R2"
	if [ -z "$SPUB" ] || [ ! -s "$TF" ] || [ -z "$R1" ] || [ -z "$R2" ]; then
		t_fail "set-up" "a server key, a trust file and two keys" \
		    "'$SPUB' '$R1' '$R2'"
		t_end
	fi
}

sub_new() {
	S_ID=$1
	S_HOUR=$2
	S_FILES=""
	S_SPECS=()
}

sub_file() {
	local item=$1 name=$2 src=$3 cleaned=${4:-false}
	local type=${5:-application/octet-stream} claimed=${6:-null} size report
	size=$(wc -c <"$src" | tr -d ' ')
	if [ "$cleaned" = true ]; then
		report="removed: Author, Creator, GPS position"
	else
		report="NOT CLEANED: not cleaned yet (metadata stripping is not available in this version); stored as uploaded"
	fi
	S_FILES="$S_FILES${S_FILES:+,}{\"item\":\"$item\",\"name\":\"$name\",\"size\":$size,\"type\":\"$type\",\"claimed_type\":$claimed,\"cleaned\":$cleaned,\"report\":\"$report\"}"
	# shellcheck disable=SC2086 # RCPTS holds several -r
	"$BIN" encrypt $RCPTS -o "$IMP/stage/$item.age" "$src"
	S_SPECS+=("file:$item:$S_ID:$(unix_hour "$S_HOUR"):$IMP/stage/$item.age")
}

# sub_manifest_raw ITEM JSONFILE: a manifest of one's own making.
sub_manifest_raw() {
	# shellcheck disable=SC2086
	"$BIN" encrypt $RCPTS -o "$IMP/stage/$1.age" "$2"
	SPECS+=("manifest:$1:$S_ID:$(unix_hour "$S_HOUR"):$IMP/stage/$1.age" "${S_SPECS[@]}")
	S_SPECS=()
}

sub_end() {
	local m=${2:-$(rid)}
	printf '{"format":"postern-manifest/1","submission":"%s","received_hour":"%s:00:00Z","message":"%s","files":[%s]}\n' \
	    "$S_ID" "$S_HOUR" "$1" "$S_FILES" >"$IMP/stage/$m.json"
	sub_manifest_raw "$m" "$IMP/stage/$m.json"
}

bundle_make() {
	local key=${1:-$SKEY} parent
	parent=$(mktemp -d "$IMP/usb/b.XXXXXX")
	BUNDLE=$("$MKB" make "$key" "$parent" "${SPECS[@]}")
	SPECS=()
}

# tree_sum DIR: one line per file under DIR (hidden ones too): its path
# and SHA-256, sorted; to see that nothing changed.
tree_sum() {
	(cd "$1" && find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
