# usrmgmt: PGXS build of the extension, its command-line tool and its tests.
#
#   make                  build the extension (src/*.c) and the CLI (src/cli)
#   make install          install both into the PostgreSQL of $(PG_CONFIG)
#   make install-link     link /usr/local/bin/usrmgmt to the installed tool
#                         (Debian keeps PostgreSQL's bindir out of PATH)
#   make installcheck     pg_regress suites, isolation specs and TAP tests
#                         against a running server (PG* variables)
#   make unit-check       plain C unit tests of the validator core and of
#                         health()'s rules (no server)
#   make demo / test-all  the README's two commands (see test/demo.sh,
#                         test/run-all.sh)
#   make fuzz             build the libFuzzer targets (test/fuzz) and run each
#                         for FUZZ_SECONDS (default 20)
#   make lint             cppcheck and clang-tidy over src/*.c and src/cli/*.c
#   make valgrind-check   the pg_regress suites against a server running
#                         under valgrind (slow; not part of test-all)
#
# CI builds with WERROR=1, which adds -Werror to -Wall -Wextra.

EXTENSION   = usrmgmt
EXTVERSION  = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big  = usrmgmt
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA        = $(wildcard sql/usrmgmt--*.sql)
PGFILEDESC  = "usrmgmt - user management data layer"

