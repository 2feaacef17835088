#!/usr/bin/env bash
# Uploads through posternd, checked end to end: several files in one
# submission (empty, 50 MiB, UTF-8 and hostile names), every spool file
# opened by both newsroom keys with both postern-open and stock age and
# compared with what was sent, the manifest's fields, and the database
# rows (items, key ids, a whole-hour time).
# shellcheck disable=SC2010,SC2012 # ls -A: the listings are the point
set -u
. tests/lib.sh
. tests/integration/lib-server.sh

srv_init
srv_start || t_end
d=$(t_tmpdir)

# --- the documents ------------------------------------------------------
printf 'Minutes of the board meeting\nItem 1: the budget.\nItem 2: the audit.\n' >"$d/notes"
: >"$d/empty"
# 50 MiB of random bytes behind a fixed head that no magic entry knows.
{ printf '\217\072\021\324\134\002\347\231'; head -c $((50 * 1024 * 1024 - 8)) /dev/urandom; } >"$d/big"
printf 'Kontoauszug fuer den Monat Mai\n' >"$d/utf8"
printf 'root:x:0:0:not really:/root:/bin/sh\n' >"$d/passwd"
printf 'a text file sent with a quoted name\n' >"$d/quoted"
printf 'a text file that claims to be a JPEG\n' >"$d/claims"
printf 'windows path\n' >"$d/win"
printf 'a name with a line break\n' >"$d/nl"

# Curl, like browsers, sends '"' in a file name as %22 and CR, LF as %0D,
# %0A; the manifest has the name as the source saw it.
N_UTF8='Überweisung – 文件 📄.txt'
N_QUOTED="it's \"quoted\".txt"
N_NL=$'two\nlines\r.txt'
N_HTML='<b>bold</b>&amp;.txt'
N_WIN='C:\Users\me\a;b,c.doc'
MESSAGE=$(printf 'Hello newsroom.\nSee the attached files — ünïcödé ✓ and "quotes" \\ backslash.\n')

# curl's -F syntax: a quoted filename with \" and \\ escaped.
fq() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

t0=$(date +%s)
srv_upload -F "message=$MESSAGE" \
    -F "files=@$d/notes;filename=notes.txt" \
    -F "files=@$d/empty;filename=empty.bin" \
    -F "files=@$d/big;filename=big.bin;type=application/octet-stream" \
    -F "files=@$d/utf8;filename=\"$(fq "$N_UTF8")\"" \
    -F "files=@$d/passwd;filename=\"../../etc/passwd\"" \
    -F "files=@$d/quoted;filename=\"$(fq "$N_QUOTED")\"" \
    -F "files=@$d/claims;filename=\"$(fq "$N_HTML")\";type=image/jpeg" \
    -F "files=@$d/win;filename=\"$(fq "$N_WIN")\"" \
    -F "files=@$d/nl;filename=\"$(fq "$N_NL")\""
t1=$(date +%s)
check_receipt "9 files"
check_headers "receipt"
t_check "receipt lists 9 files" 9 "$(grep -c 'class="file-name"' "$R_BODY")"
if grep -q '<b>bold' "$R_BODY"; then
	t_fail "receipt escapes file names" "&lt;b&gt;bold" "$(grep -o '.\{20\}<b>bold.\{20\}' "$R_BODY")"
else
	t_check_match "receipt escapes file names" '&lt;b&gt;bold&lt;/b&gt;&amp;amp;' "$(cat "$R_BODY")"
fi
t_check_match "receipt says the message arrived" 'Your message was received' "$(cat "$R_BODY")"

# --- database and spool ---------------------------------------------------
st=$S_STATE
t_check "one submission row" 1 "$(sql 'SELECT count(*) FROM submissions')"
sub=$(sql 'SELECT id FROM submissions')
t_check_match "submission id is 32 hex digits" '^[0-9a-f]{32}$' "$sub"
t_check "10 items: 9 files and a manifest" "file 9 manifest 1 " \
    "$(sql "SELECT kind, count(*) FROM items WHERE submission = '$sub' GROUP BY kind ORDER BY kind" | tr '|\n' '  ')"
hour=$(sql 'SELECT hour FROM submissions')
t_check "DB hour is a multiple of 3600" 0 "$((hour % 3600))"
if [ "$hour" -ge $((t0 / 3600 * 3600)) ] && [ "$hour" -le "$t1" ]; then
	t_ok "DB hour is the hour of the upload"
else
	t_fail "DB hour is the hour of the upload" "$((t0 / 3600 * 3600))..$t1" "$hour"
fi
t_check "state is pending" pending "$(sql 'SELECT state FROM submissions')"

