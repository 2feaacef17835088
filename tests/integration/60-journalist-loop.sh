#!/usr/bin/env bash
# 60-journalist-loop.sh — the whole loop of issue 4, with the real tools:
# two journalists' keygen (passphrase-protected) → keys add → server key →
# trust → uploads → export → each imports (byte-identical files and
# message) → ack → purge; then key rotation, then tampered bundles.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/integration/lib-server.sh
t_need_bin
ADM=$BUILD/postern-admin
OPEN=$BUILD/postern-open
[ -x "$ADM" ] || { t_fail "set-up" "$ADM" "missing"; t_end; }

W=$T_TMP/loop
mkdir -p "$W/usb" "$W/A" "$W/B" "$W/C" "$W/files"
PW=$W/pw
printf 'correct horse battery staple\n' >"$PW"

# keygen NAME: a passphrase-protected identity; prints its recipient.
keygen() {
	"$OPEN" keygen -o "$W/$1/identity.age" --passphrase-fd 3 3<"$PW" 2>"$W/$1/keygen.err" >/dev/null
	sed -n 's/^Public key: //p' "$W/$1/keygen.err"
}
RA=$(keygen A)
RB=$(keygen B)
RC=$(keygen C)
t_check_match "keygen A prints a recipient" '^age1[a-z0-9]{58}$' "$RA"
t_check_match "keygen prints a key id" '^Key id: [0-9a-f]{16}$' "$(grep '^Key id' "$W/A/keygen.err")"
t_check "the identity file is not plaintext" "0" "$(grep -c AGE-SECRET-KEY "$W/A/identity.age")"

# The server: config, keys A and B, a signing key.
mkdir -p "$S_DIR"
: >"$S_RCPT"
S_PORT=1
srv_write_conf
adm() { t_run "$ADM" -c "$S_CONF" "$@"; }
adm keys add "$RA" -y
t_check_rc "keys add A" 0
adm keys add "$RB" -y
t_check_rc "keys add B" 0
mkdir -p "$S_STATE"
adm server-key init
t_check_rc "server-key init" 0
adm server-key show
t_check_rc "server-key show" 0
SK=$(grep -o 'postern-server1[a-z0-9]*' "$T_OUT" | head -n 1)
t_check_match "server key" '^postern-server1[a-z0-9]{58}$' "$SK"
for j in A B C; do
	t_run "$OPEN" trust "$SK" --trust-file "$W/$j/server.pub"
	t_check_rc "journalist $j pins the server key" 0
done

# Two submissions.
head -c 300000 /dev/urandom >"$W/files/one.bin"
printf 'the first document\n' >"$W/files/doc one.txt"
head -c 70000 /dev/urandom >"$W/files/two.bin"
srv_start || t_end
srv_upload -F "message=first message" -F "files=@$W/files/one.bin" -F "files=@$W/files/doc one.txt"
check_status "upload 1" 200
srv_upload -F "message=second message" -F "files=@$W/files/two.bin"
check_status "upload 2" 200

adm queue export "$W/usb"
t_check_rc "export" 0
BUNDLE=$(ls -d "$W/usb"/postern-* | head -n 1)
t_check "one bundle" "1" "$(ls -d "$W/usb"/postern-* | wc -l)"
adm queue export "$W/usb"
t_check_rc "a second export" 0
t_check "the second export wrote no bundle" "1" "$(ls -d "$W/usb"/postern-* | wc -l)"

# imp J BUNDLE: journalist J imports into $W/J/out.
imp() {
	t_run "$OPEN" import "$2" -i "$W/$1/identity.age" -o "$W/$1/out" \
	    --trust-file "$W/$1/server.pub" --passphrase-fd 3 3<"$PW"
}
# found J NAME: the path of the imported file NAME (any submission).
found() { find "$W/$1/out" -name "$2" -type f | head -n 1; }

for j in A B; do
	imp $j "$BUNDLE"
	t_check_rc "journalist $j imports" 0
	t_check "$j: two submission folders" "2" \
	    "$(find "$W/$j/out" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | wc -l)"
	for f in one.bin "doc one.txt" two.bin; do
		g=$(found $j "$f")
		if [ -n "$g" ] && cmp -s "$g" "$W/files/$f"; then
			t_ok "$j: $f byte-identical"
		else
			t_fail "$j: $f" "identical to the upload" "${g:-missing}"
		fi
	done
	t_check "$j: message 1" "first message" "$(cat "$(dirname "$(found $j one.bin)")/message.txt" 2>/dev/null)"
	t_check_match "$j: REPORT.txt says not cleaned" 'NOT CLEANED' \
	    "$(cat "$(dirname "$(found $j one.bin)")/REPORT.txt" 2>/dev/null)"
done
RECEIPT=$(ls "$W/A/out"/receipt-*.txt 2>/dev/null | head -n 1)
t_check_match "A's receipt" 'receipt-[0-9a-f]{32}' "$RECEIPT"

