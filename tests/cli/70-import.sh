#!/usr/bin/env bash
# postern-open import: a signed bundle of two submissions becomes two
# folders (YYYY-MM-DD-<8 hex>) of byte-identical files, message.txt and
# REPORT.txt, plus a receipt; two journalists import with their own keys;
# a passphrase-protected identity works with --passphrase-fd; importing
# again skips what is already there (folder or record) and writes a new
# receipt; an item encrypted to another key fails its submission only;
# leftovers of an interrupted import are removed; a running import locks
# the folder; usage errors exit 2.
set -u
. tests/lib.sh
. tests/cli/lib-import.sh
t_need_bin
t_need cmp flock
imp_setup

d=$(t_tmpdir)
PW=$d/pw
printf 'a long passphrase for the third key\n' >"$PW"
J3=$d/j3.age
"$BIN" keygen -o "$J3" --passphrase-fd 3 3<"$PW" 2>"$d/j3.err"
R3=$(sed -n 's/^Public key: //p' "$d/j3.err")
K3=$(keyid "$R3")
RCPTS="-r $R1 -r $R2 -r $R3"

# --- the bundle: two submissions on two days -------------------------------
printf 'the first document\n' >"$d/doc.txt"
head -c 200000 /dev/urandom >"$d/big.bin"
: >"$d/empty"
head -c 70000 /dev/urandom >"$d/photo.jpg"
S1=$(rid) S2=$(rid)
I1=$(rid) I2=$(rid) I3=$(rid) I4=$(rid)
sub_new "$S1" 2026-11-28T15
sub_file "$I1" "doc.txt" "$d/doc.txt" false text/plain '"text/plain"'
sub_file "$I2" "big.bin" "$d/big.bin" false application/octet-stream null
sub_file "$I3" "empty" "$d/empty" false inode/x-empty null
sub_end 'Hello,\nthese are the papers. \u00e9t\u00e9 \"quoted\"\n'
sub_new "$S2" 2026-11-29T03
sub_file "$I4" "photo.jpg" "$d/photo.jpg" true image/jpeg '"image/jpeg"'
sub_end ''
bundle_make
B=$BUNDLE
BID=$(sed -n 's/^bundle //p' "$B/index")
t_check_match "set-up: a bundle" '^[0-9a-f]{32}$' "$BID"
bsum=$(tree_sum "$B"; ls -A "$B" "$B/items")
F1=2026-11-28-${S1:0:8}
F2=2026-11-29-${S2:0:8}

# --- the whole import ---------------------------------------------------------
O=$d/out1
t_run "$BIN" import "$B" -i "$J1" -o "$O" --trust-file "$TF"
t_check_rc "import" 0
t_check "import: stdout is the receipt's path" "$O/receipt-$BID.txt" "$(t_stdout)"
t_check_stderr_has "import: says what it imported" "$F1: imported"
t_check_stderr_has "import: both" "$F2: imported"
if grep -q importing "$T_ERR"; then
	t_fail "import: no progress line when stderr is not a terminal" "none" "$(t_stderr)"
else
	t_ok "import: no progress line when stderr is not a terminal"
fi
t_check_dir "import: OUTDIR holds two folders, the record and the receipt" "$O" \
    "$F1" "$F2" .postern-imported "receipt-$BID.txt"
t_check_mode "import: OUTDIR made 0700" 700 "$O"
t_check_dir "submission 1: its files, message and report" "$O/$F1" \
    doc.txt big.bin empty message.txt REPORT.txt
t_check_dir "submission 2: its file, message and report" "$O/$F2" \
    photo.jpg message.txt REPORT.txt
t_check_mode "submission folder 0700" 700 "$O/$F1"
for f in doc.txt big.bin empty; do
	t_check_same "submission 1: $f byte-identical" "$d/$f" "$O/$F1/$f"
	t_check_mode "submission 1: $f mode 0600" 600 "$O/$F1/$f"
