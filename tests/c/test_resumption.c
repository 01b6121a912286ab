/*
 * TLS 1.3 session resumption through the C API: connections made from
 * one config resume from the tickets earlier ones received, against the
 * rustls test server and s_server; a cache size of 0 turns it off.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdlib.h>

/* A config trusting the test CA that keeps `cache_size` tickets. */
static const oxtls_config *config_with_cache(size_t cache_size)
{
    const oxtls_config *config = NULL;
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_session_cache_size(b, cache_size), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    return config;
}

/* GETs / from port with config; returns whether the connection resumed
 * (and checks the page arrived and the peer's certificate is known). */
static bool get_and_report_resumed(const oxtls_config *config, int port, const char *expect)
{
    oxtls_conn *conn = NULL;
    struct buffer page = {0};
    const uint8_t *der = NULL;
    size_t der_len = 0;
    bool resumed;
    CHECK_RESULT(fetch(config, "localhost", port, "/", &page, &conn), OXTLS_OK);
    CHECK(buffer_contains(&page, expect));
    resumed = oxtls_conn_is_resumed(conn);
    /* A resumed connection still names the server's certificate: the one
     * the ticket's connection verified. */
    CHECK_RESULT(oxtls_conn_peer_certificate(conn, 0, &der, &der_len), OXTLS_OK);
    CHECK(der != NULL && der_len > 100);
    oxtls_conn_free(conn);
    buffer_free(&page);
    return resumed;
}

static void second_connection_resumes(void)
{
    const oxtls_config *config = config_with_cache(16);
    CHECK(!get_and_report_resumed(config, server_port(), "oxtls test server"));
    CHECK(get_and_report_resumed(config, server_port(), "oxtls test server"));
    CHECK(get_and_report_resumed(config, server_port(), "oxtls test server"));
    oxtls_config_free(config);
    CHECK(!oxtls_conn_is_resumed(NULL));
}

static void second_connection_resumes_with_s_server(void)
{
    const oxtls_config *config = config_with_cache(16);
    CHECK(!get_and_report_resumed(config, openssl_port(), "s_server"));
    CHECK(get_and_report_resumed(config, openssl_port(), "s_server"));
    oxtls_config_free(config);
}

static void a_cache_of_zero_disables_resumption(void)
{
    const oxtls_config *config = config_with_cache(0);
    CHECK(!get_and_report_resumed(config, server_port(), "oxtls test server"));
    CHECK(!get_and_report_resumed(config, server_port(), "oxtls test server"));
    oxtls_config_free(config);
    CHECK_RESULT(oxtls_config_builder_set_session_cache_size(NULL, 1), OXTLS_ERR_NULL_PARAMETER);
}

const struct test resumption_tests[] = {
    {"second_connection_resumes", second_connection_resumes},
    {"second_connection_resumes_with_s_server", second_connection_resumes_with_s_server},
    {"a_cache_of_zero_disables_resumption", a_cache_of_zero_disables_resumption},
    {NULL, NULL},
};