k1=$(keyid "$S_R1")
k2=$(keyid "$S_R2")
t_check "every item is recorded for both key ids" \
    "$(printf '%s\n%s\n' "$k1" "$k2" | sort | tr '\n' ' ')" \
    "$(sql 'SELECT DISTINCT keyid FROM item_keys ORDER BY keyid' | sort | tr '\n' ' ')"
t_check "item_keys: two keys for each of the 10 items" 20 "$(sql 'SELECT count(*) FROM item_keys')"
t_check "no item misses a key" "" \
    "$(sql 'SELECT id FROM items WHERE (SELECT count(*) FROM item_keys WHERE item = items.id) != 2')"

want_spool=$(sql 'SELECT id FROM items ORDER BY id' | sed 's/$/.age/' | tr '\n' ' ')
t_check "spool holds exactly the 10 items" "$want_spool" "$(ls -A "$st/spool" | LC_ALL=C sort | tr '\n' ' ')"
t_check "tmp is empty" "" "$(ls -A "$st/tmp")"
bad_size=""
for id in $(sql 'SELECT id FROM items'); do
	[ "$(t_size "$st/spool/$id.age")" = "$(sql "SELECT size FROM items WHERE id = '$id'")" ] ||
	    bad_size="$bad_size $id"
done
t_check "DB sizes are the spool files' sizes" "" "$bad_size"
t_check "spool files are mode 600" "600" \
    "$(stat -c %a "$st"/spool/*.age | sort -u | tr '\n' ' ' | sed 's/ $//')"

# --- open everything with both keys and both tools -----------------------
out=$(t_tmpdir)
# opens NAME ITEM: decrypts the item four ways; leaves $out/ITEM.
opens() {
	local item=$2 f=$st/spool/$2.age ok=1
	"$BIN" decrypt -i "$S_KEY1" -o "$out/$item" "$f" 2>"$out/err" || {
		ok=0
		t_fail "$1: postern-open -i key1" "decrypted" "$(cat "$out/err")"
	}
	"$BIN" decrypt -i "$S_KEY2" "$f" >"$out/$item.b" 2>"$out/err" || {
		ok=0
		t_fail "$1: postern-open -i key2 (age-keygen)" "decrypted" "$(cat "$out/err")"
	}
	age -d -i "$S_KEY2" "$f" >"$out/$item.c" 2>"$out/err" || {
		ok=0
		t_fail "$1: age -d -i key2" "decrypted" "$(cat "$out/err")"
	}
	age -d -i "$S_KEY1" "$f" >"$out/$item.d" 2>"$out/err" || {
		ok=0
		t_fail "$1: age -d -i key1 (postern-open keygen)" "decrypted" "$(cat "$out/err")"
	}
	if [ $ok = 1 ] && cmp -s "$out/$item" "$out/$item.b" &&
	    cmp -s "$out/$item" "$out/$item.c" && cmp -s "$out/$item" "$out/$item.d"; then
		t_ok "$1: opens with both keys, postern-open and age alike"
	elif [ $ok = 1 ]; then
		t_fail "$1: the four decryptions agree" "equal bytes" "different outputs"
	fi
	rm -f "$out/$item.b" "$out/$item.c" "$out/$item.d"
}

man=$(sql "SELECT id FROM items WHERE submission = '$sub' AND kind = 'manifest'")
opens "manifest" "$man"
if ! manifest_fields "$out/$man" >"$out/fields"; then
	t_fail "manifest is JSON" "valid JSON" "$(head -c 300 "$out/$man")"
	t_end
fi
t_ok "manifest is JSON"
field() { awk -F '\t' -v k="$1" '$1 == k { print $2; exit }' "$out/fields"; }
t_check "manifest format" "postern-manifest/1" "$(field format)"
t_check "manifest submission is the DB's" "$sub" "$(field submission)"
rh=$(field received_hour)
t_check_match "received_hour is a whole hour" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:00:00Z$' "$rh"
t_check "received_hour is the DB hour" "$hour" "$(date -u -d "$rh" +%s 2>&1)"
t_check "manifest message" "$(hex "$MESSAGE")" "$(field message)"
t_check "manifest lists 9 files" 9 "$(field nfiles)"