done
t_check_same "submission 2: photo.jpg byte-identical" "$d/photo.jpg" "$O/$F2/photo.jpg"
printf 'Hello,\nthese are the papers. \xc3\xa9t\xc3\xa9 "quoted"\n' >"$d/msg1"
t_check_same "message.txt: the message byte for byte" "$d/msg1" "$O/$F1/message.txt"
t_check "message.txt: an empty message is an empty file" 0 "$(t_size "$O/$F2/message.txt")"
t_check_mode "message.txt mode 0600" 600 "$O/$F1/message.txt"
t_check_mode "REPORT.txt mode 0600" 600 "$O/$F1/REPORT.txt"

# REPORT.txt, line by line.
rep=$O/$F1/REPORT.txt
has() {
	if grep -qxF -- "$2" "$rep"; then
		t_ok "$1"
	else
		t_fail "$1" "a line '$2' in $rep" "$(cat "$rep")"
	fi
}
has "report: submission id" "Submission:     $S1"
has "report: received hour" "Received:       2026-11-28T15:00:00Z (the hour it arrived, UTC)"
has "report: bundle id" "Bundle:         $BID"
has "report: manifest opened with key 1" "Manifest:       opened with key id $K1"
has "report: message" "Message:        message.txt ($(t_size "$d/msg1") bytes)"
has "report: file count" "Files:          3"
has "report: file 1 saved as" "  Saved as:       doc.txt"
has "report: file 1 original name" '  Original name:  "doc.txt"'
has "report: file 1 detected type" "  Detected type:  text/plain (from its bytes, on the server)"
has "report: file 1 claimed type" "  Claimed type:   text/plain (what the source's browser said)"
has "report: file 2 no claimed type" "  Claimed type:   (none sent) (what the source's browser said)"
has "report: file 2 size" "  Size:           200000 bytes saved; 200000 bytes as uploaded"
has "report: file 3 empty" "  Size:           0 bytes saved; 0 bytes as uploaded"
has "report: not cleaned" "  Cleaned:        NO -- WARNING: its metadata was NOT removed"
has "report: the cleaning report" "  Report:         NOT CLEANED: not cleaned yet (metadata stripping is not available in this version); stored as uploaded"
has "report: opened with key 1" "  Opened with:    key id $K1"
t_check_match "report: a warning that files were not cleaned" \
    '^WARNING: 3 of 3 files were NOT CLEANED' "$(grep '^WARNING' "$rep")"
t_check "report: each file once" 3 "$(grep -c '^  Saved as:' "$rep")"
rep=$O/$F2/REPORT.txt
has "report 2: cleaned" "  Cleaned:        yes"
has "report 2: what was removed" "  Report:         removed: Author, Creator, GPS position"
t_check "report 2: no warning when every file was cleaned" "" "$(grep '^WARNING' "$rep")"
has "report 2: received the next day" "Received:       2026-11-29T03:00:00Z (the hour it arrived, UTC)"

# The receipt.
t_check "receipt: content" \
    "$(printf 'postern-receipt/1\nbundle %s\nimported %s\nimported %s\ncount 2' "$BID" "$S1" "$S2")" \
    "$(cat "$O/receipt-$BID.txt")"
t_check_mode "receipt: mode 0600" 600 "$O/receipt-$BID.txt"
t_check "record: lists both submissions" "$S1 $F1 $S2 $F2" \
    "$(grep -v '^#' "$O/.postern-imported" | tr '\n' ' ' | sed 's/ $//')"
t_check "the bundle is left as it was" "$bsum" "$(tree_sum "$B"; ls -A "$B" "$B/items")"

# --- importing again -----------------------------------------------------------
before=$(tree_sum "$O" | grep -v -e receipt -e postern-imported)
t_run "$BIN" import "$B" -i "$J1" -o "$O" --trust-file "$TF"
t_check_rc "import again" 0
t_check_stderr_has "import again: says skipped" "$F1: already imported, skipped"
t_check "import again: nothing changed" "$before" \
    "$(tree_sum "$O" | grep -v -e receipt -e postern-imported)"
