# Postern — a plain Makefile. Every variable can be overridden:
#   make CC=clang BUILD=build-clang
# Targets: all, check, check-asan, check-valgrind, run, bench, format, clean.

CC      ?= cc
CXX     ?= c++
BUILD   ?= build
PKG     ?= pkg-config
SHARED  ?= ../shared
PORT    ?= 8080

CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Werror
HARDEN  ?= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARDEN ?= -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack
SAN     ?=
CPPFLAGS_ALL = -D_GNU_SOURCE -Iinclude $(CPPFLAGS)

# pkg-config is asked only when a target needs the library: a clean tree
# can still run `make clean` or `make deps` without any -dev package.
SODIUM_CFLAGS = $(shell $(PKG) --cflags libsodium)
SODIUM_LIBS   = $(shell $(PKG) --libs libsodium)
CMOCKA_LIBS   = $(shell $(PKG) --libs cmocka)
ZLIB_LIBS     = $(shell $(PKG) --libs zlib)
SERVER_PKGS   = libsodium libmicrohttpd libmagic sqlite3 jansson libseccomp \
                libqpdf expat zlib
SERVER_CFLAGS = $(shell $(PKG) --cflags $(SERVER_PKGS))
SERVER_LIBS   = $(shell $(PKG) --libs $(SERVER_PKGS)) -pthread

ALL_CFLAGS  = $(CPPFLAGS_ALL) $(WARN) $(HARDEN) $(SAN) $(CFLAGS) $(SERVER_CFLAGS)
ALL_LDFLAGS = $(LDHARDEN) $(SAN) $(LDFLAGS)
# C++ only where a library's API is C++ (libqpdf): same warnings and
# hardening, C++17.
CXXWARN  = -std=c++17 -Wall -Wextra -Wshadow -Wpointer-arith -Wformat=2 -Werror
# UBSan's vptr check is left out: libqpdf is not built with it, and its
# objects fail the check falsely when our code calls into them.
ALL_CXXFLAGS = $(CPPFLAGS_ALL) $(CXXWARN) $(HARDEN) $(SAN) \
            $(if $(SAN),-fno-sanitize=vptr) $(CFLAGS) $(SERVER_CFLAGS)

# Modules shared by the programs. postern-open (the air-gapped tool) links
# only the age core and libsodium.
AGE_OBJS  = $(BUILD)/lib/age.o $(BUILD)/lib/armor.o $(BUILD)/lib/bech32.o \
            $(BUILD)/lib/keyfile.o $(BUILD)/lib/sigkey.o $(BUILD)/lib/bundle.o \
            $(BUILD)/lib/b64.o
