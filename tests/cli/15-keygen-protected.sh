#!/usr/bin/env bash
# postern-open keygen with a passphrase (the default): the identity file is
# a binary age scrypt file (one stanza, work factor 18) holding the text
# age-keygen writes, mode 0600; stock age opens it (`age -d FILE`, and as
# `age -d -i FILE`) on a terminal; the passphrase comes from the terminal
# (no echo, asked twice, a mismatch refused) or from --passphrase-fd; no
# terminal and no descriptor fails before anything is written.
# postern-open decrypt reads protected identity files (its own and those
# of `age -p`, binary or armored) with --passphrase-fd or the terminal; a
# wrong passphrase says so.
#
# Terminals are pseudo-terminals driven by python3's pty module, which
# answers a prompt only once echo is off (script(1) would echo the
# passphrase into its log).
set -u
. tests/lib.sh
t_need_bin
t_need age age-keygen python3 setsid sha256sum

d=$(t_tmpdir)
PW='correct horse battery staple'
printf '%s\n' "$PW" >"$d/pw"

# ontty LOG ANSWER... -- CMD...: runs CMD on a new pseudo-terminal, typing
# each ANSWER at the next passphrase prompt once the terminal's echo is
# off; everything CMD wrote to the terminal goes to LOG. The exit status
# is CMD's. Any answer still unused when CMD ends is an error (99).
cat >"$d/ontty.py" <<'EOF'
import os, pty, re, select, sys, termios, time
log = sys.argv[1]
sep = sys.argv.index("--")
answers, cmd = sys.argv[2:sep], sys.argv[sep + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out, asked, deadline = b"", 0, time.time() + 120
# A prompt: "passphrase", then a colon on the same line.
prompt = re.compile(rb"passphrase[^\r\n]*:", re.I)
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if asked < len(answers) and len(prompt.findall(out)) > asked:
        try:
            echo = termios.tcgetattr(fd)[3] & termios.ECHO
        except termios.error:
            continue
        if not echo:
            os.write(fd, answers[asked].encode() + b"\n")
            asked += 1
if time.time() >= deadline:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
open(log, "wb").write(out)
if asked < len(answers):
    sys.exit(99)
sys.exit(os.waitstatus_to_exitcode(status))
EOF
ontty() { python3 "$d/ontty.py" "$@"; }

# check_protected NAME FILE: a binary age file with one scrypt stanza of
# work factor 18, no key in clear, mode 0600.
check_protected() {
	t_check "$1: an age file" "age-encryption.org/v1" "$(head -n 1 "$2")"
	t_check_match "$1: one scrypt stanza, work factor 18" \
	    '^-> scrypt [A-Za-z0-9+/]{22} 18$' "$(sed -n 2p "$2")"
	t_check "$1: one stanza only" 1 "$(head -c 300 "$2" | grep -a -c '^-> ')"
	t_check "$1: no secret key in clear" 0 "$(grep -a -c 'AGE-SECRET-KEY' "$2")"
	t_check_mode "$1: mode 0600" 600 "$2"
}

# --- keygen --passphrase-fd ----------------------------------------------------------
t_run "$BIN" keygen -o "$d/id.age" --passphrase-fd 3 3<"$d/pw"
t_check_rc "keygen --passphrase-fd" 0
check_protected "keygen --passphrase-fd" "$d/id.age"
pub=$(sed -n 's/^Public key: //p' "$T_ERR")
t_check_match "keygen: Public key on stderr" '^age1[02-9ac-hj-np-z]{58}$' "$pub"
t_check "keygen: Key id on stderr" "Key id: $(printf '%s' "$pub" | sha256sum | cut -c 1-16)" \
    "$(grep '^Key id' "$T_ERR")"
t_check "keygen: stderr is the two lines" 2 "$(wc -l <"$T_ERR" | tr -d ' ')"
t_check "keygen: nothing on stdout" 0 "$(t_size "$T_OUT")"
t_check_dir "keygen: no other file" "$d" id.age pw ontty.py

# Stock age opens it with the passphrase: the age-keygen text inside.
ontty "$d/log1" "$PW" -- age -d -o "$d/id.txt" "$d/id.age"
t_check "age -d FILE (on a terminal)" 0 "$?"
t_check "age -d: three lines" 3 "$(wc -l <"$d/id.txt" 2>/dev/null | tr -d ' ')"
t_check_match "age -d: created" '^# created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "$(sed -n 1p "$d/id.txt")"
t_check "age -d: the public key line" "# public key: $pub" "$(sed -n 2p "$d/id.txt")"
t_check "age -d: age-keygen -y agrees" "$pub" "$(age-keygen -y "$d/id.txt" 2>&1)"
printf 'for the protected key\n' >"$d/msg"
age -r "$pub" -o "$d/msg.age" "$d/msg"
ontty "$d/log2" "$PW" -- age -d -i "$d/id.age" -o "$d/msg.out" "$d/msg.age"
t_check "age -d -i PROTECTED (on a terminal)" 0 "$?"
t_check_same "age -d -i PROTECTED: plaintext" "$d/msg" "$d/msg.out"
ontty "$d/log3" "wrong passphrase" -- age -d -o "$d/never" "$d/id.age"
t_check "age -d with a wrong passphrase fails" 1 "$?"
t_check_absent "age -d with a wrong passphrase: nothing written" "$d/never"

# --- decrypt with it ------------------------------------------------------------------
t_run "$BIN" decrypt -i "$d/id.age" --passphrase-fd 3 "$d/msg.age" 3<"$d/pw"
t_check_rc "decrypt -i PROTECTED --passphrase-fd" 0
t_check_same "decrypt -i PROTECTED: plaintext" "$d/msg" "$T_OUT"
printf 'wrong\n' >"$d/badpw"
od_=$(t_tmpdir)
t_run "$BIN" decrypt -i "$d/id.age" --passphrase-fd 3 -o "$od_/out" "$d/msg.age" 3<"$d/badpw"
t_check_failure "decrypt, wrong passphrase"
t_check "decrypt, wrong passphrase: says so" "postern-open: incorrect passphrase for $d/id.age" "$(t_stderr)"
t_check_dir "decrypt, wrong passphrase: no output" "$od_"
t_run setsid -w "$BIN" decrypt -i "$d/id.age" -o "$od_/out" "$d/msg.age"
t_check_failure "decrypt, protected identity, no terminal"
t_check_stderr_has "decrypt, no terminal" "no terminal.*--passphrase-fd"
t_check_dir "decrypt, no terminal: no output" "$od_"
# On a terminal: asked once, naming the file, without echo.
ontty "$d/log4" "$PW" -- "$BIN" decrypt -i "$d/id.age" -o "$od_/out" "$d/msg.age"
t_check "decrypt, passphrase on the terminal" 0 "$?"
t_check_same "decrypt, passphrase on the terminal: plaintext" "$d/msg" "$od_/out"
t_check_match "decrypt on a terminal: the prompt names the file" \
    "Enter passphrase for identity file \"$d/id.age\": " "$(cat "$d/log4")"
t_check "decrypt on a terminal: the passphrase not echoed" 0 "$(grep -c "$PW" "$d/log4")"

# Files protected by stock age -p: binary and armored.
age-keygen -o "$d/plain.txt" 2>/dev/null
apub=$(age-keygen -y "$d/plain.txt")
age -r "$apub" -o "$d/amsg.age" "$d/msg"
ontty "$d/log5" "$PW" "$PW" -- age -p -o "$d/ap.age" "$d/plain.txt"
t_check "age -p (on a terminal)" 0 "$?"
ontty "$d/log6" "$PW" "$PW" -- age -p -a -o "$d/ap.asc" "$d/plain.txt"
t_check "age -p -a (on a terminal)" 0 "$?"
for f in ap.age ap.asc; do
	t_run "$BIN" decrypt -i "$d/$f" --passphrase-fd 3 "$d/amsg.age" 3<"$d/pw"
	t_check_rc "decrypt -i $f (age -p)" 0
	t_check_same "decrypt -i $f: plaintext" "$d/msg" "$T_OUT"
done

# Two protected files, one descriptor: a passphrase per line, in order.
t_run "$BIN" keygen -o "$d/id2.age" --passphrase-fd 3 3<"$d/badpw"
t_check_rc "keygen, a second key" 0
printf '%s\nwrong\n' "$PW" >"$d/pw2"
t_run "$BIN" decrypt -i "$d/id.age" -i "$d/id2.age" --passphrase-fd 3 "$d/msg.age" 3<"$d/pw2"
t_check_rc "two protected -i, one line each from the descriptor" 0
t_check_same "two protected -i: plaintext" "$d/msg" "$T_OUT"

# An age file to a key (not a passphrase) is no identity file: refused
# before any passphrase is asked.
t_run setsid -w "$BIN" decrypt -i "$d/msg.age" "$d/msg.age"
t_check_failure "an age file encrypted to a key, as identity"
t_check_stderr_has "an age file encrypted to a key" "not protected by a passphrase"
# A protected file whose plaintext is no identity.
ontty "$d/log7" "$PW" "$PW" -- age -p -o "$d/notkey.age" "$d/msg"
t_run "$BIN" decrypt -i "$d/notkey.age" --passphrase-fd 3 "$d/msg.age" 3<"$d/pw"
t_check_failure "a protected file that holds no key"
t_check_stderr_has "a protected file that holds no key" "notkey\.age \(decrypted\), line 1"

# --- keygen on a terminal -----------------------------------------------------------
ontty "$d/log8" "$PW" "$PW" -- "$BIN" keygen -o "$d/tty.age"
t_check "keygen on a terminal: asked twice" 0 "$?"
check_protected "keygen on a terminal" "$d/tty.age"
t_check "keygen on a terminal: the passphrase not echoed" 0 "$(grep -c "$PW" "$d/log8")"
t_check_match "keygen on a terminal: asks to confirm" "Confirm passphrase" "$(cat "$d/log8")"
tpub=$(sed -n 's/^Public key: \(age1[a-z0-9]*\).*/\1/p' "$d/log8")
"$BIN" encrypt -r "$tpub" -o "$d/tmsg.age" "$d/msg"
t_run "$BIN" decrypt -i "$d/tty.age" --passphrase-fd 3 "$d/tmsg.age" 3<"$d/pw"
t_check_rc "keygen on a terminal: the typed passphrase opens it" 0
t_check_same "keygen on a terminal: plaintext" "$d/msg" "$T_OUT"
ontty "$d/log9" "$PW" "something else" -- "$BIN" keygen -o "$d/mismatch.age"
t_check "keygen on a terminal, passphrases differ: fails" 1 "$?"
t_check_absent "keygen, passphrases differ: nothing written" "$d/mismatch.age"
t_check_match "keygen, passphrases differ: says so" "do not match" "$(cat "$d/log9")"

# --- keygen failures: nothing written ---------------------------------------------------
od_=$(t_tmpdir)
t_run setsid -w "$BIN" keygen -o "$od_/k.age"
t_check_failure "keygen, no terminal and no --passphrase-fd"
t_check_stderr_has "keygen, no terminal" "no terminal.*--passphrase-fd"
t_check_dir "keygen, no terminal: nothing written" "$od_"
printf '\n' >"$d/emptypw"
t_run "$BIN" keygen -o "$od_/k.age" --passphrase-fd 3 3<"$d/emptypw"
t_check_failure "keygen, empty passphrase"
t_check_stderr_has "keygen, empty passphrase" "empty"
t_check_dir "keygen, empty passphrase: nothing written" "$od_"
t_run "$BIN" keygen -o "$od_/k.age" --passphrase-fd 9
t_check_rc "keygen --passphrase-fd of a closed descriptor" 2
t_check_dir "keygen, closed descriptor: nothing written" "$od_"
cp "$d/id.age" "$d/id.orig"
t_run setsid -w "$BIN" keygen -o "$d/id.age"
t_check_failure "keygen onto an existing file: before any passphrase"
t_check_stderr_has "keygen onto an existing file" "already exists"
t_check_same "keygen onto an existing file: intact" "$d/id.orig" "$d/id.age"

# To standard output: binary, so never to a terminal.
t_run "$BIN" keygen --passphrase-fd 3 3<"$d/pw"
t_check_rc "keygen --passphrase-fd to stdout" 0
t_check "keygen to stdout: an age file" "age-encryption.org/v1" "$(head -n 1 "$T_OUT")"
ontty "$d/log10" -- "$BIN" keygen --passphrase-fd 3 3<"$d/pw"
t_check "keygen to a terminal: refused" 1 "$?"
t_check_match "keygen to a terminal: says why" "refusing to write binary output to a terminal" "$(cat "$d/log10")"

# --- Ctrl-C at the prompt: the process ends, the terminal echoes again --
# interrupt.py -- CMD...: waits for the first passphrase prompt with echo
# off, types Ctrl-C (the terminal sends SIGINT), and prints how CMD ended
# and whether the terminal echoes afterwards.
cat >"$d/interrupt.py" <<'EOF'
import os, pty, re, select, sys, termios, time
cmd = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out, sent, deadline = b"", False, time.time() + 60
prompt = re.compile(rb"passphrase[^\r\n]*:", re.I)
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            out += os.read(fd, 4096)
        except OSError:
            pass
    if not sent and prompt.search(out):
        if not termios.tcgetattr(fd)[3] & termios.ECHO:
            os.write(fd, b"\x03")
            sent = True
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
else:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    print("timeout")
    sys.exit()
echo = "echo" if termios.tcgetattr(fd)[3] & termios.ECHO else "no echo"
how = ("signal %d" % os.WTERMSIG(status)) if os.WIFSIGNALED(status) \
    else ("exit %d" % os.WEXITSTATUS(status))
print("%s, %s" % (how, echo))
EOF
odi=$(t_tmpdir)
t_check "keygen, Ctrl-C at the prompt: killed by SIGINT, echo back on" \
    "signal 2, echo" \
    "$(python3 "$d/interrupt.py" -- "$BIN" keygen -o "$odi/k.age")"
t_check_dir "keygen, Ctrl-C at the prompt: nothing written" "$odi"

t_end