t_check "import again: a second receipt beside the first" "$O/receipt-$BID-2.txt" "$(t_stdout)"
t_check "import again: the second receipt lists both" \
    "$(printf 'postern-receipt/1\nbundle %s\nimported %s\nimported %s\ncount 2' "$BID" "$S1" "$S2")" \
    "$(cat "$O/receipt-$BID-2.txt" 2>&1)"
t_check_dir "import again: no new folder" "$O" "$F1" "$F2" .postern-imported \
    "receipt-$BID.txt" "receipt-$BID-2.txt"

# A folder moved away: the record still knows it was imported.
mv "$O/$F1" "$d/moved"
t_run "$BIN" import "$B" -i "$J1" -o "$O" --trust-file "$TF"
t_check_rc "import after a folder was moved away" 0
t_check_absent "the record keeps it from being imported twice" "$O/$F1"
mv "$d/moved" "$O/$F1"

# The record lost: the folders themselves say what was imported.
rm "$O/.postern-imported" "$O"/receipt-*
t_run "$BIN" import "$B" -i "$J1" -o "$O" --trust-file "$TF"
t_check_rc "import without the record" 0
t_check_stderr_has "import without the record: skipped" "$F2: already imported, skipped"
t_check "import without the record: nothing changed" "$before" \
    "$(tree_sum "$O" | grep -v -e receipt -e postern-imported)"
t_check "import without the record: the record made again" 2 \
    "$(grep -vc '^#' "$O/.postern-imported")"
t_check "import without the record: the receipt lists both" 2 \
    "$(grep -c '^imported ' "$O/receipt-$BID.txt")"

# A folder of that name that holds something else: that submission fails.
O=$d/out-clash
mkdir -p "$O/$F1"
printf 'mine\n' >"$O/$F1/notes.txt"
t_run "$BIN" import "$B" -i "$J1" -o "$O" --trust-file "$TF"
t_check_rc "a folder of the same name, not ours" 1
t_check "a folder of the same name, not ours: one failure reported" 1 \
    "$(grep -c '^postern-open: ' "$T_ERR")"
t_check_stderr_has "a folder of the same name: says so" "$S1: .*already exists"
t_check "a folder of the same name: left alone" "mine" "$(cat "$O/$F1/notes.txt")"
t_check_dir "a folder of the same name: the other submission imported" "$O" \
    "$F1" "$F2" .postern-imported "receipt-$BID.txt"
t_check "a folder of the same name: the receipt lists only the other" \
    "imported $S2" "$(grep '^imported' "$O/receipt-$BID.txt")"

# --- two journalists, each with their own key ----------------------------------
O=$d/out2
t_run "$BIN" import "$B" -i "$J2" -o "$O" --trust-file "$TF"
t_check_rc "journalist 2 imports" 0
t_check_same "journalist 2: big.bin byte-identical" "$d/big.bin" "$O/$F1/big.bin"
t_check_same "journalist 2: message byte-identical" "$d/msg1" "$O/$F1/message.txt"
t_check "journalist 2: REPORT.txt names key 2" "  Opened with:    key id $K2" \
    "$(grep -m 1 '^  Opened with:' "$O/$F1/REPORT.txt")"
O=$d/out12
t_run "$BIN" import "$B" -i "$J1" -i "$J2" -o "$O" --trust-file "$TF"
t_check_rc "both keys given" 0
t_check "both keys given: REPORT.txt names both" "  Opened with:    key ids $K1, $K2" \
    "$(grep -m 1 '^  Opened with:' "$O/$F2/REPORT.txt")"
t_check "both keys given: for the manifest too" "Manifest:       opened with key ids $K1, $K2" \
    "$(grep '^Manifest:' "$O/$F2/REPORT.txt")"

# --- a passphrase-protected identity -------------------------------------------
O=$d/out3
t_run "$BIN" import "$B" -i "$J3" -o "$O" --trust-file "$TF" --passphrase-fd 3 3<"$PW"
t_check_rc "protected identity (--passphrase-fd)" 0
t_check_same "protected identity: doc.txt" "$d/doc.txt" "$O/$F1/doc.txt"
t_check "protected identity: REPORT.txt names key 3" "  Opened with:    key id $K3" \
    "$(grep -m 1 '^  Opened with:' "$O/$F1/REPORT.txt")"
