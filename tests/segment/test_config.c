/* SPDX-License-Identifier: BSD-2-Clause */
/* Stack creation: bad configurations are refused, never half-built; addresses checked. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void discard(void *ctx, const uint8_t *d, size_t n)
{
	(void)ctx;
	(void)d;
	(void)n;
}

static struct sf_config good(void)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	cfg.output = discard;
	memcpy(cfg.secret, "a secret of 16 b", 16);
	return cfg;
}

/* RFC 9293 MUST-9: the ISN function must not be computable from outside. A
 * secret everyone knows (all zero, what a forgotten memcpy leaves) makes it
 * so: refused unless the caller says it wants that, as tests and demos do. */
static void test_zero_secret_needs_the_insecure_flag(void **state)
{
	(void)state;
	struct sf_config cfg = good();
	memset(cfg.secret, 0, sizeof cfg.secret);
	assert_null(sf_stack_new(&cfg, 0));
	cfg.deterministic_insecure = 1;
	sf_stack *st = sf_stack_new(&cfg, 0);
	assert_non_null(st);
	sf_stack_free(st);
	cfg = good(); /* one non-zero byte is a secret */
	memset(cfg.secret, 0, sizeof cfg.secret);
	cfg.secret[15] = 1;
	st = sf_stack_new(&cfg, 0);
	assert_non_null(st);
	sf_stack_free(st);
}

/* struct sf_config grows at its end: size says how much the caller knows,
 * and outside [SF_CONFIG_MIN_SIZE, sizeof] it is refused. */
static void test_config_size_checked(void **state)
{
	(void)state;
	struct sf_config cfg = good();
	assert_int_equal(cfg.size, sizeof cfg);
	cfg.size = 0;
	assert_null(sf_stack_new(&cfg, 0));
	cfg.size = (uint32_t)SF_CONFIG_MIN_SIZE - 1;
	assert_null(sf_stack_new(&cfg, 0));
	cfg.size = (uint32_t)sizeof cfg + 1;
	assert_null(sf_stack_new(&cfg, 0));
	cfg.size = (uint32_t)SF_CONFIG_MIN_SIZE;
	cfg.retries1 = 0; /* refused from a caller that knows the field (below); here past size: the default */
	cfg.syn_retries = 2; /* at or below R1 (3): still a good configuration for an older caller */
	sf_stack *st = sf_stack_new(&cfg, 0);
	assert_non_null(st);
	sf_stack_free(st);
}

static void test_defaults_are_the_documented_ones(void **state)
{
	(void)state;
	struct sf_config cfg;
	sf_config_default(&cfg);
	assert_int_equal(cfg.msl_ms, 120000);
	assert_int_equal(cfg.syn_retries, 7);
	assert_int_equal(cfg.retries1, 3); /* RFC 9293 SHLD-10: at least 3 retransmissions */
	assert_int_equal(cfg.retries2, 15);
	/* RFC 9293 MUST-23: the default SYN schedule (the waits of its
	 * syn_retries + 1 backoffs) reaches 3 minutes before the attempt ends. */
	uint64_t total = 0, rto = cfg.rto_initial_ms;
	for (uint32_t i = 0; i <= cfg.syn_retries; i++, rto *= 2)
		total += rto < cfg.rto_max_ms ? rto : cfg.rto_max_ms;
	assert_true(total >= 180000);
	assert_int_equal(total, 247000);
	assert_int_equal(cfg.synack_retries, 5);
	assert_int_equal(cfg.fin_timeout_ms, 60000);
	assert_int_equal(cfg.syn_backlog, 1000);
	assert_int_equal(cfg.somaxconn, 128);
	assert_int_equal(cfg.rto_initial_ms, 1000);
	assert_int_equal(cfg.keepalive_idle_ms, 7200000); /* RFC 1122 MUST-28: at least two hours */
	assert_int_equal(cfg.rfc1337, 1);
	assert_int_equal(cfg.strict_time_wait, 0);
	assert_int_equal(cfg.abort_on_overflow, 0);
	assert_int_equal(cfg.syn_queue_recycle, 0); /* drop, as Linux without SYN cookies */
	assert_int_equal(cfg.isn_mode, SF_ISN_RFC6528);
	assert_null(cfg.output); /* the caller must give one */
}