# One pg_regress file per feature: every sql/*.sql that is not an install
# or update script.  Each suite creates and drops the extension itself.
REGRESS     = $(sort $(filter-out usrmgmt--%,$(patsubst sql/%.sql,%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=plpgsql

# Isolation specs live in test/specs, their expected output in test/expected.
# They check the session invariants defined once in
# test/sql/session_invariants.sql; a spec cannot include a file, so the
# isolation database is made here (isolation-prep, run by installcheck
# before the suites, with pg_regress's per-database settings) with those
# functions in it, and pg_isolation_regress uses it as it is.
ISOLATION      = $(sort $(patsubst test/specs/%.spec,%,$(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test --outputdir=test/output_iso
ifdef ISOLATION
ISOLATION_OPTS += --use-existing
REGRESS_PREP    = isolation-prep
endif

# TAP tests (PostgreSQL::Test::Cluster) in test/t.  Only when there are
# some: prove with no test files fails ("Cannot detect source of t/*.pl").
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))
ifneq ($(PROVE_TESTS),)
TAP_TESTS   = 1
endif

# -Wextra on top of PostgreSQL's own warning flags.  PostgreSQL 15's own
# headers (storage/bufpage.h, lib/ilist.h: static inline functions) trip
# -Wunused-parameter, so that one warning is switched off; nothing else.
PG_CFLAGS  += -Wall -Wextra -Wno-unused-parameter
ifeq ($(WERROR),1)
PG_CFLAGS  += -Werror
endif
PG_CPPFLAGS += -I$(srcdir)/src

EXTRA_CLEAN = $(UNIT_TESTS) test/output_iso test/results \
              test/fuzz/*_fuzzer test/fuzz/work test/fuzz/artifacts

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# test/perl: the TAP tests' shared modules (UsrmgmtCli.pm); after the
# include, which sets PG_PROVE_FLAGS (prove runs from the top of the tree)
PG_PROVE_FLAGS += -I test/perl

# The command-line tool has its own Makefile (libpq, no server headers).
all: cli
cli:
	$(MAKE) -C src/cli PG_CONFIG="$(PG_CONFIG)" WERROR="$(WERROR)" EXTVERSION="$(EXTVERSION)"
install: install-cli
install-cli: cli
	$(MAKE) -C src/cli PG_CONFIG="$(PG_CONFIG)" EXTVERSION="$(EXTVERSION)" install
# a link BINLINKDIR/usrmgmt (default /usr/local/bin) to the installed tool
install-link:
	$(MAKE) -C src/cli PG_CONFIG="$(PG_CONFIG)" EXTVERSION="$(EXTVERSION)" install-link
clean: clean-cli
clean-cli:
	$(MAKE) -C src/cli PG_CONFIG="$(PG_CONFIG)" clean

# Plain C unit tests of the pure cores: no server, no PostgreSQL headers.
# test_validate: the validators (validate_core.c); test_health_verdict:
# the rules of health() (health_verdict.c).
UNIT_CFLAGS = -O1 -g -Wall -Wextra -Werror -std=c99
UNIT_TESTS  = test/unit/test_validate test/unit/test_health_verdict
test/unit/test_validate: test/unit/test_validate.c src/validate_core.c src/validate_core.h
	$(CC) $(UNIT_CFLAGS) -Isrc -o $@ test/unit/test_validate.c src/validate_core.c
test/unit/test_health_verdict: test/unit/test_health_verdict.c src/health_verdict.c src/health_verdict.h
	$(CC) $(UNIT_CFLAGS) -Isrc -o $@ test/unit/test_health_verdict.c src/health_verdict.c
unit-check: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do $$t || exit 1; done

# The isolation database (see ISOLATION above), as pg_regress would make it.
ISOLATION_PSQL = $(shell $(PG_CONFIG) --bindir)/psql -X -q -v ON_ERROR_STOP=1
isolation-prep:
	$(ISOLATION_PSQL) -d postgres \
	  -c 'DROP DATABASE IF EXISTS "$(ISOLATION_TESTDB)"' \
	  -c 'CREATE DATABASE "$(ISOLATION_TESTDB)" TEMPLATE template0'
	$(ISOLATION_PSQL) -d postgres \
	  $(foreach s,lc_messages lc_monetary lc_numeric lc_time,-c 'ALTER DATABASE "$(ISOLATION_TESTDB)" SET $(s) TO '"'C'") \
	  -c 'ALTER DATABASE "$(ISOLATION_TESTDB)" SET bytea_output TO '"'hex'" \
	  -c 'ALTER DATABASE "$(ISOLATION_TESTDB)" SET timezone_abbreviations TO '"'Default'"
	$(ISOLATION_PSQL) -d $(ISOLATION_TESTDB) -f test/sql/session_invariants.sql

demo:
	bash test/demo.sh
test-all:
	bash test/run-all.sh

.PHONY: cli install-cli install-link clean-cli unit-check demo test-all isolation-prep

# ---------------------------------------------------------------------------
# Fuzzing (test/fuzz; doc/usrmgmt.md, "Security").  libFuzzer targets built with
# clang -fsanitize=fuzzer,address,undefined (Debian: clang and
# libclang-rt-14-dev, which holds libclang_rt.fuzzer).  A target NAME is
# the file test/fuzz/NAME_fuzzer.c, which defines LLVMFuzzerTestOneInput,
# plus a seed corpus in test/fuzz/corpus/NAME/.  To add one, write those
# and add ONE line below:
#     $(eval $(call fuzz_target,NAME,SOURCES UNDER TEST,MAX_LEN))
# `make fuzz` runs every target for FUZZ_SECONDS; new inputs go to
# test/fuzz/work/NAME (not committed), a crash to test/fuzz/artifacts/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS  ?= -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CPPFLAGS = -Isrc -Isrc/cli -I$(shell $(PG_CONFIG) --includedir)
FUZZ_TARGETS :=

define fuzz_target
FUZZ_TARGETS += $(1)
test/fuzz/$(1)_fuzzer: test/fuzz/$(1)_fuzzer.c $(2) $$(wildcard src/*.h src/cli/*.h)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(FUZZ_CPPFLAGS) -o $$@ test/fuzz/$(1)_fuzzer.c $(2)
fuzz-run-$(1): test/fuzz/$(1)_fuzzer
	@mkdir -p test/fuzz/work/$(1) test/fuzz/artifacts
	@echo "fuzz: $(1) for $$(FUZZ_SECONDS) s (max_len $(3))"
	@UBSAN_OPTIONS=print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	  test/fuzz/$(1)_fuzzer -max_total_time=$$(FUZZ_SECONDS) -max_len=$(3) \
	  -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
	  -artifact_prefix=test/fuzz/artifacts/$(1)- \
	  test/fuzz/work/$(1) test/fuzz/corpus/$(1) >test/fuzz/work/$(1).log 2>&1 || \
	  { tail -n 60 test/fuzz/work/$(1).log; echo "fuzz: $(1) FAILED (log test/fuzz/work/$(1).log)"; exit 1; }
	@grep -E '^Done [0-9]+ runs' test/fuzz/work/$(1).log | sed 's/^/fuzz: $(1): /'
.PHONY: fuzz-run-$(1)
endef

# validator core (src/validate_core.c)
$(eval $(call fuzz_target,email,src/validate_core.c,300))
$(eval $(call fuzz_target,ident,src/validate_core.c,200))
$(eval $(call fuzz_target,secret,src/validate_core.c,400))
# command-line tool (src/cli): argument parsing, migration-file splitting;
# each is built once its source exists
ifneq ($(wildcard src/cli/args.c),)
$(eval $(call fuzz_target,cli_args,src/cli/args.c,512))
endif
ifneq ($(wildcard src/cli/migfile.c),)
$(eval $(call fuzz_target,cli_migfile,src/cli/migfile.c,4096))
endif

fuzz-build: $(patsubst %,test/fuzz/%_fuzzer,$(FUZZ_TARGETS))
fuzz: fuzz-build $(patsubst %,fuzz-run-%,$(FUZZ_TARGETS))
.PHONY: fuzz fuzz-build

# ---------------------------------------------------------------------------
# Static analysis (doc/usrmgmt.md, "Security"): cppcheck and clang-tidy over the
# extension (src/*.c, with PostgreSQL's server headers) and the command-line
# tool (src/cli/*.c, with libpq's headers).  Both must report nothing.
#
# cppcheck: one configuration (the -D flags pin the compiler and platform,
# so it does not try every #ifdef combination of PostgreSQL's headers),
# and findings located in PostgreSQL's own headers (under --includedir)
# are suppressed: those are PostgreSQL's code, e.g. pg_list.h's
# "Assert(list != NIL)" read as a redundant null check.  In our files one
# check is off: variableScope ("the scope of the variable can be reduced"),
# because PostgreSQL's style (and -Wdeclaration-after-statement) declares
# variables at the top of a block.  Any other justified exception goes
# next to its line as "// cppcheck-suppress <id>" with a comment why.
# clang-tidy: the check set and every exclusion, with its reason, are in
# .clang-tidy; warnings are errors.
# --config-exclude: do not evaluate the #if configurations that only
# PostgreSQL's headers define (3-4 times faster, same findings in our
# files); -j: files in parallel.
LINT_JOBS  ?= 2
CPPCHECK   ?= cppcheck
CLANG_TIDY ?= clang-tidy
LINT_INCLUDEDIR        = $(shell $(PG_CONFIG) --includedir)
LINT_INCLUDEDIR_SERVER = $(shell $(PG_CONFIG) --includedir-server)
CPPCHECK_FLAGS = --enable=warning,style,performance,portability \
                 --std=c99 --error-exitcode=1 --inline-suppr --quiet \
                 -D__GNUC__=12 -D__x86_64__ -D__linux__ -D_GNU_SOURCE \
                 '--suppress=*:$(LINT_INCLUDEDIR)/*' --suppress=variableScope \
                 --config-exclude=$(LINT_INCLUDEDIR) -j $(LINT_JOBS)
LINT_EXT_SRCS = $(sort $(wildcard src/*.c))
LINT_CLI_SRCS = $(sort $(wildcard src/cli/*.c))
# the CLI's version comes from the control file, as in src/cli/Makefile
LINT_CLI_VERSION = -DUM_VERSION='"$(EXTVERSION)"'

lint: lint-cppcheck lint-clang-tidy
lint-cppcheck:
	$(CPPCHECK) $(CPPCHECK_FLAGS) -Isrc -I$(LINT_INCLUDEDIR_SERVER) $(LINT_EXT_SRCS)
	$(CPPCHECK) $(CPPCHECK_FLAGS) -Isrc/cli -I$(LINT_INCLUDEDIR) $(LINT_CLI_VERSION) $(LINT_CLI_SRCS)
	@echo "lint: cppcheck clean"
# clang-tidy: one process per file, LINT_JOBS at a time, each writing its
# own log; it prints "N warnings generated" for the (filtered) header
# warnings even with --quiet, and only that line is dropped.
TIDY_EXT = $(CLANG_TIDY) --config-file=.clang-tidy --quiet {} -- -std=gnu99 \
           -D_GNU_SOURCE -Isrc -I$(LINT_INCLUDEDIR_SERVER)
TIDY_CLI = $(CLANG_TIDY) --config-file=.clang-tidy --quiet {} -- -std=gnu99 \
           -D_GNU_SOURCE -Isrc/cli -I$(LINT_INCLUDEDIR) $(LINT_CLI_VERSION)
lint-clang-tidy:
	@rm -rf test/lint; mkdir -p test/lint; rc=0; \
	printf '%s\n' $(LINT_EXT_SRCS) | xargs -r -P $(LINT_JOBS) -I{} \
	  sh -c '$(TIDY_EXT) >test/lint/$$(echo {} | tr / _).log 2>&1' || rc=1; \
	printf '%s\n' $(LINT_CLI_SRCS) | xargs -r -P $(LINT_JOBS) -I{} \
	  sh -c '$(TIDY_CLI) >test/lint/$$(echo {} | tr / _).log 2>&1' || rc=1; \
	cat test/lint/*.log | grep -v -E '^[0-9]+ warnings? generated\.$$'; \
	rm -rf test/lint; \
	[ $$rc -eq 0 ] && echo "lint: clang-tidy clean"; exit $$rc
.PHONY: lint lint-cppcheck lint-clang-tidy

# ---------------------------------------------------------------------------
# Memory checking (doc/usrmgmt.md, "Security"): the pg_regress suites against a
# server under valgrind memcheck; fails on any error whose stack includes
# usrmgmt code.  Slow (minutes), so not part of test-all.  Run it after
# `make install`; as root it runs as the unprivileged test user.
valgrind-check:
	PG_CONFIG="$(PG_CONFIG)" bash test/valgrind-check.sh
.PHONY: valgrind-check
