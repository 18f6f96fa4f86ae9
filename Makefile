# ngx_http_article_module: build against Debian's nginx, test, bench, run.
#
#   make          build build/ngx_http_article_module.so and build/article-push
#   make run      serve examples/ on 127.0.0.1 (Ctrl-C stops)
#   make test     unit tests, then prove -j6 t/*.t against real nginx and
#                 redis: about 4 minutes on a 2-core machine
#   make test NGINX_VERSION=1.26.3   the same against nginx 1.26.3, built
#                 once in build/nginx-1.26.3 from Debian's archive
#   make module NGX_SRC=DIR [NGX_BINARY=nginx | NGX_CONF_FLAGS=...]
#                 the module for another nginx tree, in build/ngx-NAME-HASH
#   make test-valkey the Redis tests against valkey-server 8
#   make test-asan   the same with the module built with ASan + UBSan
#   make test-valgrind  prove -j3 t/*.t with nginx under valgrind memcheck
#   make fuzz     every libFuzzer target for FUZZ_SECONDS each
#   make bench    benchmarks, printed as ratios measured in one run
#   make bench-scale   100,000 and 1,000,000 articles: start, reload, memory, look-up
#   make deb      Debian packages in build/deb/ (see debian/rules)
#   make test-deb lintian, the manual page, then install, use and purge the
#                 packages on this machine's nginx (root; for CI machines)

SHELL       := /bin/bash
CC          ?= cc
NGX_SRC     ?= /usr/share/nginx/src
BUILD       ?= build
FUZZ_SECONDS ?= 60
WERROR      ?= -Werror
CFLAGS_CORE  = -O2 -g -Wall -Wextra $(WERROR) -Isrc/core
VERSION     := $(shell util/version)
DEB_DIR     ?= $(BUILD)/deb

# --- nginx under test and the tree the module is built against ---------
# NGINX_VERSION=1.26.3: that nginx, built once by util/get-nginx.sh in
# $(BUILD)/nginx-1.26.3, and the module built against the same tree.
# NGX_SRC=DIR (any other tree): the module in a build folder of that tree.
# (Not "NGINX=": nginx reads NGINX from the environment, and make exports
# command-line variables.)
ifdef NGINX_VERSION
NGX_DIR     := $(BUILD)/nginx-$(NGINX_VERSION)
NGX_SRC     := $(NGX_DIR)/src
NGX_BIN     := $(NGX_DIR)/sbin/nginx
NGX_BUILT   := $(NGX_DIR)/.built
endif
NGX_OUT     := $(shell util/build-module.sh --where "$(BUILD)" "$(NGX_SRC)")
MODULE_SO   := $(NGX_OUT)/ngx_http_article_module.so
# another tree's module is always handed to build-module.sh, whose own
# stamp and make see what changed (flags given on the command line too)
MODULE_FORCE := $(if $(filter $(abspath $(BUILD)),$(abspath $(NGX_OUT))),,FORCE)
TEST_NGINX  = TEST_NGINX_MODULE=$(abspath $(MODULE_SO)) \
              $(if $(NGX_BIN),TEST_NGINX_BINARY=$(abspath $(NGX_BIN)))
# -----------------------------------------------------------------------