static void test_bad_configs_refused(void **state)
{
	(void)state;
	struct sf_config cfg;

	assert_null(sf_stack_new(NULL, 0));
	cfg = good();
	cfg.output = NULL;
	assert_null(sf_stack_new(&cfg, 0));
	cfg = good();
	cfg.msl_ms = 0;
	assert_null(sf_stack_new(&cfg, 0));
	cfg = good();
	cfg.msl_ms = 1u << 30; /* 2MSL would overflow the records' 32-bit ms clock */
	assert_null(sf_stack_new(&cfg, 0));
	cfg = good();
	cfg.ephemeral_lo = 5000;
	cfg.ephemeral_hi = 4000;
	assert_null(sf_stack_new(&cfg, 0));
	cfg = good();
	cfg.synack_retries = 16;
	assert_null(sf_stack_new(&cfg, 0));
	cfg = good();
	cfg.rto_min_ms = 5000;
	cfg.rto_max_ms = 1000;
	assert_null(sf_stack_new(&cfg, 0));
	cfg = good();
	cfg.isn_mode = 7;
	assert_null(sf_stack_new(&cfg, 0));
	/* R1 (retries1) is at least 1 (the per-connection call's rule). */
	cfg = good();
	cfg.retries1 = 0;
	assert_null(sf_stack_new(&cfg, 0));
	cfg = good();
	sf_stack *st = sf_stack_new(&cfg, 0);
	assert_non_null(st);
	sf_stack_free(st);
	sf_stack_free(NULL);
}

static void test_addresses_checked(void **state)
{
	(void)state;
	struct sf_config cfg = good();
	sf_stack *st = sf_stack_new(&cfg, 0);
	struct sf_addr a = sf_addr_v4(192, 0, 2, 1), mc = sf_addr_v4(224, 0, 0, 1), v6;
	assert_int_equal(sf_stack_add_address(st, &a, 1500), 0);
	assert_int_equal(sf_stack_add_address(st, &a, 1500), -EEXIST);
	assert_int_equal(sf_stack_add_address(st, &mc, 1500), -EINVAL);
	struct sf_addr b = sf_addr_v4(192, 0, 2, 9);
	assert_int_equal(sf_stack_add_address(st, &b, 575), -EINVAL); /* below IPv4's 576 */
	assert_int_equal(sf_addr_parse("2001:db8::1", &v6), 0);
	assert_int_equal(sf_stack_add_address(st, &v6, 1279), -EINVAL); /* below IPv6's 1280 */
	assert_int_equal(sf_stack_add_address(st, &v6, 1280), 0);
	assert_int_equal(sf_stack_add_address(NULL, &v6, 1280), -EINVAL);
	assert_int_equal(sf_stack_add_address(st, NULL, 1280), -EINVAL);
	/* Input to a NULL stack or a NULL buffer is ignored, not a crash. */
	sf_input(NULL, 0, "x", 1);
	sf_input(st, 0, NULL, 5);
	sf_advance(NULL, 0);
	assert_int_equal(sf_next_deadline(NULL), UINT64_MAX);
	assert_int_equal(sf_next_deadline(st), UINT64_MAX);
	sf_stack_free(st);
}

/* The library reports the version its header names, in the header's form. */
static void test_version(void **state)
{
	(void)state;
	assert_string_equal(sf_version(), SYNFIN_VERSION);
	char expect[32];
	snprintf(expect, sizeof expect, "%d.%d.%d", SYNFIN_VERSION_MAJOR, SYNFIN_VERSION_MINOR,
		 SYNFIN_VERSION_PATCH);
	assert_string_equal(sf_version(), expect);
	assert_int_equal(SYNFIN_VERSION_NUMBER,
			 SYNFIN_VERSION_MAJOR * 10000 + SYNFIN_VERSION_MINOR * 100 + SYNFIN_VERSION_PATCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_defaults_are_the_documented_ones),
		cmocka_unit_test(test_bad_configs_refused),
		cmocka_unit_test(test_zero_secret_needs_the_insecure_flag),
		cmocka_unit_test(test_config_size_checked),
		cmocka_unit_test(test_addresses_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
