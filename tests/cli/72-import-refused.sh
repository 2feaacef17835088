#!/usr/bin/env bash
# postern-open import refuses a bundle whole, exit 1 with one line, and
# writes nothing under OUTDIR (not even OUTDIR), when: a byte of the index,
# of the signature or of an age file is flipped; an item is removed; a
# foreign file is added; the index is truncated or grown; the signature is
# missing; the bundle is signed by another server key; no server key is
# pinned; the trust file is writable by others or not a trust file; the
# bundle is unfinished (.part) or not a bundle.
set -u
. tests/lib.sh
. tests/cli/lib-import.sh
t_need_bin
imp_setup

d=$(t_tmpdir)
printf 'a document\n' >"$d/doc"
head -c 100000 /dev/urandom >"$d/big"
S1=$(rid) S2=$(rid)
sub_new "$S1" 2026-11-28T15
sub_file "$(rid)" "doc.txt" "$d/doc"
sub_end 'one'
sub_new "$S2" 2026-11-28T16
sub_file "$(rid)" "big.bin" "$d/big"
sub_end 'two'
bundle_make
B=$BUNDLE

# The intact bundle imports (so each refusal below is the tampering's).
t_run "$BIN" import "$B" -i "$J1" -o "$d/ok" --trust-file "$TF"
t_check_rc "the intact bundle imports" 0

# flip FILE OFFSET: XOR one byte with 0x01, in place.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $((b ^ 1)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
first_item() { find "$1/items" -type f | LC_ALL=C sort | head -n 1; }

# refused NAME ERE [OUTDIR-EXISTS]: the import of $T_B fails whole.
refused() {
	local name=$1 re=$2 o
	o=$(t_tmpdir)/out
	[ "${3:-}" = exists ] && mkdir "$o"
	t_run "$BIN" import "$T_B" -i "$J1" -o "$o" --trust-file "${T_TF:-$TF}"
	t_check_failure "$name"
	t_check_stderr_has "$name" "$re"
	if [ "${3:-}" = exists ]; then
		t_check_dir "$name: nothing written under OUTDIR" "$o"
	else
		t_check_absent "$name: OUTDIR not even made" "$o"
	fi
	t_check "$name: nothing on stdout" "" "$(t_stdout)"
}

# tampered NAME ERE CMD...: a copy of the bundle, changed by CMD COPY.
tampered() {
	local name=$1 re=$2
	shift 2
	T_B=$(t_tmpdir)/$(basename "$B")
	cp -a "$B" "$T_B"
	"$@" "$T_B"
	refused "$name" "$re"
}
flip_index() { flip "$1/index" 60; }
flip_index_item() { flip "$1/index" $(($(wc -c <"$1/index") - 20)); }
flip_sig() { flip "$1/index.sig" 30; }
flip_sig_last() {
	# The last base64 character before the padding: a valid character
	# that changes the signature, not its syntax.
	local s
	s=$(cut -d' ' -f2 "$1/index.sig")
	# Values 0, 16, 32, 48 (A, Q, g, w) are the canonical ones there.
	case ${s: -3:1} in A) c=Q ;; *) c=A ;; esac
	printf 'postern-signature/1 %s%s==\n' "${s:0:${#s}-3}" "$c" >"$1/index.sig"
}
flip_age() { flip "$(first_item "$1")" 100; }
flip_age_last() { local f; f=$(first_item "$1"); flip "$f" $(($(wc -c <"$f") - 1)); }
drop_item() { rm -f "$(first_item "$1")"; }
add_foreign() { head -c 100 /dev/urandom >"$1/items/$(rid).age"; }
add_foreign_dir() { mkdir "$1/items/extra"; }
add_item_copy() { cp "$(first_item "$1")" "$1/items/$(rid).age"; }
append_age() { printf 'x' >>"$(first_item "$1")"; }
no_sig() { rm -f "$1/index.sig"; }
empty_sig() { : >"$1/index.sig"; }
index_line() { sed -i '$d' "$1/index"; }
index_grow() { printf 'item %s %s file 0 0 %064d\n' "$(rid)" "$(rid)" 0 >>"$1/index"; }
item_symlink() {
	local f
	f=$(first_item "$1")
	mv "$f" "$1/real"
	ln -s "$1/real" "$f"
}

tampered "a flipped byte in the index" "signature does not verify" flip_index
tampered "a flipped byte in an index line" "signature does not verify" flip_index_item
tampered "a flipped byte in index.sig" "signature|malformed" flip_sig
tampered "another valid signature" "signature does not verify" flip_sig_last
tampered "a flipped byte in an age file" "does not match the signed index" flip_age
tampered "a flipped last byte of an age file" "does not match the signed index" flip_age_last
tampered "a byte appended to an age file" "does not match the signed index" append_age
tampered "an age file removed" "missing" drop_item
tampered "a foreign file added" "foreign" add_foreign
tampered "a copy of an item under a new name" "foreign" add_item_copy
tampered "a folder added to items/" "foreign" add_foreign_dir
tampered "an age file replaced by a symlink" "missing or unreadable" item_symlink
tampered "unsigned (no index.sig)" "not signed" no_sig
tampered "an empty index.sig" "malformed" empty_sig
tampered "the index cut short" "signature does not verify" index_line
tampered "a line added to the index" "signature does not verify" index_grow

