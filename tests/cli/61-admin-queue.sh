#!/usr/bin/env bash
# postern-admin queue: status figures; export writes the bundle of
# docs/bundle.md (index lines, count, files byte for byte, sizes, SHA-256,
# a signature that verifies with the server key) and marks the rows, a
# second export has nothing, --all exports again; ack marks only the
# submissions of that bundle; purge never deletes an unacknowledged
# submission without --force, deletes acknowledged ones (spool files and
# rows), and --older-than counts whole hours. Every failure: exit 1, one
# line on stderr, no bundle or .part left, no state changed.
#
#   BUILD=build bash tests/cli/61-admin-queue.sh
# shellcheck disable=SC2012 # ls -A: the listings are the point
set -u
. tests/lib.sh
. tests/integration/lib-server.sh

ADMIN=$BUILD/postern-admin
T_ERR_PREFIX="postern-admin: "
srv_need
if [ ! -x "$ADMIN" ]; then
	t_fail "binary" "an executable $ADMIN (run make)" "missing"
	t_end
fi

srv_init
srv_start || t_end
admin() { t_run "$ADMIN" -c "$S_CONF" "$@"; }
OUT=$T_TMP/usb
mkdir -p "$OUT"

# upload NAME NFILES: one submission with NFILES files; its id in SUB.
upload() {
	local before i args=()
	before=$(sql 'SELECT id FROM submissions ORDER BY id')
	for i in $(seq 1 "$2"); do
		printf 'document %s of %s\n' "$i" "$1" >"$T_TMP/doc$i.txt"
		args+=(-F "files=@$T_TMP/doc$i.txt;filename=doc$i.txt")
	done
	srv_upload -F "message=$1" "${args[@]}"
	check_receipt "upload $1"
	SUB=$(sql 'SELECT id FROM submissions ORDER BY id' | grep -vxF -- "$before" | head -n 1)
}
state() { sql "SELECT state FROM submissions WHERE id = '$1'"; }
states() { local s; for s in "$@"; do printf '%s ' "$(state "$s")"; done; }
spool_bytes() {
	local n=0 i
	for i in $(sql "SELECT i.id FROM items i JOIN submissions s ON s.id = i.submission
	    WHERE s.state = '$1'"); do
		n=$((n + $(t_size "$S_STATE/spool/$i.age")))
	done
	echo "$n"
}
items_of() { sql "SELECT id FROM items WHERE submission = '$1' ORDER BY id"; }
# receipt FILE BUNDLE SUB...: a receipt as postern-open import writes it.
receipt() {
	local f=$1 b=$2 s
	shift 2
	{
		echo "postern-receipt/1"
		echo "bundle $b"
		for s in "$@"; do echo "imported $s"; done
		echo "count $#"
	} >"$f"
}
snapshot() {
	printf '%s | %s | %s' "$(sql 'SELECT id, state, hour FROM submissions ORDER BY id' | tr '\n' ' ')" \
	    "$(ls -A "$S_STATE/spool" | LC_ALL=C sort | tr '\n' ' ')" "$(ls -A "$OUT" | tr '\n' ' ')"
}

# --- usage ---------------------------------------------------------------------
for args in "queue" "queue export" "queue export $OUT $OUT" "queue export --bogus $OUT" \
    "queue ack" "queue status now" "queue purge extra" "queue purge --older-than"; do
	# shellcheck disable=SC2086 # split on purpose
	admin $args
	t_check_rc "usage: $args" 2
	t_check_match "usage: $args: usage text" '^usage: postern-admin' "$(grep '^usage:' "$T_ERR")"
done
for bad in x -1 1.5 36501 99999999999999999999; do
	admin queue purge --older-than "$bad"
	t_check_rc "purge --older-than $bad" 2
	t_check_err1 "purge --older-than $bad"
done

# --- status: empty -----------------------------------------------------------
admin queue status
t_check_rc "status, empty queue" 0
t_check "status, empty queue" \
    "$(printf 'pending:      0 submissions, 0 items, 0 bytes (0 bytes)\nexported:     0 submissions, 0 items, 0 bytes (0 bytes)\nacknowledged: 0 submissions, 0 items, 0 bytes (0 bytes)\noldest pending: none')" \
    "$(head -n 4 "$T_OUT")"
admin queue export "$OUT"
t_check_failure "export without a server key"
t_check_stderr_has "export without a server key" "run postern-admin server-key init"
admin server-key init
t_check_rc "server-key init" 0
PUB=$(sed -n 2p "$T_OUT")
admin queue export "$OUT"
t_check_rc "export, empty queue" 0
t_check "export, empty queue: says so" "nothing to export: no pending submission is stored" "$(t_stdout)"
t_check_dir "export, empty queue: no bundle" "$OUT"

# --- two submissions ------------------------------------------------------------
upload A 1
A=$SUB
upload B 2
B=$SUB
hour=$(sql "SELECT min(hour) FROM submissions")
admin queue status
t_check_rc "status" 0
t_check "status: pending" \
    "pending:      2 submissions, 5 items, $(spool_bytes pending) bytes" \
    "$(sed -n 1p "$T_OUT" | sed 's/ (.*//')"
t_check_match "status: exported" '^exported: +0 submissions, 0 items, 0 bytes' "$(sed -n 2p "$T_OUT")"
t_check "status: oldest pending hour" \
    "oldest pending: $(date -u -d "@$hour" +%Y-%m-%dT%H:%M:%SZ) (the hour it arrived, UTC)" \
    "$(sed -n 4p "$T_OUT")"
free=$(sed -n 's/^free disk: \([0-9]*\) bytes (.*) in \(.*\)$/\1 \2/p' "$T_OUT")
df_free=$(df -B1 --output=avail "$S_STATE" | tail -n 1 | tr -d ' ')
if [ -n "$free" ] && [ "${free#* }" = "$S_STATE" ] &&
    awk -v a="${free%% *}" -v b="$df_free" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b / 100 + 1048576) }'; then
	t_ok "status: free disk of the state directory"