CORE_SRCS   = $(wildcard src/core/art_*.c)
MODULE_SRCS = config debian/changelog ngx_article_module.c \
              $(wildcard src/*/*.[ch] redis/*.[ch])
UNIT_TESTS  = $(patsubst t/unit/%.c,$(BUILD)/unit/%,$(wildcard t/unit/test_*.c))
FUZZERS     = $(patsubst t/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard t/fuzz/fuzz_*.c))

DEB_PKGS    = nginx nginx-dev libyaml-dev libhiredis-dev redis-server \
              build-essential libpcre2-dev libssl-dev zlib1g-dev perl \
              curl gzip wrk openssl

.PHONY: all deps module unit test test-valkey test-asan test-valgrind fuzz \
        fuzz-run bench bench-scale run clean deb test-deb FORCE

all: module

# Debian packages: installed only when one is missing
deps:
	@util/deps.sh $(DEB_PKGS)
	@util/deps-valkey.sh
	@# the real readers (t/og-scraper, t/jsonld, t/amp-cache): Debian's node
	@# and npm when the machine has none (a node it has is kept)
	@command -v node >/dev/null && command -v npm >/dev/null \
	    || util/deps.sh nodejs npm

module: $(MODULE_SO) $(BUILD)/article-push

# CPPFLAGS, CFLAGS, LDFLAGS: debian/rules passes dpkg-buildflags' here
PUSH_SRCS   = $(wildcard redis/push/*.c)

$(BUILD)/article-push: $(PUSH_SRCS) redis/push/push.h $(CORE_SRCS) \
                       $(wildcard src/core/*.h) debian/changelog
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_CORE) -DARTICLE_VERSION='"$(VERSION)"' -Iredis/push \
	    $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(PUSH_SRCS) \
	    $(CORE_SRCS) -lyaml -lhiredis -lssl -lcrypto

$(MODULE_SO): $(MODULE_SRCS) $(NGX_BUILT) $(MODULE_FORCE)
	util/build-module.sh $(BUILD) "$(NGX_SRC)" "$(EXTRA_CC_OPT)" "$(EXTRA_LD_OPT)"

ifdef NGINX_VERSION
$(NGX_BUILT):
	util/get-nginx.sh $(BUILD) $(NGINX_VERSION)
endif

FORCE:

# the unit tests link the core built once, with ASan and UBSan
UNIT_SAN    = -fsanitize=address,undefined -fno-sanitize-recover=undefined
CORE_OBJS   = $(patsubst src/core/%.c,$(BUILD)/unit/core/%.o,$(CORE_SRCS))

$(BUILD)/unit/core/%.o: src/core/%.c $(wildcard src/core/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CORE) $(UNIT_SAN) -c -o $@ $<

$(BUILD)/libartcore-asan.a: $(CORE_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/unit/%: t/unit/%.c $(BUILD)/libartcore-asan.a \
                 $(wildcard src/core/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CORE) $(UNIT_SAN) -o $@ $< $(BUILD)/libartcore-asan.a \
	    -lyaml -lcrypto

unit: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do \
	    echo "# $$t"; $$t || exit 1; \
	done

# prove runs the t/*.t files side by side: each has its own prefix and its
# own ports (t/lib/ArticleTest.pm), and they mostly wait on nginx, Redis
# and timers, so more jobs than cores pay; the slowest files start first.
# A file that fails side by side runs once more alone (util/prove.sh): it
# says so, and the second run decides
TEST_JOBS   ?= 6
TEST_SLOW    = t/zone-scale.t t/zone-reload-load.t t/redis-sentinel.t
TEST_FILES   = $(filter $(wildcard t/*.t),$(TEST_SLOW)) \
               $(filter-out $(TEST_SLOW),$(wildcard t/*.t))

test: deps module unit
	@# HTTP/3 is tested with Chromium (Debian's curl has no HTTP/3), on the
	@# nginx built here with --with-http_v3_module; t/http2.t says when not
	$(if $(NGINX_VERSION),@util/deps.sh chromium \
	    || echo "make test: chromium cannot be installed: HTTP/3 skipped")
	$(TEST_NGINX) util/prove.sh $(TEST_JOBS) $(TEST_FILES)

# the Redis tests again, against valkey-server 8 (and valkey-sentinel)
test-valkey: deps module
	TEST_REDIS_SERVER=valkey $(TEST_NGINX) util/prove.sh $(TEST_JOBS) t/redis*.t

test-asan: deps
	$(MAKE) BUILD=build-asan \
	    EXTRA_CC_OPT="-fsanitize=address,undefined -fno-omit-frame-pointer" \
	    EXTRA_LD_OPT="-fsanitize=address,undefined" module
	TEST_NGINX_MODULE=$(CURDIR)/build-asan/ngx_http_article_module.so \
	TEST_NGINX_ASAN=1 util/prove.sh $(TEST_JOBS) $(TEST_FILES)

# valgrind keeps the cores busy: fewer files at once
TEST_JOBS_VALGRIND ?= 3

test-valgrind: deps module
	@util/deps.sh valgrind
	TEST_NGINX_MODULE=$(CURDIR)/$(BUILD)/ngx_http_article_module.so \
	TEST_NGINX_VALGRIND=1 util/prove.sh $(TEST_JOBS_VALGRIND) $(TEST_FILES)

$(BUILD)/fuzz/%: t/fuzz/%.c $(CORE_SRCS) $(wildcard src/core/art_*.h)
	@mkdir -p $(dir $@)
	clang -g -O1 -Isrc/core -fsanitize=fuzzer,address,undefined -o $@ $< $(CORE_SRCS) -lyaml -lhiredis -lcrypto

fuzz: deps
	@util/deps.sh clang libclang-rt-dev
	$(MAKE) fuzz-run

fuzz-run: $(FUZZERS)
	@for f in $(FUZZERS); do \
	    n=$$(basename $$f | sed 's/^fuzz_//'); \
	    mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	    echo "# $$f for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        $(BUILD)/fuzz/corpus-$$n t/fuzz/corpus/$$n 2>&1 \
	        | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' ; \
	    test $${PIPESTATUS[0]} -eq 0 || exit 1; \
	done

# the 1,000,000-article section needs about 9 GB of disk; its corpus is
# written once by parallel writers (measured 2026-12-05 with 2 writers on 2
# cores shared with other jobs: 1,000,000 articles in 145 s, 100,000 in
# 65 s) and kept in build/bench or BENCH_CORPUS_DIR (BENCH_SCALE=0 skips
# it; make bench-scale runs it alone)
bench: deps module
	bench/run.sh
	@if [ "$${BENCH_SCALE:-1}" = 0 ]; then echo "# scale: skipped"; \
	else bench/scale.sh; fi

bench-scale: deps module
	bench/scale.sh

run: deps module
	util/run.sh

# dpkg-buildpackage in a copy of the tree (build/ left out), so the source
# tree stays clean; the .deb files land in $(DEB_DIR)
deb:
	@util/deps.sh dpkg-dev
	util/build-deb.sh "$(DEB_DIR)"

test-deb: deb
	@util/deps.sh lintian man-db curl
	t/deb/lint.sh "$(DEB_DIR)"
	t/deb/install-test.sh "$(DEB_DIR)"

clean:
	rm -rf build build-asan
