#!/bin/sh
# deps.sh — install the Debian 12 packages Postern needs, and only those
# that are missing. Idempotent; needs root only when something is missing.
#
#   deploy/deps.sh build   to compile
#   deploy/deps.sh run     to compile and run (make run)
#   deploy/deps.sh test    to compile and run every test (make check)
#   deploy/deps.sh bench   the test set and what bench/ compares against
#
# Every package the project uses is named here, once, with its reason;
# README.md ("Dependencies") says the same in prose.
set -eu

# To compile: the C toolchain, pkg-config; libsodium (every cryptographic
# primitive: X25519, ChaCha20-Poly1305, HMAC, scrypt, Ed25519);
# libmicrohttpd (posternd's HTTP and multipart); libmagic (file types from
# bytes); SQLite (submission records); Jansson (postern-open reads the
# manifest JSON); libseccomp (the stripper's sandbox); libqpdf (PDF
# rewriting, a C++ library: g++ links it); expat (XML rewriting for SVG,
# OOXML, ODF); zlib (zip members).
BUILD="gcc g++ make pkg-config libc6-dev libsodium-dev libmicrohttpd-dev libmagic-dev libsqlite3-dev libjansson-dev libseccomp-dev libqpdf-dev libexpat1-dev zlib1g-dev"
# To run: nothing beyond the build set yet.
RUN="$BUILD"
# To test: cmocka (unit tests), zlib (the age test kit's compressed
# vectors), stock age (interop), GNU time (bench peak memory), perl
# (inflates compressed vectors in the CLI test kit run), curl (posternd
# integration tests), sqlite3 (inspecting the database in tests),
# chromium (the browser test, driven by playwright-core from npm),
# openssl (checks bundle signatures independently of libsodium);
# the stripper's test corpus is made and checked with exiftool,
# ImageMagick, qpdf, ffmpeg, libheif's heif-enc, libtiff's tiffset,
# metaflac, Ghostscript's ICC profiles (libgs-common), python3 (crafted
# zip and XML documents), zip and unzip; Archive::Zip lets exiftool read
# the properties inside OOXML and ODF files (only recommended by its
# package, and recommends are not installed); clang builds the libFuzzer
# targets, whose runtime (libFuzzer, ASan) is libclang-rt-14-dev, also
# only a recommendation of Debian 12's clang.
TEST="$RUN libcmocka-dev zlib1g-dev age time perl curl sqlite3 chromium openssl libimage-exiftool-perl imagemagick qpdf ffmpeg libheif-examples libtiff-tools flac libgs-common libarchive-zip-perl python3 zip unzip clang libclang-rt-14-dev"
# To benchmark (make bench): the test set, and mat2, the reference
# metadata stripper bench/strip compares postern-clean with.
BENCH="$TEST mat2"
# Commands the browser test needs, and the package that brings each when
# it is missing (a machine may have Node.js from another source already).
TEST_CMDS="node:nodejs npm:npm"

cmds=""
case "${1:-build}" in
build) want=$BUILD ;;
run) want=$RUN ;;
test) want=$TEST cmds=$TEST_CMDS ;;
bench) want=$BENCH ;;
*) echo "usage: $0 build|run|test|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
for c in $cmds; do
	command -v "${c%%:*}" >/dev/null 2>&1 || missing="$missing ${c#*:}"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages:$missing" >&2
	echo "deps.sh: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