# check_file NAME FILE-NAME ORIGINAL TYPE [CLAIMED]: the manifest's entry for
# the name, and the spool item it names, decrypted, equal to ORIGINAL.
check_file() {
	local name=$1 fname=$2 orig=$3 type=$4 claimed=${5:-} line item size
	line=$(awk -F '\t' -v h="$(hex "$fname")" '$1 == "file" && $7 == h' "$out/fields")
	if [ -z "$line" ] || [ "$(printf '%s\n' "$line" | wc -l)" != 1 ]; then
		t_fail "$name: one manifest entry named '$fname'" "one entry" \
		    "$(printf '%s\n' "$line" | wc -l) entries; names: $(cut -f 7 "$out/fields" | tr '\n' ' ')"
		return
	fi
	item=$(printf '%s' "$line" | cut -f 2)
	size=$(t_size "$orig")
	t_check "$name: manifest size" "$size" "$(printf '%s' "$line" | cut -f 3)"
	t_check "$name: detected type" "$type" "$(printf '%s' "$line" | cut -f 4)"
	# Plain text is cleaned (passed through); the other types here have
	# no cleaner and are stored as uploaded.
	if [ "$type" = text/plain ]; then
		t_check "$name: cleaned" "true" "$(printf '%s' "$line" | cut -f 5)"
		t_check "$name: status" "cleaned" "$(printf '%s' "$line" | cut -f 9)"
	else
		t_check "$name: cleaned" "false" "$(printf '%s' "$line" | cut -f 5)"
		t_check "$name: status" "not supported" "$(printf '%s' "$line" | cut -f 9)"
	fi
	t_check "$name: has a report" "report" "$(printf '%s' "$line" | cut -f 8)"
	[ -n "$claimed" ] && t_check "$name: claimed type kept apart" "$claimed" "$(printf '%s' "$line" | cut -f 6)"
	t_check "$name: its item is a file of this submission" "file|$sub" \
	    "$(sql "SELECT kind, submission FROM items WHERE id = '$item'")"
	opens "$name" "$item"
	t_check_same "$name: decrypts to the bytes sent" "$orig" "$out/$item"
	rm -f "$out/$item"
}

check_file "text file" notes.txt "$d/notes" text/plain
check_file "empty file" empty.bin "$d/empty" application/x-empty
check_file "50 MiB file" big.bin "$d/big" application/octet-stream
check_file "UTF-8 name" "$N_UTF8" "$d/utf8" text/plain
check_file "name ../../etc/passwd" "../../etc/passwd" "$d/passwd" text/plain
check_file "name with quotes" "$N_QUOTED" "$d/quoted" text/plain
check_file "type from the bytes, not the name or Content-Type" "$N_HTML" "$d/claims" text/plain image/jpeg
check_file "Windows path name" "$N_WIN" "$d/win" text/plain
check_file "name with CR and LF" "$N_NL" "$d/nl" text/plain

# Hostile names stay data: nothing outside the spool, no such file anywhere.
t_check "state dir holds only the database, spool and tmp" "" \
    "$(ls -A "$st" | grep -Ev '^(postern\.db(-wal|-shm)?|spool|tmp)$')"
t_check "no file named passwd under the state dir" "" "$(find "$st" -name 'passwd*' -o -name '*.txt' -o -name '*.doc')"
t_check_match "every spool name is <32 hex>.age" '^$' "$(ls -A "$st/spool" | grep -Ev '^[0-9a-f]{32}\.age$')"

# --- a message alone, and a file alone -----------------------------------
srv_upload -F "message=only a message, no files"
check_receipt "message only"
srv_upload -F "files=@$d/notes;filename=alone.txt"
check_receipt "file only"
t_check_match "receipt: no message" 'You did not write a message' "$(cat "$R_BODY")"
t_check "3 submissions" "3" "$(sql 'SELECT count(*) FROM submissions')"
for s in $(sql "SELECT id FROM submissions WHERE id != '$sub'"); do
	m=$(sql "SELECT id FROM items WHERE submission = '$s' AND kind = 'manifest'")
	"$BIN" decrypt -i "$S_KEY1" -o "$out/m-$s" "$S_STATE/spool/$m.age" 2>/dev/null
	manifest_fields "$out/m-$s" >"$out/f-$s" 2>/dev/null
	n=$(awk -F '\t' '$1 == "nfiles" { print $2 }' "$out/f-$s")
	msg=$(awk -F '\t' '$1 == "message" { print $2 }' "$out/f-$s")
	case $n:$msg in
	0:"$(hex "only a message, no files")") t_ok "manifest of the message-only submission" ;;
	1:) t_ok "manifest of the file-only submission (empty message)"
	    t_check "file-only submission: 2 items" 2 "$(sql "SELECT count(*) FROM items WHERE submission = '$s'")" ;;
	*) t_fail "manifest of a later submission" "0 files and the message, or 1 file and no message" "$n files, message $msg" ;;
	esac
done
t_check "tmp is still empty" "" "$(ls -A "$st/tmp")"

srv_stop
t_check "posternd exits 0 on SIGTERM" 0 "$S_EXIT"
t_check_match "log says it stopped" 'stopping' "$(cat "$S_LOG")"
t_end