OPEN_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(wildcard offline/*.c)) \
            $(BUILD)/lib/passphrase.o $(AGE_OBJS)
JANSSON_LIBS = $(shell $(PKG) --libs jansson)
# postern-admin: the server's modules, no HTTP.
ADMIN_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(wildcard keys/*.c)) \
            $(BUILD)/lib/config.o $(BUILD)/lib/store.o \
            $(BUILD)/lib/passphrase.o $(AGE_OBJS)
# The server's own modules, and posternd.
# The stripper: the dispatcher, the sandbox, and one module per format
# (lib/strip/); postern-clean is the stripper as a command.
STRIP_OBJS = $(BUILD)/lib/strip.o $(BUILD)/lib/sandbox.o \
            $(patsubst %.c,$(BUILD)/%.o,$(wildcard lib/strip/*.c)) \
            $(patsubst %.cc,$(BUILD)/%.o,$(wildcard lib/strip/*.cc))
CLEAN_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(wildcard clean/*.c)) $(STRIP_OBJS) \
            $(AGE_OBJS)
SRV_LIB_OBJS = $(BUILD)/lib/config.o $(BUILD)/lib/template.o \
            $(BUILD)/lib/passphrase.o \
            $(BUILD)/lib/tempfile.o $(BUILD)/lib/store.o \
            $(BUILD)/lib/manifest.o $(BUILD)/lib/csrf.o $(STRIP_OBJS)
SERVERD_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(wildcard server/*.c)) \
            $(SRV_LIB_OBJS) $(AGE_OBJS)

PROGRAMS   = $(BUILD)/postern-open $(BUILD)/posternd $(BUILD)/postern-clean \
             $(if $(wildcard keys/*.c),$(BUILD)/postern-admin)
UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps check check-asan check-valgrind unit run bench format clean

all: $(PROGRAMS)

$(BUILD)/%.o: %.c $(wildcard include/postern/*.h server/*.h keys/*.h offline/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.cc $(wildcard include/postern/*.h)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(BUILD)/postern-open: $(OPEN_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OPEN_OBJS) $(SODIUM_LIBS) $(JANSSON_LIBS) -pthread

$(BUILD)/postern-admin: $(ADMIN_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(ADMIN_OBJS) $(shell $(PKG) --libs libsodium sqlite3) -pthread

$(BUILD)/posternd: $(SERVERD_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(SERVERD_OBJS) $(SERVER_LIBS) -lstdc++

$(BUILD)/postern-clean: $(CLEAN_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLEAN_OBJS) $(SERVER_LIBS) -lstdc++

# Unit tests: one binary per tests/unit/test_*.c, linked with every module.
$(BUILD)/unit/%: $(BUILD)/tests/unit/%.o $(AGE_OBJS) $(SRV_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(AGE_OBJS) $(SRV_LIB_OBJS) $(CMOCKA_LIBS) $(ZLIB_LIBS) $(SERVER_LIBS) $(JANSSON_LIBS) -lstdc++

deps:
	deploy/deps.sh build

# The README's test command: installs what tests need, builds with
# -Werror, runs every suite, and ends with one "N passed, N failed" line.
check:
	deploy/deps.sh test
	$(MAKE) all $(UNIT_TESTS)
	BUILD=$(BUILD) SHARED=$(SHARED) tests/run

# Unit tests and the CLI tests under AddressSanitizer and UBSan, in their
# own build directory. _FORTIFY_SOURCE is left out: ASan replaces it.
check-asan:
	deploy/deps.sh test
	$(MAKE) BUILD=build-asan HARDEN=-fPIE \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    CFLAGS="-O1 -g" all $(patsubst $(BUILD)/%,build-asan/%,$(UNIT_TESTS))
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    BUILD=build-asan SHARED=$(SHARED) tests/run unit cli

# Unit tests under valgrind (memcheck, leaks): slower, not part of check.
check-valgrind: all $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do \
	    echo "== valgrind: $$t"; \
	    SHARED=$(SHARED) valgrind -q --error-exitcode=99 --leak-check=full \
	        --errors-for-leak-kinds=definite $$t > $$t.valgrind 2>&1 || \
	        { cat $$t.valgrind; echo "valgrind: $$t failed"; exit 1; }; \
	    tail -n 1 $$t.valgrind; \
	done

unit: all $(UNIT_TESTS)
	BUILD=$(BUILD) SHARED=$(SHARED) tests/run unit

run:
	deploy/deps.sh run
	$(MAKE) all
	BUILD=$(BUILD) PORT=$(PORT) deploy/run.sh

bench: all
	deploy/deps.sh bench
	bench/age
	BUILD=$(BUILD) bench/strip

format:
	clang-format -i include/postern/*.h lib/*.c lib/strip/*.c clean/*.c offline/*.c keys/*.c server/*.[ch] tests/unit/*.c

clean:
	rm -rf build build-asan

# ---- fuzzing: libFuzzer targets, built with clang ------------------------
# One binary per format module ($(BUILD)/fuzz/fuzz_png, ...) from
# tests/fuzz/fuzz_strip.c, plus the XML filter and the zip reader/writer.
# `make fuzz` runs each for FUZZ_TIME seconds (default 600); tests/run's
# fuzz suite runs tests/fuzz/run.sh short (a few seconds each). See
# tests/fuzz/README.md. The stripper's objects are rebuilt under
# $(BUILD)/fuzz/obj with coverage and ASan/UBSan, no _FORTIFY_SOURCE.
FUZZ_CC   ?= clang
FUZZ_CXX  ?= clang++
FUZZ_DIR   = $(BUILD)/fuzz
FUZZ_SAN   = -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
FUZZ_CFLAGS = -g -O1 $(CPPFLAGS_ALL) $(FUZZ_SAN) $(SERVER_CFLAGS)
FUZZ_FORMATS = jpeg png gif webp tiff heif svg pdf ooxml odf mp3 flac mp4 zip
FUZZ_HELPERS = $(if $(wildcard lib/strip/xmlfilter.c),xml) \
             $(if $(wildcard lib/strip/zipfile.c),zipfile)
FUZZ_OBJS  = $(FUZZ_DIR)/obj/lib/strip.o $(FUZZ_DIR)/obj/lib/sandbox.o \
             $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(wildcard lib/strip/*.c)) \
             $(patsubst %.cc,$(FUZZ_DIR)/obj/%.o,$(wildcard lib/strip/*.cc))
FUZZ_TARGETS = $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_FORMATS) $(FUZZ_HELPERS))
FUZZ_LIBS  = $(SERVER_LIBS) -lstdc++

.PHONY: fuzz fuzz-build fuzz-short
.SECONDARY: $(patsubst %,$(FUZZ_DIR)/drv/fuzz_strip_%.o,$(FUZZ_FORMATS))

fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	BUILD=$(BUILD) FUZZ_TIME=$(or $(FUZZ_TIME),600) tests/fuzz/run.sh long

fuzz-short: fuzz-build
	BUILD=$(BUILD) tests/fuzz/run.sh short

# The library's objects: warnings shown but not fatal here (clang may warn
# where gcc does not; the gcc build is the one held to -Werror).
$(FUZZ_DIR)/obj/%.o: %.c $(wildcard include/postern/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -Wall -Wextra $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj/%.o: %.cc $(wildcard include/postern/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) -std=c++17 -Wall -Wextra $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

# The drivers are ours: held to the project's warnings.
$(FUZZ_DIR)/drv/fuzz_strip_%.o: tests/fuzz/fuzz_strip.c include/postern/stripfmt.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	    -DFUZZ_FORMAT=SF_$(shell echo $* | tr a-z A-Z) -c -o $@ $<

$(FUZZ_DIR)/drv/fuzz_%.o: tests/fuzz/fuzz_%.c $(wildcard include/postern/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_xml: $(FUZZ_DIR)/drv/fuzz_xml.o $(FUZZ_OBJS)
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

$(FUZZ_DIR)/fuzz_zipfile: $(FUZZ_DIR)/drv/fuzz_zipfile.o $(FUZZ_OBJS)
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/drv/fuzz_strip_%.o $(FUZZ_OBJS)
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)
