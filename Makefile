# usrmgmt: PGXS build of the extension, its command-line tool and its tests.
#
#   make                  build the extension (src/*.c) and the CLI (src/cli)
#   make install          install both into the PostgreSQL of $(PG_CONFIG)
#   make installcheck     pg_regress suites, isolation specs and TAP tests
#                         against a running server (PG* variables)
#   make unit-check       plain C unit tests of the validator core (no server)
#   make demo / test-all  the README's two commands (see test/demo.sh,
#                         test/run-all.sh)
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
ISOLATION      = $(sort $(patsubst test/specs/%.spec,%,$(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test --outputdir=test/output_iso

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

EXTRA_CLEAN = test/unit/test_validate test/output_iso test/results

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The command-line tool has its own Makefile (libpq, no server headers).
all: cli
cli:
	$(MAKE) -C src/cli PG_CONFIG="$(PG_CONFIG)" WERROR="$(WERROR)"
install: install-cli
install-cli: cli
	$(MAKE) -C src/cli PG_CONFIG="$(PG_CONFIG)" install
clean: clean-cli
clean-cli:
	$(MAKE) -C src/cli PG_CONFIG="$(PG_CONFIG)" clean

# Plain C unit test of the validator core: no server, no PostgreSQL headers.
UNIT_CFLAGS = -O1 -g -Wall -Wextra -Werror -std=c99
test/unit/test_validate: test/unit/test_validate.c src/validate_core.c src/validate_core.h
	$(CC) $(UNIT_CFLAGS) -Isrc -o $@ test/unit/test_validate.c src/validate_core.c
unit-check: test/unit/test_validate
	test/unit/test_validate

demo:
	bash test/demo.sh
test-all:
	bash test/run-all.sh

.PHONY: cli install-cli clean-cli unit-check demo test-all
