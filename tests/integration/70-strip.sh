#!/usr/bin/env bash
# 70-strip.sh — metadata stripping through the real posternd and
# postern-open: uploads of a text file (cleaned, identical), a file of a
# type with no cleaner (stored as uploaded, NOT CLEANED, identical), a
# JPEG with an Exif marker (cleaned: the marker is gone, the picture
# stays), a damaged JPEG (NOT CLEANED), a name that disagrees with the
# content (a warning); then "uncleanable = refuse" (415 naming the file,
# nothing kept) and "keep_original = yes" (both files, REPORT.txt says
# which is which). Also: the strip broker and its jobs end with posternd,
# and posternd keeps serving after a sandboxed child is killed.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/integration/lib-server.sh
t_need_bin
t_need exiftool
ADM=$BUILD/postern-admin
OPEN=$BUILD/postern-open
CONVERT=/usr/bin/convert
[ -x "$ADM" ] || { t_fail "set-up" "$ADM" "missing"; t_end; }
[ -x "$CONVERT" ] || { t_fail "set-up" "$CONVERT (imagemagick)" "missing"; t_end; }

W=$T_TMP/strip
F=$W/files
mkdir -p "$F" "$W/usb"
MK=MKMstripExif$$

# --- the documents -------------------------------------------------------
printf 'a plain text document\nline two\n' >"$F/notes.txt"
head -c 4000 /dev/urandom >"$F/data.bin"
"$CONVERT" -size 48x32 gradient:red-blue "$F/photo.jpg" 2>/dev/null
exiftool -q -overwrite_original -Artist="$MK" -Make="$MK" -Model="$MK" \
    -ImageDescription="$MK" "$F/photo.jpg" >/dev/null 2>&1
t_check "set-up: the JPEG holds the marker" 1 "$(grep -a -c -m1 "$MK" "$F/photo.jpg")"
# A JPEG whose first segment runs past the end of the file.
printf '\xff\xd8\xff\xe1\xff\xffdamaged' >"$F/broken.jpg"
cp "$F/photo.jpg" "$F/photo-as.txt"

# The same sandbox on the command line, for comparing bytes later.
rm -f "$W/clean-probe.jpg"
t_run "$BUILD/postern-clean" "$F/photo.jpg" "$W/clean-probe.jpg"
t_check_rc "set-up: postern-clean cleans the JPEG" 0

# --- a server, its signing key, a journalist who trusts it ---------------
srv_init
adm() { t_run "$ADM" -c "$S_CONF" "$@"; }
srv_start || t_end
curl -s --max-time 10 "$S_URL/" >"$W/index.html"
t_check_match "the page: files that cannot be cleaned are stored, marked" \
    'are stored as you send them' "$(cat "$W/index.html")"
t_check "the page: no word of originals when none are kept" "" \
    "$(grep -o 'untouched copy' "$W/index.html")"
adm server-key init
t_check_rc "server-key init" 0
adm server-key show
SK=$(grep -o 'postern-server1[a-z0-9]*' "$T_OUT" | head -n 1)
t_run "$OPEN" trust "$SK" --trust-file "$W/server.pub"
t_check_rc "the journalist pins the server key" 0

# export_import NAME: export the queue and import it into $W/out-NAME;
# FOLDER is the one new submission folder.
export_import() {
	rm -rf "$W/usb" && mkdir -p "$W/usb"
	adm queue export "$W/usb"
	t_check_rc "$1: export" 0
	t_run "$OPEN" import "$(ls -d "$W/usb"/postern-* | head -n 1)" -i "$S_KEY1" \
	    -o "$W/out-$1" --trust-file "$W/server.pub"
	t_check_rc "$1: import" 0
	FOLDER=$(find "$W/out-$1" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | head -n 1)
	REPORT=$FOLDER/REPORT.txt
}

# block NAME: the lines of REPORT.txt about the file saved as NAME.
block() {
	awk -v n="  Saved as:       $1" '/^File [0-9]+ of/ { b = "" }
	    { b = b $0 "\n" } $0 == n { p = 1 }
	    p && /^  Opened with:/ { printf "%s", b; exit }' "$REPORT"
}

# --- one submission of every kind -----------------------------------------
srv_upload -F "message=five files" -F "files=@$F/notes.txt" \
    -F "files=@$F/data.bin" -F "files=@$F/photo.jpg;type=image/jpeg" \
    -F "files=@$F/broken.jpg" -F "files=@$F/photo-as.txt;type=text/plain"