printf 'not the passphrase\n' >"$d/badpw"
O=$d/out3bad
t_run "$BIN" import "$B" -i "$J3" -o "$O" --trust-file "$TF" --passphrase-fd 3 3<"$d/badpw"
t_check_failure "protected identity, wrong passphrase"
t_check_stderr_has "protected identity, wrong passphrase" "incorrect passphrase for .*j3\.age"
t_check_absent "protected identity, wrong passphrase: nothing written" "$O"
t_run setsid -w "$BIN" import "$B" -i "$J3" -o "$O" --trust-file "$TF"
t_check_failure "protected identity, no terminal and no --passphrase-fd"
t_check_stderr_has "protected identity, no terminal" "passphrase-fd"
t_check_absent "protected identity, no terminal: nothing written" "$O"
# An item swapped after the bundle was verified (a medium that changes
# what it returns), for another valid age file to the same key: the bytes
# decrypted are hashed again, and that submission is refused. The import
# waits for the passphrase on a FIFO while the item is swapped.
BT=$(t_tmpdir)/$(basename "$B")
cp -a "$B" "$BT"
printf 'not what the source sent\n' >"$d/evil"
"$BIN" encrypt -r "$R3" -o "$d/evil.age" "$d/evil"
mkfifo "$d/pwfifo"
O=$d/out-swap
"$BIN" import "$BT" -i "$J3" -o "$O" --trust-file "$TF" --passphrase-fd 3 \
    3<>"$d/pwfifo" >"$T_OUT" 2>"$T_ERR" &
pid=$!
for _ in $(seq 1 100); do
	case $(cat "/proc/$pid/wchan" 2>/dev/null) in *pipe_read*) break ;; esac
	sleep 0.1
done
cp "$d/evil.age" "$BT/items/$I1.age"
cat "$PW" >"$d/pwfifo"
T_RC=0
wait "$pid" || T_RC=$?
t_check_rc "an item swapped after verification" 1
t_check_stderr_has "an item swapped after verification" \
    "submission $S1: item $I1 changed after the bundle was verified"
t_check_dir "an item swapped after verification: only the other submission" \
    "$O" "$F2" .postern-imported "receipt-$BID.txt"
# decrypt takes the same identity, and the bundle's items open with it.
t_run "$BIN" decrypt -i "$J3" --passphrase-fd 3 -o "$d/big.out" "$B/items/$I2.age" 3<"$PW"
t_check_rc "decrypt -i protected --passphrase-fd" 0
t_check_same "decrypt -i protected: plaintext" "$d/big.bin" "$d/big.out"

# --- an item this journalist cannot open ---------------------------------------
age-keygen -o "$d/other" 2>/dev/null
RO=$(age-keygen -y "$d/other")
S3=$(rid) S4=$(rid) S5=$(rid)
I5=$(rid) I6=$(rid) I7=$(rid)
sub_new "$S3" 2026-11-30T10
sub_file "$I5" "fine.txt" "$d/doc.txt"
sub_end 'fine'
sub_new "$S4" 2026-11-30T11
RCPTS="-r $RO"
sub_file "$I6" "locked.bin" "$d/big.bin"
RCPTS="-r $R1 -r $R2 -r $R3"
sub_end 'the file is for someone else'
sub_new "$S5" 2026-11-30T12
sub_file "$I7" "also.txt" "$d/doc.txt"
RCPTS="-r $RO"
sub_end 'the manifest is for someone else'
RCPTS="-r $R1 -r $R2 -r $R3"
bundle_make
B2=$BUNDLE
BID2=$(sed -n 's/^bundle //p' "$B2/index")
O=$d/out4
t_run "$BIN" import "$B2" -i "$J1" -o "$O" --trust-file "$TF"
t_check_rc "an item encrypted to another key" 1
t_check "an item encrypted to another key: two failures reported" 2 \
    "$(grep -c '^postern-open: submission ' "$T_ERR")"