# The same refusals with an existing (empty) OUTDIR: it stays empty.
T_B=$(t_tmpdir)/$(basename "$B")
cp -a "$B" "$T_B"
flip_age "$T_B"
refused "a flipped byte in an age file, OUTDIR exists" "does not match" exists

# Signed by the right key, but an index that breaks docs/bundle.md's rules
# (postern-admin never writes one; a compromised server could).
# badidx NAME SPEC...: a bundle of exactly these items, signed.
badidx() {
	local name=$1
	shift
	SPECS=("$@")
	bundle_make
	T_B=$BUNDLE
	refused "$name" "index is malformed"
}
h=$(unix_hour 2026-11-28T18)
# shellcheck disable=SC2086 # RCPTS holds several -r
"$BIN" encrypt $RCPTS -o "$d/m.age" "$d/doc"
# shellcheck disable=SC2086
"$BIN" encrypt $RCPTS -o "$d/f.age" "$d/doc"
sa=$(rid) sb=$(rid)
badidx "an index whose hour is not a whole hour" \
    "manifest:$(rid):$sa:$((h + 60)):$d/m.age"
badidx "an index with a file before its manifest" \
    "file:$(rid):$sa:$h:$d/f.age" "manifest:$(rid):$sa:$h:$d/m.age"
badidx "an index with two manifests for one submission" \
    "manifest:$(rid):$sa:$h:$d/m.age" "manifest:$(rid):$sa:$h:$d/m.age"
badidx "an index with a submission split in two groups" \
    "manifest:$(rid):$sa:$h:$d/m.age" "manifest:$(rid):$sb:$h:$d/m.age" \
    "file:$(rid):$sa:$h:$d/f.age"

# Signed by another server key.
"$MKB" key "$d/other.key" >/dev/null
sub_new "$(rid)" 2026-11-28T17
sub_file "$(rid)" "doc.txt" "$d/doc"
sub_end 'other'
bundle_make "$d/other.key"
T_B=$BUNDLE
refused "a bundle signed by another server key" "signature does not verify"

# Another server's bundle, pinned: it opens with that pin.
"$BIN" trust "$(sed -n 's/^server //p' "$T_B/index")" --trust-file "$d/other.pub" >/dev/null
t_run "$BIN" import "$T_B" -i "$J1" -o "$d/other-out" --trust-file "$d/other.pub"
t_check_rc "the other server's bundle, with its key pinned" 0

# No key pinned: no trust file given, none in $HOME.
T_B=$B
o=$(t_tmpdir)/out
mkdir "$d/home"
t_run env HOME="$d/home" "$BIN" import "$T_B" -i "$J1" -o "$o"
t_check_failure "no server key pinned"
t_check_stderr_has "no server key pinned" "no server key is pinned.*postern-open trust"
t_check_absent "no server key pinned: nothing written" "$o"
t_run "$BIN" import "$T_B" -i "$J1" -o "$o" --trust-file "$d/no-such-file"
t_check_failure "a trust file that does not exist"
t_check_absent "a trust file that does not exist: nothing written" "$o"

# The default trust file, $HOME/.config/postern/server.pub, is used.
t_run env HOME="$d/home" "$BIN" trust "$SPUB"
t_check_rc "trust into the default file" 0
t_run env HOME="$d/home" "$BIN" import "$T_B" -i "$J1" -o "$o"
t_check_rc "import with the default trust file" 0

# A trust file others may write, or that is not one.
cp "$TF" "$d/tf-g"
chmod 664 "$d/tf-g"
T_TF=$d/tf-g
refused "a trust file writable by its group" "others may write"
chmod 606 "$d/tf-g"
refused "a trust file writable by anyone" "others may write"
printf '%s\n' "$R1" >"$d/tf-age"
T_TF=$d/tf-age
refused "a trust file holding an age key" "not a Postern trust file"
{ cat "$TF"; sed -n 's/^server //p' "$T_B/index"; } >"$d/tf-two"
T_TF=$d/tf-two
refused "a trust file with two keys" "not a Postern trust file"
T_TF=

# Not a bundle; an unfinished one.
T_B=$d
refused "a folder that is not a bundle" "not a Postern bundle"
T_B=$d/no-such-bundle
refused "a bundle that does not exist" "not a Postern bundle"
T_B=$(t_tmpdir)/postern-20261128-0123abcd.part
cp -a "$B" "$T_B"
refused "an unfinished bundle (.part)" "unfinished"

t_end