check_receipt "five files"
rows=$(grep -o '<li><span class="file-name">[^<]*</span> <span class="file-size">[^<]*</span> <span class="file-status [a-z]*">[^<]*</span>' "$R_BODY")
row() { printf '%s\n' "$rows" | grep -F ">$1<" | sed 's/.*<span class="file-status \([a-z]*\)">\([^<]*\)<.*/\1: \2/'; }
t_check "receipt: the text file is cleaned" "ok: metadata removed" "$(row notes.txt)"
t_check "receipt: the binary file is not" "warn: NOT cleaned: stored as uploaded, with its metadata" "$(row data.bin)"
t_check "receipt: the damaged JPEG is not" "warn: NOT cleaned: stored as uploaded, with its metadata" "$(row broken.jpg)"
t_check "receipt: the JPEG is cleaned" "ok: metadata removed" "$(row photo.jpg)"
t_check "nothing of it is plaintext in the state dir" "" "$(grep -r -a -l -e "$MK" -e 'a plain text document' "$S_STATE" 2>/dev/null)"

export_import five
t_check "text file: byte-identical" "same" "$(cmp -s "$FOLDER/notes.txt" "$F/notes.txt" && echo same)"
t_check "text file: report" "  Result:         cleaned: nothing to remove" "$(block notes.txt | grep '^  Result:')"
t_check "text file: detected type" "  Detected type:  text/plain (from its bytes, on the server)" "$(block notes.txt | grep '^  Detected type:')"
t_check "binary file: byte-identical" "same" "$(cmp -s "$FOLDER/data.bin" "$F/data.bin" && echo same)"
t_check "binary file: NOT CLEANED and why" \
    "  Result:         NOT CLEANED: no cleaner for this type (stored as uploaded)" \
    "$(block data.bin | grep '^  Result:')"
t_check "binary file: Cleaned: NO" "  Cleaned:        NO -- WARNING: its metadata was NOT removed" "$(block data.bin | grep '^  Cleaned:')"
t_check "damaged JPEG: stored as uploaded" "same" "$(cmp -s "$FOLDER/broken.jpg" "$F/broken.jpg" && echo same)"
t_check_match "damaged JPEG: NOT CLEANED with the cleaner's reason" \
    '^  Result:         NOT CLEANED: .+ \(stored as uploaded\)$' "$(block broken.jpg | grep '^  Result:')"
t_check_match "a warning for the files not cleaned" '^WARNING: [23] of 5 files were NOT CLEANED' "$(grep '^WARNING' "$REPORT")"
t_check "JPEG: the Exif marker is gone" 0 "$(grep -a -c "$MK" "$FOLDER/photo.jpg")"
t_check "JPEG: no marker in exiftool's view" "" "$(exiftool -a -u -g1 "$FOLDER/photo.jpg" 2>&1 | grep "$MK")"
t_check "JPEG: still a 48x32 picture" "JPEG 48x32" "$(identify -format '%m %wx%h' "$FOLDER/photo.jpg" 2>&1)"
t_check "JPEG: the same bytes as postern-clean gives" "same" "$(cmp -s "$FOLDER/photo.jpg" "$W/clean-probe.jpg" && echo same)"
t_check_match "JPEG: the report names what was removed" '^  Result:         cleaned: removed .+' "$(block photo.jpg | grep '^  Result:')"
t_check "JPEG: cleaned" "  Cleaned:        yes" "$(block photo.jpg | grep '^  Cleaned:')"
t_check_match "a JPEG named .txt: a warning" "extension does not match" "$(block photo-as.txt | grep -A2 '^  Warnings:')"
t_check_match "a JPEG sent as text/plain: a warning" "Content-Type does not match" "$(block photo-as.txt | grep -A2 '^  Warnings:')"
t_check "a JPEG named .txt: cleaned as a JPEG" "  Detected type:  image/jpeg (from its bytes, on the server)" "$(block photo-as.txt | grep '^  Detected type:')"

# --- the sandboxed child killed mid-job: not cleaned, and posternd goes on -
BROKER=$(ps -o pid= --ppid "$S_PID" | tr -d ' ' | head -n 1)
t_check "one strip broker, posternd's child" "postern-broker" "$(ps -o comm= -p "${BROKER:-0}" 2>/dev/null)"
head -c 300M /dev/zero | tr '\0' 'a' >"$W/big.txt"
srv_token
curl -s -o "$W/big.body" -w '%{http_code}' --max-time 300 -F "token=$TOKEN" \
    -F "files=@$W/big.txt" "$S_URL/submit" >"$W/big.code" 2>/dev/null &
CURL=$!
srv_bg $CURL
JOBS='' killed=''
for _ in $(seq 1 3000); do
	for j in $(ps -o pid= --ppid "$BROKER" 2>/dev/null); do
		case " $JOBS " in *" $j "*) ;; *) JOBS="$JOBS $j" ;; esac
		c=$(ps -o pid= --ppid "$j" 2>/dev/null | tr -d ' ' | head -n 1)
		if [ -n "$c" ] && kill -KILL "$c" 2>/dev/null; then
			killed=$c
			break 2
		fi
	done
	kill -0 $CURL 2>/dev/null || break
	sleep 0.02
