#!/usr/bin/env bash
# postern-open trust SERVERKEY: the key and its key id shown for
# comparison; the trust file (default $HOME/.config/postern/server.pub,
# folders made 0700) written 0600 with no temporary file left; the same
# key again is fine; another key is refused unless --replace; malformed
# keys are refused and write nothing; usage errors exit 2.
set -u
. tests/lib.sh
. tests/cli/lib-import.sh
t_need_bin
imp_setup

d=$(t_tmpdir)
"$MKB" key "$d/k2" >"$d/k2.pub"
SPUB2=$(cat "$d/k2.pub")
KID=$(keyid "$SPUB")
KID2=$(keyid "$SPUB2")

# --- pinning ---------------------------------------------------------------------
mkdir "$d/t"
t_run "$BIN" trust "$SPUB" --trust-file "$d/t/server.pub"
t_check_rc "trust" 0
t_check "trust: shows the key" "Server key: $SPUB" "$(sed -n 1p "$T_OUT")"
t_check "trust: shows its key id" "Key id:     $KID" "$(sed -n 2p "$T_OUT")"
t_check_match "trust: says where" "^Pinned in $d/t/server.pub" "$(sed -n 3p "$T_OUT")"
t_check "trust: quiet on stderr" "" "$(t_stderr)"
t_check_mode "trust: the file is 0600" 600 "$d/t/server.pub"
t_check_dir "trust: no temporary file" "$d/t" server.pub
t_check "trust: the key line" "$SPUB" "$(grep -v '^#' "$d/t/server.pub")"
t_check "trust: the key id in a comment" "# key id $KID" "$(grep '^# key id' "$d/t/server.pub")"

cp "$d/t/server.pub" "$d/pin.orig"
t_run "$BIN" trust "$SPUB" --trust-file "$d/t/server.pub"
t_check_rc "the same key again" 0
t_check "the same key again: nothing on stderr" "" "$(t_stderr)"
t_check_match "the same key again: says so" "^Already trusted" "$(sed -n 3p "$T_OUT")"
t_check_same "the same key again: file unchanged" "$d/pin.orig" "$d/t/server.pub"

t_run "$BIN" trust "$SPUB2" --trust-file "$d/t/server.pub"
t_check_failure "another key"
t_check_stderr_has "another key" "already pins another server key \(key id $KID\).*--replace"
t_check_same "another key: the pin unchanged" "$d/pin.orig" "$d/t/server.pub"
t_check_dir "another key: no temporary file" "$d/t" server.pub

t_run "$BIN" trust "$SPUB2" --trust-file "$d/t/server.pub" --replace
t_check_rc "another key --replace" 0
t_check "another key --replace: the new key" "$SPUB2" "$(grep -v '^#' "$d/t/server.pub")"
t_check_match "another key --replace: says so" "^Replaced the pin" "$(sed -n 3p "$T_OUT")"
t_check "another key --replace: its key id shown" "Key id:     $KID2" "$(sed -n 2p "$T_OUT")"
t_check_mode "another key --replace: 0600" 600 "$d/t/server.pub"
t_check_dir "another key --replace: no temporary file" "$d/t" server.pub

# A file there that is not a pin is not replaced without --replace.
printf 'my notes\n' >"$d/t/notes"
t_run "$BIN" trust "$SPUB" --trust-file "$d/t/notes"
t_check_failure "a file that is not a pin"
t_check "a file that is not a pin: untouched" "my notes" "$(cat "$d/t/notes")"

# Never through a dangling symlink.
ln -s "$d/t/target" "$d/t/link"
t_run "$BIN" trust "$SPUB" --trust-file "$d/t/link"
t_check_failure "a dangling symlink"
t_check_absent "a dangling symlink: its target not made" "$d/t/target"

# --- the default trust file --------------------------------------------------------
mkdir "$d/home"
t_run env HOME="$d/home" "$BIN" trust "$SPUB"
t_check_rc "trust, default file" 0
t_check "trust, default file: the key" "$SPUB" \
    "$(grep -v '^#' "$d/home/.config/postern/server.pub" 2>&1)"
t_check_mode "trust, default file: ~/.config made 0700" 700 "$d/home/.config"
t_check_mode "trust, default file: ~/.config/postern made 0700" 700 "$d/home/.config/postern"
t_check_mode "trust, default file: 0600" 600 "$d/home/.config/postern/server.pub"
mkdir -p "$d/home2/.config"
chmod 755 "$d/home2/.config"
t_run env HOME="$d/home2" "$BIN" trust "$SPUB"
t_check_rc "trust, ~/.config already there" 0
t_check_mode "trust, ~/.config already there: left as it was" 755 "$d/home2/.config"

# --- keys that are not ---------------------------------------------------------------
bad_last=${SPUB%?}
case ${SPUB: -1} in q) bad_last=${bad_last}p ;; *) bad_last=${bad_last}q ;; esac
i=0
for bad in "$bad_last" "${SPUB%?}" "$R1" "$(printf '%s' "$SPUB" | tr a-z A-Z)x" \
    postern-server1 "" "$(grep AGE-SECRET "$J1")"; do
	i=$((i + 1))
	o=$(t_tmpdir)
	t_run "$BIN" trust "$bad" --trust-file "$o/server.pub"
	t_check_failure "bad key $i ($(printf %.24s "$bad")...)"
	t_check_stderr_has "bad key $i" "not a server key"
	t_check_dir "bad key $i: nothing written" "$o"
done

# --- usage ---------------------------------------------------------------------------
t_run "$BIN" trust
t_check_usage "trust without a key"
t_run "$BIN" trust "$SPUB" "$SPUB2"
t_check_usage "trust with two keys"
t_run "$BIN" trust "$SPUB" --bogus
t_check_usage "trust with an unknown option"
t_run "$BIN" trust "$SPUB" --trust-file
t_check_usage "trust --trust-file without its argument"

t_end