t_check_stderr_has "the file item: reported" "submission $S4: item $I6 is not encrypted to any of your keys"
t_check_stderr_has "the manifest item: reported" "submission $S5: item [0-9a-f]{32} is not encrypted to any of your keys"
t_check_dir "only the good submission imported, no temporary folder" "$O" \
    "2026-11-30-${S3:0:8}" .postern-imported "receipt-$BID2.txt"
t_check_same "the good submission: its file" "$d/doc.txt" "$O/2026-11-30-${S3:0:8}/fine.txt"
t_check "the receipt lists only what was imported" \
    "$(printf 'postern-receipt/1\nbundle %s\nimported %s\ncount 1' "$BID2" "$S3")" \
    "$(cat "$O/receipt-$BID2.txt")"
# The journalist the files were for opens them all.
O=$d/out5
t_run "$BIN" import "$B2" -i "$d/other" -i "$J1" -o "$O" --trust-file "$TF"
t_check_rc "with the other key too, everything imports" 0
t_check_same "with the other key: locked.bin" "$d/big.bin" "$O/2026-11-30-${S4:0:8}/locked.bin"

# Nothing decrypts at all: no receipt.
O=$d/out6
age-keygen -o "$d/stranger" 2>/dev/null
t_run "$BIN" import "$B" -i "$d/stranger" -o "$O" --trust-file "$TF"
t_check_rc "a key that opens nothing" 1
t_check_dir "a key that opens nothing: no folder, no receipt" "$O" .postern-imported
t_check "a key that opens nothing: nothing on stdout" "" "$(t_stdout)"

# --- a progress line, only on a terminal -------------------------------------------
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b""
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
os.waitpid(pid, 0)
open(sys.argv[1], "wb").write(out)
' "$d/tty.log" "$BIN" import "$B" -i "$J1" -o "$d/out-tty" --trust-file "$TF"
	t_check_match "on a terminal: a progress line" 'importing 2/2' "$(cat "$d/tty.log")"
	t_check "on a terminal: the progress line ends with CR" 2 \
	    "$(grep -a -c $'importing [12]/2\xe2\x80\xa6\r' "$d/tty.log")"
fi

# --- leftovers and locking -------------------------------------------------------
O=$d/out7
mkdir -p "$O/.postern-import-0123456789abcdef"
printf 'half\n' >"$O/.postern-import-0123456789abcdef/doc.txt"
t_run "$BIN" import "$B" -i "$J1" -o "$O" --trust-file "$TF"
t_check_rc "leftovers of an interrupted import" 0
t_check_absent "leftovers of an interrupted import: removed" "$O/.postern-import-0123456789abcdef"

O=$d/out8
mkdir "$O"
: >"$O/.postern-imported"
exec 8<"$O/.postern-imported"
flock -n 8
t_run "$BIN" import "$B" -i "$J1" -o "$O" --trust-file "$TF"
exec 8<&-
t_check_failure "another import running in the same folder"
t_check_stderr_has "another import running" "another import"
t_check_dir "another import running: nothing written" "$O" .postern-imported

# OUTDIR's parent must exist.
t_run "$BIN" import "$B" -i "$J1" -o "$d/no/such/dir" --trust-file "$TF"
t_check_failure "OUTDIR in a missing folder"
t_check_absent "OUTDIR in a missing folder: nothing made" "$d/no"

# --- usage ------------------------------------------------------------------------
t_run "$BIN" import "$B" -i "$J1"
t_check_usage "import without -o"
t_run "$BIN" import "$B" -o "$d/u"
t_check_usage "import without -i"
t_run "$BIN" import -i "$J1" -o "$d/u"
t_check_usage "import without a bundle"
t_run "$BIN" import "$B" "$B" -i "$J1" -o "$d/u"
t_check_usage "import with two bundles"
t_run "$BIN" import "$B" -i "$J1" -o "$d/u" --bogus
t_check_usage "import with an unknown option"
t_run "$BIN" import "$B" -i "$J1" -o "$d/u" --passphrase-fd x
t_check_rc "import --passphrase-fd x" 2
t_check_absent "usage errors write nothing" "$d/u"

t_end