done
wait $CURL
srv_bg_done $CURL
if [ -n "$killed" ]; then
	t_ok "a sandboxed child was killed mid-job (pid $killed)"
	t_check "its upload still gets a receipt" 200 "$(cat "$W/big.code")"
	t_check_match "its file is marked not cleaned" 'NOT cleaned' "$(cat "$W/big.body")"
else
	t_fail "kill a sandboxed child mid-job" "one found under the broker" "none seen (code $(cat "$W/big.code"))"
fi
rm -f "$W/big.txt"
check_upload_works "after the kill"
# The job processes are gone once their jobs are.
for _ in $(seq 1 50); do
	left=''
	for j in $JOBS; do kill -0 "$j" 2>/dev/null && left="$left $j"; done
	[ -z "$left" ] && break
	sleep 0.1
done
t_check "job processes end with their jobs" "" "$left"

# --- no process left after posternd stops --------------------------------
srv_stop
t_check "posternd stopped cleanly" 0 "$S_EXIT"
for _ in $(seq 1 50); do kill -0 "$BROKER" 2>/dev/null || break; sleep 0.1; done
t_check "the broker ends with posternd" "gone" "$(kill -0 "$BROKER" 2>/dev/null || echo gone)"
# A crash too: the broker must not outlive a killed posternd.
srv_start || t_end
BROKER=$(ps -o pid= --ppid "$S_PID" | tr -d ' ' | head -n 1)
srv_kill9
for _ in $(seq 1 50); do kill -0 "$BROKER" 2>/dev/null || break; sleep 0.1; done
t_check "the broker ends when posternd is killed" "gone" "$(kill -0 "${BROKER:-0}" 2>/dev/null || echo gone)"

# --- uncleanable = refuse -----------------------------------------------
srv_set uncleanable refuse
srv_start || t_end
t_check_match "refuse: the page says such files are not accepted" \
    'are not accepted' "$(curl -s --max-time 10 "$S_URL/")"
before=$(srv_snapshot)
srv_upload -F "message=refuse me" -F "files=@$F/notes.txt" -F "files=@$F/data.bin;filename=secret plans.bin"
check_error "refuse" 415 'could not be cleaned'
t_check_match "refuse: the page names the file" 'The file &quot;secret plans.bin&quot; could not be cleaned of identifying data, and this server does not accept such files' \
    "$(tr '\n' ' ' <"$R_BODY")"
check_unchanged "refuse" "$before"
t_check "refuse: the log does not name it" "" "$(grep -a 'secret plans' "$S_LOG")"
srv_upload -F "message=clean only" -F "files=@$F/notes.txt"
check_receipt "refuse: a file that cleans is still accepted"
srv_stop
srv_set uncleanable store

# --- keep_original = yes ------------------------------------------------------
rm -rf "$S_STATE"
srv_set keep_original yes
srv_start || t_end
t_check_match "keep_original: the page tells sources" \
    'untouched copy of every file with its hidden information' \
    "$(curl -s --max-time 10 "$S_URL/")"
adm server-key init
t_check_rc "keep_original: server-key init" 0
adm server-key show
SK=$(grep -o 'postern-server1[a-z0-9]*' "$T_OUT" | head -n 1)
rm -f "$W/server.pub"
t_run "$OPEN" trust "$SK" --trust-file "$W/server.pub"
srv_upload -F "message=keep originals" -F "files=@$F/notes.txt" -F "files=@$F/data.bin"
check_receipt "keep_original"
t_check "keep_original: 1 manifest + 2 files + 1 original" "4" \
    "$(sql "SELECT count(*) FROM items")"
export_import keep
t_check "keep_original: the cleaned file" "same" "$(cmp -s "$FOLDER/notes.txt" "$F/notes.txt" && echo same)"
t_check "keep_original: the original, under a marked name" "same" \
    "$(cmp -s "$FOLDER/notes.ORIGINAL-NOT-CLEANED.txt" "$F/notes.txt" && echo same)"
t_check "keep_original: no original for a file not cleaned" "" "$(ls "$FOLDER" | grep 'data.*ORIGINAL')"
t_check_match "keep_original: REPORT.txt says which is which" \
    '^  Original:       notes.ORIGINAL-NOT-CLEANED.txt -- the file as uploaded, NOT CLEANED' \
    "$(block notes.txt | grep '^  Original:')"
t_check_match "keep_original: REPORT.txt explains it" '^NOTE: the server keeps originals' "$(grep '^NOTE' "$REPORT")"
t_check "keep_original: the folder" "REPORT.txt data.bin message.txt notes.ORIGINAL-NOT-CLEANED.txt notes.txt" \
    "$(ls "$FOLDER" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
srv_stop
t_end