else
	t_fail "status: free disk" "about $df_free bytes in $S_STATE" "$(sed -n 5p "$T_OUT")"
fi

# --- export failures change nothing ----------------------------------------------
before=$(snapshot)
admin queue export "$T_TMP/nowhere"
t_check_failure "export to a missing directory"
t_check "export to a missing directory: nothing changed" "$before" "$(snapshot)"
admin queue export "$S_RCPT"
t_check_failure "export to a file"
chmod 644 "$S_STATE/server.key"
admin queue export "$OUT"
t_check_failure "export with a server key others can read"
chmod 600 "$S_STATE/server.key"
t_check "export failures: nothing changed" "$before" "$(snapshot)"

# --- export ---------------------------------------------------------------------
admin queue export "$OUT"
t_check_rc "export" 0
bundle=$(head -n 1 "$T_OUT")
name=${bundle##*/}
t_check_match "export prints the bundle's path" "^$OUT/postern-$(date -u +%Y%m%d)-[0-9a-f]{8}\$" "$bundle"
t_check_match "export prints the counts" '^bundle [0-9a-f]{32}: 2 submissions, 5 items, [0-9]+ bytes$' \
    "$(sed -n 2p "$T_OUT")"
t_check_dir "export: one bundle, no .part" "$OUT" "$name"
t_check_dir "bundle: index, index.sig, items" "$bundle" index index.sig items
B1=$(sed -n 's/^bundle \([0-9a-f]*\)$/\1/p' "$bundle/index")
t_check "bundle id in the index and the name" "${name##*-}" "${B1:0:8}"
t_check "export prints the bundle id" "bundle $B1:" "$(sed -n 2p "$T_OUT" | cut -d ' ' -f 1-2)"
created=$(sed -n 's/^created //p' "$bundle/index")
now=$(date +%s)
if [ $((created % 3600)) = 0 ] && [ "$created" -le "$now" ] && [ "$created" -gt $((now - 7200)) ]; then
	t_ok "index: created is the export hour"
else
	t_fail "index: created" "the hour of $now" "$created"
fi
# The index docs/bundle.md describes, line by line.
{
	echo "postern-bundle/1"
	echo "bundle $B1"
	echo "server $PUB"
	echo "created $created"
	sql "SELECT i.id, i.submission, i.kind, s.hour, i.size FROM items i
	    JOIN submissions s ON s.id = i.submission
	    ORDER BY s.hour, s.id, i.kind = 'file', i.id" | while IFS='|' read -r id sub kind h size; do
		echo "item $id $sub $kind $h $size $(sha256sum <"$S_STATE/spool/$id.age" | cut -c 1-64)"
	done
	echo "count 5"
} >"$T_TMP/index.want"
t_check_same "index: every line as documented" "$T_TMP/index.want" "$bundle/index"
t_check "index: grouped by submission, the manifest first" "2 groups, ok" \
    "$(awk '$1 != "item" { next }
        $3 != last { if ($3 in seen || $4 != "manifest") bad = 1; seen[$3] = 1; n++; last = $3 }
        END { printf "%d groups, %s", n, bad ? "bad" : "ok" }' "$bundle/index")"
t_check "items/: exactly the listed files" \
    "$(sql 'SELECT id FROM items ORDER BY id' | sed 's/$/.age/' | tr '\n' ' ')" \
    "$(ls -A "$bundle/items" | LC_ALL=C sort | tr '\n' ' ')"
bad=""
for f in "$bundle"/items/*.age; do
	cmp -s "$f" "$S_STATE/spool/${f##*/}" || bad="$bad ${f##*/}"
done
t_check "items/: byte for byte the spool files" "" "$bad"
t_check "bundle files are mode 600" 600 "$(stat -c %a "$bundle"/index "$bundle"/index.sig "$bundle"/items/* | sort -u)"
t_check_match "index.sig: one line, base64 of 64 bytes" '^postern-signature/1 [A-Za-z0-9+/]{86}==$' \
    "$(cat "$bundle/index.sig")"
t_check "index.sig: ends with LF, one line" 1 "$(wc -l <"$bundle/index.sig" | tr -d ' ')"
# The signature, checked by another implementation of Ed25519 (OpenSSL).
if command -v openssl >/dev/null 2>&1; then
	perl -e 'my $s = shift; my $cs = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	    my $d = substr($s, rindex($s, "1") + 1, -6);
	    my $b = join "", map { sprintf "%05b", index($cs, $_) } split //, $d;
	    print pack("H*", "302a300506032b6570032100"), pack("B*", substr($b, 0, 256));' \
	    "$PUB" >"$T_TMP/pub.der"
	sed 's/^postern-signature\/1 //' "$bundle/index.sig" | base64 -d >"$T_TMP/sig.bin"
	{ printf 'postern-bundle-index/1\0'; cat "$bundle/index"; } >"$T_TMP/signed"
	verify() {
		openssl pkeyutl -verify -pubin -keyform DER -inkey "$T_TMP/pub.der" -rawin \
		    -in "$1" -sigfile "$T_TMP/sig.bin" >/dev/null 2>&1
	}
	if verify "$T_TMP/signed"; then t_ok "index.sig verifies (openssl)"; else
		t_fail "index.sig verifies (openssl)" "Signature Verified Successfully" \
		    "$(openssl pkeyutl -verify -pubin -keyform DER -inkey "$T_TMP/pub.der" -rawin \
		        -in "$T_TMP/signed" -sigfile "$T_TMP/sig.bin" 2>&1)"
	fi
	{ printf 'postern-bundle-index/1\0'; sed 's/^count 5$/count 4/' "$bundle/index"; } >"$T_TMP/altered"
	if verify "$T_TMP/altered"; then t_fail "an altered index does not verify" "refused" "verified"
	else t_ok "an altered index does not verify (openssl)"; fi
fi
# Each manifest opens with a newsroom key and names its submission.
bad=""
for m in $(awk '$1 == "item" && $4 == "manifest" { print $2 ":" $3 }' "$bundle/index"); do
	"$BIN" decrypt -i "$S_KEY1" -o "$T_TMP/m.json" "$bundle/items/${m%%:*}.age" 2>/dev/null &&
	    [ "$(manifest_fields "$T_TMP/m.json" | sed -n 's/^submission\t//p')" = "${m#*:}" ] ||
	    bad="$bad ${m%%:*}"
	rm -f "$T_TMP/m.json"
done
t_check "bundle manifests decrypt and name their submission" "" "$bad"
t_check "export marks both exported" "exported exported " "$(states "$A" "$B")"
admin queue status
t_check_match "status after export: pending" '^pending: +0 submissions, 0 items, 0 bytes' "$(sed -n 1p "$T_OUT")"
t_check "status after export: exported" \
    "exported:     2 submissions, 5 items, $(spool_bytes exported) bytes" "$(sed -n 2p "$T_OUT" | sed 's/ (.*//')"
t_check "status after export: oldest pending" "oldest pending: none" "$(sed -n 4p "$T_OUT")"

admin queue export "$OUT"
t_check_rc "second export" 0
t_check "second export: nothing to export" "nothing to export: no pending submission is stored" "$(t_stdout)"
t_check_dir "second export: no new bundle" "$OUT" "$name"

upload C 1
C=$SUB
admin queue export "$OUT"
t_check_rc "export of a new submission" 0
bundle2=$(head -n 1 "$T_OUT")
B2=$(sed -n 's/^bundle \([0-9a-f]*\)$/\1/p' "$bundle2/index")
t_check "export of a new submission: only it" "$C $C " \
    "$(awk '$1 == "item" { printf "%s ", $3 }' "$bundle2/index")"
t_check "export of a new submission: count 2" "count 2" "$(tail -n 1 "$bundle2/index")"

admin queue export "$OUT" --all
t_check_rc "export --all" 0
bundle3=$(head -n 1 "$T_OUT")
B3=$(sed -n 's/^bundle \([0-9a-f]*\)$/\1/p' "$bundle3/index")
t_check "export --all: every submission again" "count 7" "$(tail -n 1 "$bundle3/index")"
t_check_dir "three bundles" "$OUT" "$name" "${bundle2##*/}" "${bundle3##*/}"
t_check "after export --all: all exported" "exported exported exported " "$(states "$A" "$B" "$C")"

# --- ack ------------------------------------------------------------------------
upload D 1
D=$SUB
receipt "$T_TMP/r1" "$B1" "$A" "$C" 0123456789abcdef0123456789abcdef
admin queue ack "$T_TMP/r1"
t_check_rc "ack" 0
t_check "ack: one acknowledged, two not in that bundle" \
    "bundle $B1: 1 submission acknowledged, 2 ignored (not exported in that bundle)" "$(t_stdout)"
t_check "ack: only A (C was not in bundle 1)" "acknowledged exported exported pending " \
    "$(states "$A" "$B" "$C" "$D")"
admin queue ack "$T_TMP/r1"
t_check_rc "ack again" 0
t_check "ack again: already acknowledged" \
    "bundle $B1: 0 submissions acknowledged, 1 already acknowledged, 2 ignored (not exported in that bundle)" \
    "$(t_stdout)"
receipt "$T_TMP/r3" "$B3" "$B" "$D"
admin queue ack "$T_TMP/r3"
t_check_rc "ack of the --all bundle" 0
t_check "ack of the --all bundle: B only (D was never exported)" \
    "acknowledged acknowledged exported pending " "$(states "$A" "$B" "$C" "$D")"
admin queue status
t_check_match "status: acknowledged" '^acknowledged: 2 submissions, 5 items, ' "$(sed -n 3p "$T_OUT")"

before=$(snapshot)
printf 'postern-receipt/1\nbundle %s\nimported %s\ncount 2\n' "$B2" "$C" >"$T_TMP/bad1"
printf 'postern-receipt/1\nbundle nothex\nimported %s\ncount 1\n' "$C" >"$T_TMP/bad2"
printf 'postern-receipt/2\nbundle %s\nimported %s\ncount 1\n' "$B2" "$C" >"$T_TMP/bad3"
printf 'postern-receipt/1\nbundle %s\nimported %s\ncount 1' "$B2" "$C" >"$T_TMP/bad4"
for r in bad1 bad2 bad3 bad4 missing; do
	admin queue ack "$T_TMP/$r"
	t_check_failure "ack, malformed receipt $r"
done
t_check "malformed receipts: nothing changed" "$before" "$(snapshot)"

# --- purge ------------------------------------------------------------------------
# Clear of the turn of an hour, so "this hour" stays the same hour.
left=$((3600 - $(date +%s) % 3600))
[ "$left" -gt 20 ] || sleep $((left + 1))
H=$(($(date +%s) / 3600 * 3600))

before=$(snapshot)
admin queue purge --older-than 1
t_check_rc "purge --older-than 1, all from this hour" 0
t_check "purge --older-than 1: nothing" "purged 0 submissions; deleted 0 spool files" "$(t_stdout)"
t_check "purge --older-than 1: no warning" "" "$(t_stderr)"
t_check "purge --older-than 1: nothing changed" "$before" "$(snapshot)"

# A: acknowledged, arrived the hour before "1 day ago": old enough.
# B: acknowledged, arrived in the hour of "1 day ago": might be younger
#    than a day by up to 59 minutes, so it stays.
# C: exported, 3 days old; D: pending, this hour.
sql "UPDATE submissions SET hour = $((H - 86400 - 3600)) WHERE id = '$A';
    UPDATE submissions SET hour = $((H - 86400)) WHERE id = '$B';
    UPDATE submissions SET hour = $((H - 3 * 86400)) WHERE id = '$C'" >/dev/null
A_ITEMS=$(items_of "$A")
admin queue purge --older-than 1
t_check_rc "purge --older-than 1" 0
t_check "purge --older-than 1: A only" "purged 1 submission; deleted 2 spool files" "$(t_stdout)"
t_check "purge --older-than 1: warns of C, --force needed" \
    "postern-admin: warning: 1 unacknowledged submission older than 1 day was kept; --force deletes it too" \
    "$(t_stderr)"
t_check "purge --older-than 1: A's rows are gone" "0 0" \
    "$(sql "SELECT (SELECT count(*) FROM submissions WHERE id = '$A'), (SELECT count(*) FROM items WHERE submission = '$A')" | tr '|' ' ')"
gone=""
for i in $A_ITEMS; do [ -e "$S_STATE/spool/$i.age" ] && gone="$gone $i"; done
t_check "purge --older-than 1: A's spool files are gone" "" "$gone"
t_check "purge --older-than 1: the others stay" "acknowledged exported pending " "$(states "$B" "$C" "$D")"

B_ITEMS=$(items_of "$B")
admin queue purge
t_check_rc "purge" 0
t_check "purge: every acknowledged one (B)" "purged 1 submission; deleted 3 spool files" "$(t_stdout)"
t_check_match "purge: warns of the 2 unacknowledged, --force needed" \
    '^postern-admin: warning: 2 unacknowledged submissions were kept; --force deletes them too$' "$(t_stderr)"
gone=""
for i in $B_ITEMS; do [ -e "$S_STATE/spool/$i.age" ] && gone="$gone $i"; done
t_check "purge: B's spool files are gone" "" "$gone"
t_check "purge: unacknowledged ones stay" "exported pending " "$(states "$C" "$D")"
t_check "purge: the spool holds exactly C's and D's files" \
    "$( (items_of "$C"; items_of "$D") | sed 's/$/.age/' | LC_ALL=C sort | tr '\n' ' ')" \
    "$(ls -A "$S_STATE/spool" | LC_ALL=C sort | tr '\n' ' ')"
t_check "purge: rows of C and D only" "$(printf '%s\n%s' "$C" "$D" | LC_ALL=C sort | tr '\n' ' ')" \
    "$(sql 'SELECT id FROM submissions ORDER BY id' | LC_ALL=C sort | tr '\n' ' ')"

admin queue purge --force --older-than 2
t_check_rc "purge --force --older-than 2" 0
t_check "purge --force --older-than 2: C (unacknowledged, 3 days old)" \
    "purged 1 submission; deleted 2 spool files" "$(t_stdout)"
t_check "purge --force: no warning" "" "$(t_stderr)"
t_check "purge --force --older-than 2: D stays" "pending" "$(state "$D")"
t_check "purge --force --older-than 2: the spool holds D's files" \
    "$(items_of "$D" | sed 's/$/.age/' | LC_ALL=C sort | tr '\n' ' ')" \
    "$(ls -A "$S_STATE/spool" | LC_ALL=C sort | tr '\n' ' ')"

# --- an export that fails half-way leaves nothing ----------------------------------
# D's file is the second item: the manifest is copied first, then the
# missing file stops the export.
f=$(sql "SELECT id FROM items WHERE submission = '$D' AND kind = 'file'")
rm -f "$S_STATE/spool/$f.age"
before=$(snapshot)
admin queue export "$OUT"
t_check_failure "export with a spool file missing"
t_check_stderr_has "export with a spool file missing" "$f.age"
t_check "export with a spool file missing: no bundle, no .part, D still pending" "$before" "$(snapshot)"
printf 'x' >>"$S_STATE/spool/$(sql "SELECT id FROM items WHERE submission = '$D' AND kind = 'manifest'").age"
before=$(snapshot)
admin queue export "$OUT"
t_check_failure "export with a spool file of the wrong size"
t_check_stderr_has "export with a spool file of the wrong size" "damaged"
t_check "export, wrong size: nothing changed" "$before" "$(snapshot)"

admin queue purge --force
t_check_rc "purge --force with a file missing" 0
t_check "purge --force with a file missing: says so" \
    "$(printf 'purged 1 submission; deleted 1 spool file\n1 spool file was already missing')" "$(t_stdout)"
t_check_dir "purge --force: the spool is empty" "$S_STATE/spool"
t_check "purge --force: no rows" "0/0/0" "$(srv_db)"
srv_stop

t_end