# Importing again: nothing duplicated.
imp A "$BUNDLE"
t_check_rc "A imports the same bundle again" 0
t_check "no duplicate folders" "2" \
    "$(find "$W/A/out" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | wc -l)"

# Purge before the receipt: nothing goes.
adm queue purge
t_check_rc "purge before ack" 0
t_check "nothing purged before ack" "2" "$(sql 'SELECT count(*) FROM submissions')"
adm queue ack "$RECEIPT"
t_check_rc "ack" 0
t_check "both acknowledged" "2" "$(sql "SELECT count(*) FROM submissions WHERE state = 'acknowledged'")"

# Rotation: retire A, add C. New submissions open with B and C, not A.
ida=$(printf '%s' "$RA" | sha256sum | cut -c 1-16)
adm keys retire "$ida"
t_check_rc "retire A" 0
adm keys add "$RC" -y
t_check_rc "add C" 0
head -c 5000 /dev/urandom >"$W/files/three.bin"
srv_upload -F "message=third message" -F "files=@$W/files/three.bin"
check_status "upload 3 after rotation (no restart)" 200
adm queue export "$W/usb"
t_check_rc "export after rotation" 0
B2=$(ls -dt "$W/usb"/postern-* | head -n 1)
for j in B C; do
	imp $j "$B2"
	t_check_rc "$j imports the new bundle" 0
	g=$(found $j three.bin)
	if [ -n "$g" ] && cmp -s "$g" "$W/files/three.bin"; then
		t_ok "$j opens the new submission"
	else
		t_fail "$j: three.bin" "identical" "${g:-missing}"
	fi
done
imp A "$B2"
t_check_rc "A cannot open the new submission" 1
t_check "A got nothing from it" "" "$(found A three.bin)"
# The old submissions still open with A's identity: the spool kept them.
old=$(sql "SELECT i.id FROM items i JOIN submissions s ON s.id = i.submission WHERE s.state = 'acknowledged' AND i.kind = 'file' LIMIT 1")
t_run "$OPEN" decrypt -i "$W/A/identity.age" --passphrase-fd 3 -o "$W/old.out" "$S_STATE/spool/$old.age" 3<"$PW"
t_check_rc "an old submission still opens with retired A" 0

# Purge: acknowledged ones go, the unacknowledged third stays.
adm queue purge
t_check_rc "purge" 0
t_check "one submission left" "1" "$(sql 'SELECT count(*) FROM submissions')"
t_check "its files are still in the spool" "2" "$(ls "$S_STATE/spool" | grep -c '\.age$')"

# Tampering with a real bundle: each refused, nothing under OUTDIR.
tamper() {
	local name=$1 t=$W/t/$1
	rm -rf "$W/t" && mkdir -p "$W/t" && cp -a "$B2" "$t"
	shift
	"$@" "$t"
	rm -rf "$W/C/tout"
	t_run "$OPEN" import "$t" -i "$W/C/identity.age" -o "$W/C/tout" \
	    --trust-file "$W/C/server.pub" --passphrase-fd 3 3<"$PW"
	t_check_rc "tampered ($name): refused" 1
	t_check "tampered ($name): nothing written" "" \
	    "$(find "$W/C/tout" -mindepth 1 2>/dev/null | head -n 3)"
}
flip() { printf '\x01' | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
flip_index() { flip "$1/index" 60; }
flip_sig() { flip "$1/index.sig" 30; }
flip_item() { flip "$(ls "$1"/items/*.age | head -n 1)" 100; }
drop_item() { rm -f "$(ls "$1"/items/*.age | head -n 1)"; }
add_foreign() { head -c 100 /dev/urandom >"$1/items/$(printf '%032d' 7).age"; }
no_sig() { rm -f "$1/index.sig"; }
tamper "index byte" flip_index
tamper "signature byte" flip_sig
tamper "age file byte" flip_item
tamper "file removed" drop_item
tamper "foreign file" add_foreign
tamper "unsigned" no_sig

# A bundle signed by another server key: the server's key replaced.
mv "$S_STATE/server.key" "$T_TMP/server.key.real"
adm server-key init
t_check_rc "a second, different server key" 0
mkdir -p "$W/usb2"
adm queue export "$W/usb2" --all
t_check_rc "export signed by the other key" 0
B3=$(ls -d "$W/usb2"/postern-* 2>/dev/null | head -n 1)
rm -rf "$W/C/tout"
t_run "$OPEN" import "$B3" -i "$W/C/identity.age" -o "$W/C/tout" \
    --trust-file "$W/C/server.pub" --passphrase-fd 3 3<"$PW"
t_check_rc "a bundle signed by another server key: refused" 1
t_check "nothing written" "" "$(find "$W/C/tout" -mindepth 1 2>/dev/null | head -n 3)"

srv_stop
t_end
