#!/usr/bin/env bash
# The age test kit (C2SP CCTV, $SHARED/reference/age/testkit) through the
# command line: every X25519 vector is decrypted with
# `postern-open decrypt -i KEYFILE`, once to -o and once to stdout.
#   success:  exit 0 and the plaintext's SHA-256 is the vector's payload;
#   failures: exit 1, one "postern-open: " line, no OUT and no temporary
#             file; on stdout nothing, or (payload failures only) at most
#             the chunks the kit says may have been released.
# Skipped: passphrase (scrypt) vectors, which need a passphrase the CLI
# interface does not take, and post-quantum (AGE-SECRET-KEY-PQ-) ones.
set -u
. tests/lib.sh
t_need_bin
t_need sha256sum

KIT=$SHARED/reference/age/testkit
EMPTY_SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
if [ ! -d "$KIT" ]; then
	t_fail "test kit" "a directory $KIT" "missing"
	t_end
fi

# inflate: zlib (RFC 1950) from stdin to stdout, with whatever is here.
if perl -MCompress::Zlib -e 1 2>/dev/null; then
	inflate() { perl -MCompress::Zlib -e 'binmode STDIN; binmode STDOUT; local $/; my $o = uncompress(<STDIN>); defined $o or exit 1; print $o'; }
elif command -v python3 >/dev/null 2>&1; then
	inflate() { python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))'; }
elif command -v zlib-flate >/dev/null 2>&1; then
	inflate() { zlib-flate -uncompress; }
else
	t_fail "a zlib inflater" "perl Compress::Zlib, python3 or zlib-flate" "none"
	t_end
fi

d=$(t_tmpdir)
# For the two vectors without an identity: any key will do.
"$BIN" keygen --unprotected -o "$d/any-key" 2>/dev/null
n_run=0
n_skip=0

for f in "$KIT"/*; do
	v=${f##*/}
	[ "$v" = README.md ] && continue
	sed -n '/^$/q;p' "$f" >"$d/hdr"
	# Kit rule: ignore vectors with keys we do not know.
	if grep -qvE '^(expect|payload|file key|identity|passphrase|armored|comment|compressed): ' "$d/hdr"; then
		n_skip=$((n_skip + 1))
		continue
	fi
	if grep -q '^passphrase: ' "$d/hdr" || grep -q '^identity: AGE-SECRET-KEY-PQ-' "$d/hdr"; then
		n_skip=$((n_skip + 1))
		continue
	fi
	expect=$(sed -n 's/^expect: //p' "$d/hdr")
	payload=$(sed -n 's/^payload: //p' "$d/hdr")
	sed -n 's/^identity: //p' "$d/hdr" >"$d/key"
	[ -s "$d/key" ] || cp "$d/any-key" "$d/key"
	hlen=$(($(wc -c <"$d/hdr") + 1))
	if grep -q '^compressed: zlib' "$d/hdr"; then
		if ! tail -c +$((hlen + 1)) "$f" | inflate >"$d/in"; then
			t_fail "$v: inflate" "zlib data" "could not inflate"
			continue
		fi
	else
		tail -c +$((hlen + 1)) "$f" >"$d/in"
	fi
	n_run=$((n_run + 1))

	od=$(t_tmpdir)
	t_run "$BIN" decrypt -i "$d/key" -o "$od/out" "$d/in"
	if [ "$expect" = success ]; then
		t_check_rc "$v ($expect), -o" 0
		t_check "$v: payload" "$payload" "$([ -f "$od/out" ] && sha256sum <"$od/out" | cut -d' ' -f1)"
		t_check_dir "$v: only OUT in its directory" "$od" out
	else
		t_check_failure "$v ($expect), -o"
		t_check_dir "$v: no OUT, no temp file" "$od"
	fi

	t_run "$BIN" decrypt -i "$d/key" "$d/in"
	got=$(sha256sum <"$T_OUT" | cut -d' ' -f1)
	if [ "$expect" = success ]; then
		t_check_rc "$v ($expect), stdout" 0
		t_check "$v: payload on stdout" "$payload" "$got"
	else
		t_check_failure "$v ($expect), stdout"
		if [ "$got" = "$EMPTY_SHA" ] || { [ -n "$payload" ] && [ "$got" = "$payload" ]; }; then
			t_ok "$v: stdout holds nothing unauthenticated"
		else
			t_fail "$v: stdout" "nothing${payload:+, or the released prefix $payload}" \
			    "$(t_size "$T_OUT") bytes, sha256 $got"
		fi
	fi
	rm -f "$d/in" "$d/key" "$od/out"
done

echo "# test kit: $n_run vectors run, $n_skip skipped (passphrase, post-quantum or unknown keys)"
t_check "test kit: vectors run" 98 "$n_run"
t_end
